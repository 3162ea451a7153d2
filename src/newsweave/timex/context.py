"""The context a time expression is read in: its sentence and the tense the sentence speaks in.

    spans = sentence_spans(text, "en")
    tense_at(rules_for("en"), sentence, offset)   # "past" | "future" | None

Tense decides which Monday "on Monday" is (the one before the anchor in a report of what
happened, the one after it in an announcement). Cues come in two strengths:

- **verbs** ("said", "will", "hatte", "wird", "-ed" forms, German participles): the nearest one
  before the expression wins (a news clause mostly puts its verb first: "will meet on Thursday",
  "said Monday") unless one after it is much nearer;
- **prepositions** right before the expression ("until Thursday", "ab Montag", "seit Dienstag")
  govern it: in English they win over the verbs ("extended the loans through January", measured
  on TimeBank), in German they count when no verb does ("dauerte bis Donnerstag" is past); away
  from an expression they say nothing ("marched through the streets").

A modal with a perfect ("may have been", "könnte ... gewesen sein") speaks of the past; a
participle after "be"/"werden" is passive or a state ("will be named", "soll gefeiert werden"),
its tense is the auxiliary's; an infinitive after a past verb ("agreed to buy ... in February")
is the future of a past moment, which says nothing about the anchor: no tense then.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from .lexicon import Lexicon, alternation, load_lexicon

# a sentence ends at . ! ? before a capital letter, unless the word before is a single letter
# or a short capitalised abbreviation ("Jan. 5", "p.m. EST", "Dr. X"); after a number it ends
# unless the language writes ordinals with a dot (German "am 2. Juni": see _ORDINAL_DOT)
# (searched as a candidate end and a check of the words before a stop: a pattern that starts
# with look-behinds is tried at every position, one that starts with [.!?\n] skips to them)
_SENT_END = re.compile(r"[.!?]+[\"'”“»«]?\s+(?=[\"'„“«»(]?[A-ZÄÖÜ0-9])|\n\s*\n|\n")
_NOT_AN_END = re.compile(
    r"(?<![\s.][A-Za-z])(?<!\b[A-Z][a-z])(?<!\b[A-Z][a-z]{2})(?<!\b[a-z]\.[a-z])(?<!\bvs)(?<!\bca)(?<!\bapprox)"
)
_ORDINAL_DOT = frozenset({"de", "gsw", "lb", "da", "no", "nb", "fi", "cs", "pl", "hu", "tr"})
_NUMBER_BEFORE = re.compile(r"(?<![\d.,])(\d+)$")


def sentence_spans(text: str, lang: str | None = None) -> list[tuple[int, int]]:
    """A cheap sentence split, used when the caller has no sentences. In languages that write
    ordinals with a dot ("am 2. Juni", "der 1. FC"), a number ending a sentence must be a year
    ("im Jahr 2021. Die ...")."""
    ordinal_dot = (lang or "de").split("-")[0].lower() in _ORDINAL_DOT
    spans, start = [], 0
    for m in _ends(text):
        if m.group()[0] in ".!?":
            num = _NUMBER_BEFORE.search(text, max(0, m.start() - 8), m.start())
            if num and ordinal_dot and not re.fullmatch(r"1\d{3}|2\d{3}", num.group(1)):
                continue
        if text[start : m.end()].strip():
            spans.append((start, m.end()))
        start = m.end()
    if text[start:].strip():
        spans.append((start, len(text)))
    return spans


def _ends(text: str) -> Iterator[re.Match[str]]:
    """The sentence ends of ``text`` left to right: a stop counts unless the word before it is
    a single letter or a short capitalised abbreviation (then the scan goes on from the next
    character, as a regex whose look-behinds failed there would)."""
    pos = 0
    while (m := _SENT_END.search(text, pos)) is not None:
        if m.group()[0] in ".!?" and _NOT_AN_END.match(text, m.start()) is None:
            pos = m.start() + 1
            continue
        yield m
        pos = m.end() if m.end() > m.start() else m.start() + 1


@dataclass(frozen=True, eq=False)
class TenseCues:
    """The compiled tense cues of one language."""

    future: re.Pattern[str]
    past: re.Pattern[str]
    prep_future: re.Pattern[str]  # a preposition right before the expression: "ab"
    prep_past: re.Pattern[str]  # "since", "seit"
    modal_perfect: re.Pattern[str]  # "may have been", "soll ... gesagt haben"
    infinitive: re.Pattern[str]  # "agreed to buy", "kündigte an, ... aufzubauen"
    infinitive_after: bool  # the infinitive follows the expression (German word order)
    aux_before: re.Pattern[str]  # a participle after this is passive or a state: "will be named"
    aux_after: re.Pattern[str]  # ... or before this: "soll gefeiert werden"
    prep_first: bool  # a governing preposition wins over the verbs (English), else only without them
    adjective_before: re.Pattern[str]  # a participle after this is an adjective: "the reduced"


@lru_cache(maxsize=8)
def tense_cues(lang: str) -> TenseCues:
    """The tense cues of ``lang``'s lexicon, compiled once."""
    lex = load_lexicon(lang)
    fut = alternation(lex["future_cues"])
    past = alternation(lex["past_cues"])
    if lex["past_regex"]:
        past += "|" + lex["past_regex"]
    elif lex.lang == "de":
        past += r"|ge\w{3,}t|\w+ierte"
    else:
        past += r"|\w{3,}ed"
    if lex["future_regex"]:
        fut += "|" + lex["future_regex"]

    def words(key: str, tail: str) -> re.Pattern[str]:
        ws = lex[key] or []
        return _rx(r"(?<!\w)(?:" + alternation(ws) + r")" + tail if ws else "")

    return TenseCues(
        future=_rx(r"(?<!\w)(?:" + fut + r")(?!\w)"),
        past=_rx(r"(?<!\w)(?:" + past + r")(?!\w)"),
        prep_future=words("prep_future", r"\s+$"),
        prep_past=words("prep_past", r"\s+$"),
        modal_perfect=_rx(lex["modal_perfect_regex"] or ""),
        infinitive=_rx(lex["infinitive_regex"] or ""),
        infinitive_after=bool(lex["infinitive_after"]),
        aux_before=words("passive_aux_before", lex["passive_aux_gap"] or r"\s+(?:\w+ly\s+)?$"),
        adjective_before=words("adjective_before", r"\s+(?:\w+ly\s+)?$"),
        prep_first=bool(lex["prep_over_verbs"]),
        aux_after=_rx(r"\s+(?:" + alternation(lex["passive_aux_after"]) + r")(?!\w)" if lex["passive_aux_after"] else ""),
    )


def _rx(pattern: str) -> re.Pattern[str]:
    """The pattern compiled, case-insensitive; an empty one never matches."""
    return re.compile(pattern or r"(?!x)x", re.IGNORECASE)


_PLUPERFECT = re.compile(r"\bhad\s+(?:not\s+)?(?:been\s+)?(?:\w+ly\s+)?$", re.IGNORECASE)
_UN_PARTICIPLE = re.compile(r"un\w{3,}ed")
_FINITE = frozenset({"was", "were", "had", "did"})
LOOK_BACK = 30  # characters around a cue that decide whether it is one
PREFER_BEFORE = 4.0  # a cue before the expression wins unless one after it is much nearer
PREP_REACH = 12  # characters between a preposition cue and the expression


def tense_at(lang: object, sentence: str, pos: int) -> str | None:
    """'past' or 'future' from the cues of the sentence around offset ``pos`` (see the module
    docstring); ``lang`` is the tagger's per-language bundle (anything with a ``lex``)."""
    lex: Lexicon = lang.lex  # type: ignore[attr-defined]
    cues = tense_cues(lex.lang)
    head = sentence[max(0, pos - PREP_REACH) : pos]
    prep = "future" if cues.prep_future.search(head) else "past" if cues.prep_past.search(head) else None
    if prep is not None and cues.prep_first:
        return prep
    found = _verb_cues(cues, sentence)
    kind = _nearest(found, pos)
    if kind is None:
        return prep
    if kind == "past" and _future_of_past(cues, found, sentence, pos):
        return None
    return kind


@lru_cache(maxsize=512)
def _verb_cues(cues: TenseCues, sentence: str) -> tuple[tuple[int, int, str], ...]:
    found = []
    perfect = [(m.start(), m.end()) for m in cues.modal_perfect.finditer(sentence)]
    for kind, rx in (("future", cues.future), ("past", cues.past)):
        for m in rx.finditer(sentence):
            a, b = m.start(), m.end()
            word = m.group().lower()
            back = max(0, a - LOOK_BACK)  # the checks below read only the few words around the cue
            if m.group() == "May" or (kind == "past" and _UN_PARTICIPLE.fullmatch(word)):
                continue  # the month, not the modal; "an unspecified date", "undisclosed terms"
            if kind == "past" and word not in _FINITE and (
                cues.aux_before.search(sentence, back, a) or cues.aux_after.match(sentence, b, b + LOOK_BACK)
            ):
                continue  # "will be named", "soll gefeiert werden": the auxiliary's tense
            if kind == "past" and cues.adjective_before.search(sentence, back, a):
                continue  # "the reduced dividend": an adjective
            if kind == "future" and any(x <= a < y for x, y in perfect):
                continue
            said = kind
            if kind == "future" and word.endswith("ed") and _PLUPERFECT.search(sentence, back, a):
                said = "past"  # "had been scheduled to expire Friday": a plan of the past
            found.append((a, b, said))
    found.extend((a, b, "past") for a, b in perfect)
    return tuple(sorted(found))


def _nearest(cues: tuple[tuple[int, int, str], ...], pos: int) -> str | None:
    before: tuple[int, str] | None = None
    after: tuple[int, str] | None = None
    for a, b, kind in cues:
        if a <= pos < b:
            continue
        if b <= pos:
            if before is None or pos - b < before[0]:
                before = (pos - b, kind)
        elif after is None or a - pos < after[0]:
            after = (a - pos, kind)
    if before is not None and (after is None or before[0] <= PREFER_BEFORE * after[0] + 8):
        return before[1]
    return after[1] if after else None


def _future_of_past(cues: TenseCues, found: tuple[tuple[int, int, str], ...], sentence: str, pos: int) -> bool:
    """An infinitive between the past verb before the expression and the expression (German:
    after the expression, in its clause)."""
    past_before = [a for a, b, kind in found if kind == "past" and b <= pos]
    if not past_before:
        return False
    if cues.infinitive_after:
        end = re.search(r"[,.;:]|$", sentence[pos:])
        return bool(cues.infinitive.search(sentence, pos, pos + (end.start() if end else 0)))
    return bool(cues.infinitive.search(sentence[:pos], max(past_before)))
