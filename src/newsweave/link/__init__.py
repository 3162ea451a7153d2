"""Corpus-level linking: copies and translations, events (online), stories, summaries.

    linker = Linker(store)
    for doc in new_documents:      # each already written to the store
        linker.add(doc)            # links + event, in bounded time (ANN neighbours only)
    linker.finish()                # summaries + stories of the touched events, index saved

``add`` never recomputes the corpus: it reads the ``k`` nearest documents from the vector index,
their features and their events from the store (a few indexed queries for all of them), and
writes the new document's links, copy-detector state and event in one transaction
(``store.batch``): a document is linked whole or not at all, and a run that dies leaves every
event as its linked members made it. Only documents already placed in an event count as
neighbours: one stored ahead of its turn (a Ray worker runs ahead of the online step, a crashed
run left it unlinked) links to this one when its own turn comes, as it would have in order.
``finish`` touches only the events that changed in this run (and their stories). A run that
died before its ``finish`` (the store says so: ``RUN_OPEN`` stays set) left events without a
title or story; the next run's ``finish`` takes those in too, so running the same command
again completes the corpus.

Event records read or written in this run are kept (up to ``EVENT_CACHE``): the linker is the
only writer of events while it runs, so what it holds is current, and a busy event is not read
again for every document that comes near it.
"""

from __future__ import annotations

from collections import OrderedDict
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Any

from ..model import Document
from ..store import EventRecord, LinkRecord
from .dedup import DedupParams, NearDuplicates, translations
from .events import Decision, EventParams, absorb, decide, entity_types, load_events, new_event, participants
from .features import from_document, load_features
from .index import StoreIndex, VectorIndex, open_index
from .stories import StoryLinker, StoryParams
from .summarise import cheap_title, summarise_event

__all__ = ["Decision", "LinkParams", "Linker", "VectorIndex"]

EVENT_CACHE = 4096  # event records kept in memory
RUN_OPEN = "link.run_open"  # state: a run has linked documents and not finished yet
FINISH_BATCH = 64  # events summarised per transaction in finish()


@dataclass
class LinkParams:
    events: EventParams = field(default_factory=EventParams)
    dedup: DedupParams = field(default_factory=DedupParams)
    stories: StoryParams = field(default_factory=StoryParams)
    summaries: bool = True


class Linker:
    def __init__(self, store: Any, params: LinkParams | None = None,
                 *, index: VectorIndex | StoreIndex | None = None) -> None:
        self.store = store
        self.p = params or LinkParams()
        self._index = index
        self._dedup: NearDuplicates | None = None
        self._events: OrderedDict[str, EventRecord] = OrderedDict()  # current records, least recent first
        self.touched: set[str] = set()
        self._left_open: bool | None = None  # did an earlier run die before finishing? (read once)
        self.decisions: dict[str, Decision] = {}  # doc id -> why it went where it went (this run)

    @property
    def index(self) -> VectorIndex | StoreIndex:
        if self._index is None:
            self._index = open_index(self.store)
        return self._index

    @property
    def dedup(self) -> NearDuplicates:
        if self._dedup is None:
            self._dedup = NearDuplicates(self.store, self.p.dedup)
        return self._dedup

    def _batch(self) -> AbstractContextManager[Any]:
        batch = getattr(self.store, "batch", None)
        return batch() if callable(batch) else nullcontext()

    def _keep(self, ev: EventRecord) -> None:
        self._events[ev.id] = ev
        self._events.move_to_end(ev.id)
        while len(self._events) > EVENT_CACHE:
            self._events.popitem(last=False)

    def _load_events(self, ids: set[str]) -> dict[str, EventRecord]:
        """The records of these events, from memory or the store (one read for all missing)."""
        out = {eid: self._events[eid] for eid in ids if eid in self._events}
        out.update(load_events(self.store, sorted(ids - out.keys())))
        for ev in out.values():
            self._keep(ev)
        return out

    def add(self, doc: Document) -> Decision:
        """Link one new (already stored) document and place it in an event; its writes are one
        transaction."""
        try:
            with self._batch():
                return self._add(doc)
        except BaseException:
            self._events.clear()  # what was changed in memory may not have been written
            raise

    def _add(self, doc: Document) -> Decision:
        if self._left_open is None:
            self._left_open = bool(self.store.get_state(RUN_OPEN, False))
            self.store.set_state(RUN_OPEN, True)
        ep = self.p.events
        f = from_document(doc)
        links: list[LinkRecord] = self.dedup.add(doc.id, doc.text) if doc.text.strip() else []
        vec = doc.vector
        neighbours = self.index.search(vec, ep.k) if vec is not None else []
        neighbours = [(d, c) for d, c in neighbours if d != doc.id]
        want = {d for d, c in neighbours if c >= min(ep.candidate_min, self.p.dedup.translation_cosine)}
        want |= {ln.dst for ln in links}
        cand = {d: c for d, c in load_features(self.store, sorted(want)).items() if c.event_id}
        links += translations(f, neighbours, cand, self.p.dedup, ep.covered_langs)
        if links:
            self.store.put_links(links)
        linked: dict[str, str] = {}
        for ln in links:
            c = cand.get(ln.dst)
            if c is not None and c.event_id and c.event_id not in linked:
                linked[c.event_id] = f"{ln.type} of {ln.dst} (score {ln.score:.2f})"
        events = self._load_events({c.event_id for c in cand.values() if c.event_id})
        if vec is None:
            dec = Decision(None, 0.0, "no text to embed: an event of its own")
        else:
            dec = decide(f, neighbours, cand, events, linked, ep)
        if dec.event_id is None:
            closed = vec is None or f.n_words < ep.min_words
            ev = new_event(f, dec.reason, closed=closed)
        else:
            ev = events[dec.event_id]
            absorb(ev, f)
        self.store.put_event(ev)
        self._keep(ev)
        self.touched.add(ev.id)
        self.decisions[doc.id] = dec
        if vec is not None:
            self.index.add(doc.id, vec)
        return dec

    def _finish_event(self, eid: str) -> None:
        ev = self.store.get_event(eid)
        if ev is None:
            return
        ev.participants = participants(ev, entity_types(self.store, list(ev.meta.get("entities") or {})))
        if self.p.summaries:
            summarise_event(self.store, ev)
        else:
            ev.title = cheap_title(self.store, ev)
        self.store.put_event(ev)

    def finish(self) -> None:
        """Summaries and stories of the events touched in this run; the index saved."""
        self._events.clear()  # the steps below change events behind the online step's back
        if self._left_open is None:
            self._left_open = bool(self.store.get_state(RUN_OPEN, False))
        if self._left_open:  # events of a run that died before finishing: never titled
            self.touched |= {r[0] for r in self.store.query("SELECT id FROM events WHERE title = ''")}
        if not self.touched:
            if self._left_open:
                self.store.set_state(RUN_OPEN, False)
                self._left_open = False
            return
        ids = sorted(self.touched)
        for i in range(0, len(ids), FINISH_BATCH):
            with self._batch():
                for eid in ids[i : i + FINISH_BATCH]:
                    self._finish_event(eid)
        with self._batch():
            StoryLinker(self.store, self.index, self.p.stories).update(ids)
        self.index.sync(self.store)  # the watermark moves past this run's documents
        self.index.save()
        self.store.set_state(RUN_OPEN, False)
        self.touched.clear()
        self._left_open = False
