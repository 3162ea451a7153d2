"""Corpus-level linking: copies and translations, events (online), stories, summaries.

    linker = Linker(store)
    for doc in new_documents:      # each already written to the store
        linker.add(doc)            # links + event, in bounded time (ANN neighbours only)
    linker.finish()                # summaries + stories of the touched events, index saved

``add`` never recomputes the corpus: it reads the ``k`` nearest documents from the vector index,
their features from the store (a few indexed queries), and writes the new document's links and
event. ``finish`` touches only the events that changed in this run (and their stories).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..model import Document
from ..store import EventRecord, LinkRecord
from .dedup import DedupParams, NearDuplicates, translations
from .events import Decision, EventParams, absorb, decide, entity_types, new_event, participants
from .features import from_document, load_features
from .index import VectorIndex
from .stories import StoryLinker, StoryParams
from .summarise import cheap_title, summarise_event

__all__ = ["Decision", "LinkParams", "Linker", "VectorIndex"]

FLUSH_EVERY = 512  # dirty events kept in memory before their records are written


@dataclass
class LinkParams:
    events: EventParams = field(default_factory=EventParams)
    dedup: DedupParams = field(default_factory=DedupParams)
    stories: StoryParams = field(default_factory=StoryParams)
    summaries: bool = True


class Linker:
    def __init__(self, store: Any, params: LinkParams | None = None, *, index: VectorIndex | None = None) -> None:
        self.store = store
        self.p = params or LinkParams()
        self._index = index
        self._dedup: NearDuplicates | None = None
        self._dirty: dict[str, EventRecord] = {}
        self.touched: set[str] = set()
        self.decisions: dict[str, Decision] = {}  # doc id -> why it went where it went (this run)

    @property
    def index(self) -> VectorIndex:
        if self._index is None:
            self._index = VectorIndex.open(self.store)
        return self._index

    @property
    def dedup(self) -> NearDuplicates:
        if self._dedup is None:
            self._dedup = NearDuplicates(self.store, self.p.dedup)
        return self._dedup

    def _event(self, eid: str) -> EventRecord | None:
        return self._dirty.get(eid) or self.store.get_event(eid)

    def add(self, doc: Document) -> Decision:
        """Link one new (already stored) document and place it in an event."""
        ep = self.p.events
        f = from_document(doc)
        links: list[LinkRecord] = self.dedup.add(doc.id, doc.text) if doc.text.strip() else []
        vec = doc.vector
        neighbours = self.index.search(vec, ep.k) if vec is not None else []
        neighbours = [(d, c) for d, c in neighbours if d != doc.id]
        want = {d for d, c in neighbours if c >= min(ep.candidate_min, self.p.dedup.translation_cosine)}
        want |= {ln.dst for ln in links}
        cand = load_features(self.store, sorted(want))
        links += translations(f, neighbours, cand, self.p.dedup, ep.covered_langs)
        if links:
            self.store.put_links(links)
        linked: dict[str, str] = {}
        for ln in links:
            c = cand.get(ln.dst)
            if c is not None and c.event_id and c.event_id not in linked:
                linked[c.event_id] = f"{ln.type} of {ln.dst} (score {ln.score:.2f})"
        events = {eid: ev for eid in {c.event_id for c in cand.values() if c.event_id} if (ev := self._event(eid))}
        if vec is None:
            dec = Decision(None, 0.0, "no text to embed: an event of its own")
        else:
            dec = decide(f, neighbours, cand, events, linked, ep)
        if dec.event_id is None:
            closed = vec is None or f.n_words < ep.min_words
            ev = new_event(f, dec.reason, closed=closed)
            self.store.put_event(ev)
        else:
            ev = events[dec.event_id]
            absorb(ev, f)
            self.store.set_document_links(doc.id, event_id=ev.id, story_id=ev.story_id)
        self._dirty[ev.id] = ev
        self.touched.add(ev.id)
        self.decisions[doc.id] = dec
        if vec is not None:
            self.index.add(doc.id, vec)
        if len(self._dirty) >= FLUSH_EVERY:
            self._flush(summaries=False)
        return dec

    def _flush(self, *, summaries: bool) -> None:
        for ev in self._dirty.values():
            self.store.put_event(ev)
        self._dirty.clear()

    def finish(self) -> None:
        """Summaries and stories of the events touched in this run; the index saved."""
        self._flush(summaries=False)
        if not self.touched:
            return
        ids = sorted(self.touched)
        for eid in ids:
            ev = self.store.get_event(eid)
            if ev is None:
                continue
            ev.participants = participants(ev, entity_types(self.store, list(ev.meta.get("entities") or {})))
            if self.p.summaries:
                summarise_event(self.store, ev)
            else:
                ev.title = cheap_title(self.store, ev)
            self.store.put_event(ev)
        StoryLinker(self.store, self.index, self.p.stories).update(ids)
        self.index.save()
        self.touched.clear()
