"""Temporal tagging: find time expressions (DATE, TIME, DURATION, SET) in German, English and
other texts and normalise them to TIMEX3 values, resolving relative ones against an anchor.

    from newsweave.timex import tag
    tag("Stoltenberg sagte am Montag ...", "de", anchor=date(2021, 6, 7))

Modules: ``lexicon`` (per-language word lists in ``lang/*.json``), ``rules`` (the patterns),
``normalise`` and ``relative`` (turning matches into TIMEX3 values), ``calendar`` (date
arithmetic), ``tagger`` (running the rules, settling overlaps, tense and anchors), ``timeml``
(reading TimeML, TIMEX2 SGML and standoff annotation for evaluation).
"""

from .tagger import sentence_spans, tag

__all__ = ["sentence_spans", "tag"]
