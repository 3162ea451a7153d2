"""The time stage: time expressions, the publication date when nothing gave one, the event date.

Order of work for one document:
1. tag time expressions against the publication date the clean stage found (metadata > html >
   byline), if any;
2. if there is none (or its value is None), infer it from the content (``dating``) and re-tag,
   so relative expressions ("am Montag", "last week") resolve against the inferred day;
3. the event date: the day the reported thing happened (``dating.infer_event_date``).

After the per-document stages, the ingest engines date the inferred documents of a batch
together (:func:`redate_corpus`, ``dating.corpus``): articles that report the same happenings
narrow each other's day, and the ones whose day moved are re-tagged against it.

German, English, French, Spanish and Italian have lexicons (``timex/lang/*.json``); other
languages are tagged with the English rules' language-neutral part (ISO dates, years) when
``fallback_lang`` says so (the default), or get no times with ``fallback_lang=None``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from ..dating import infer_event_date, infer_published
from ..dating.corpus import CorpusDoc, infer_corpus
from ..model import DateInfo, Document
from ..timex import tag
from ..timex.lexicon import languages


class TimeStage:
    name = "time"
    version = "1.2"
    requires = frozenset({"text", "lang", "sentences", "published"})
    adds = frozenset({"times", "published", "event_date"})
    options = ("fallback_lang", "infer_dates")

    def __init__(self, fallback_lang: str | None = "en", infer_dates: bool = True) -> None:
        self.fallback_lang = fallback_lang
        self.infer_dates = infer_dates
        self._langs: set[str] = set()

    def load(self) -> None:
        """Compile the rules and read the knowledge once per process."""
        if self._langs:
            return
        from ..dating.anchors import load_anchors
        from ..knowledge.offices import load_offices
        from ..timex.tagger import rules_for

        self._langs = set(languages())
        for lang in self._langs:
            rules_for(lang)
        load_offices()
        load_anchors()

    def _lang(self, doc: Document) -> str | None:
        if not self._langs:
            self.load()
        return _lang_of(doc, self._langs, self.fallback_lang)

    def __call__(self, doc: Document) -> Document:
        lang = self._lang(doc)
        if lang is None or not doc.text:
            doc.times = []
            doc.event_date = None
            return doc
        sentences = _sentences(doc)
        pub = doc.published
        anchor = _day(pub)
        times = tag(doc.text, lang, anchor=anchor, sentences=sentences)
        if self.infer_dates and (pub is None or pub.value is None):
            inferred = infer_published(
                doc.text, lang, times=times if anchor is None else None, sentences=sentences
            )
            if pub is not None and pub.evidence:  # keep what the earlier stage noted
                inferred.evidence = pub.evidence + inferred.evidence
            doc.published = inferred
            anchor = _day(inferred)
            if anchor is not None:
                times = tag(doc.text, lang, anchor=anchor, sentences=sentences)
        doc.times = times
        doc.event_date = infer_event_date(doc.text, lang, times, doc.published) if doc.published else None
        return doc

    def batch(self, docs: list[Document]) -> list[Document]:
        return [self(d) for d in docs]


def redate_corpus(docs: Sequence[Document], fallback_lang: str | None = "en") -> list[Document]:
    """Date the documents whose publication date was inferred together with the others of the
    batch (those with a metadata, HTML or byline date inform them and are kept), then re-tag the
    ones whose day moved against it. Returns the documents whose date changed (in place); their
    evidence names what the corpus contributed."""
    supported = set(languages())
    langs = {
        id(d): lang
        for d in docs
        if d.text and d.published is not None
        and (lang := _lang_of(d, supported, fallback_lang)) is not None
    }
    if not any(d.published is not None and d.published.source == "inferred" for d in docs if id(d) in langs):
        return []
    corpus = [CorpusDoc(str(i), d.text, langs[id(d)], info=d.published, vector=d.vector)
              for i, d in enumerate(docs) if id(d) in langs]
    dated = infer_corpus(corpus)
    changed = []
    for i, d in enumerate(docs):
        new = dated.get(str(i))
        old = d.published
        if new is None or old is None or old.source != "inferred" or new == old:
            continue
        d.published = new
        if new.value != old.value:
            anchor = _day(new)
            d.times = tag(d.text, langs[id(d)], anchor=anchor, sentences=_sentences(d))
            d.event_date = infer_event_date(d.text, langs[id(d)], d.times, new)
        changed.append(d)
    return changed


def _lang_of(doc: Document, supported: set[str], fallback: str | None) -> str | None:
    lang = (doc.lang or "und").split("-")[0].lower()
    return lang if lang in supported else fallback


def _sentences(doc: Document) -> list[tuple[int, int]] | None:
    return [(s.start, s.end) for s in doc.sentences] or None


def _day(info: DateInfo | None) -> date | None:
    if info is None or not info.value:
        return None
    try:
        return date.fromisoformat(info.value[:10])
    except ValueError:
        return None
