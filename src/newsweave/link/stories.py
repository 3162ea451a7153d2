"""Stories: events linked over weeks and years by shared actors and subject.

Run incrementally over the events an ingest touched, oldest first. For each event the
candidates are the stories, and the events that belong to no story yet, found through its
nearest documents in the ANN index and through its most distinctive actors. Each candidate is
scored as

    cosine(event centroid, candidate centroid) + entity_weight · (idf-weighted entity cosine − pivot)

where the idf is taken over *events* (an actor in half of all events, NATO in a NATO corpus,
says little about which story an event belongs to). The bar the score must pass grows with the
time gap between the event and the candidate's date range:

    bar = join + gap_growth · log2(1 + gap_days / gap_unit_days)

so events days apart join on a moderate link, and events years apart only on a strong one:
NATO ending its Libya campaign in 2011 and NATO taking in Finland in 2023 share an actor and a
genre, not a story. At least ``min_shared`` distinctive entities must be shared, or (without
entities) the subject alone must be very close.

What a story is: two or more events. An event that links to nothing is a *lone event*; it has
no story (``story_id`` is None, the reason is in ``event.meta["story"]``), because a "story" of
one event tells a reader nothing the event does not. A lone event stays a candidate: a later
event that links to it forms a story with it.

Each event joins its best passing candidate only. Lone events it also passed are not pulled
along: that single-link chaining glued stories together through one bridging article (a report
on NATO-Russia talks that mentions the Nordic accession bids). They are placed again afterwards,
with the new story among their candidates, and join it if it is their own best choice. Two
stories merge by *average link*: the mean margin over pairs of their events must clear
``merge_margin`` (the only repair, touching those two stories alone).
"""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np

from ..model import stable_id
from ..store import EventRecord, StoryRecord
from .events import load_events
from .features import parse_day, weighted_cosine

MAX_PROFILE = 80
MAX_EVENTS_FOR_CENTROID = 60
MAX_PAIR_EVENTS = 12  # events per story compared when two stories may merge
MARGIN_CLIP = 0.3  # a pair that cannot link at all counts as this far below its bar


@dataclass
class StoryParams:
    join: float = 0.50
    gap_growth: float = 0.025  # bar added per doubling of (1 + gap / gap_unit_days)
    gap_unit_days: float = 30.0
    merge_margin: float = 0.06  # two stories merge when their events are this far above the bar, on average
    merge_margin_alone: float = 0.0  # the same without entities, where the bar is join_alone
    join_alone: float = 0.78  # no entities on either side: the subject alone must be very close
    entity_weight: float = 0.35
    entity_pivot: float = 0.15
    min_shared: int = 2
    distinctive_share: float = 0.8  # an entity in more than this share of events is not distinctive
    k: int = 40


def encode_vec(v: np.ndarray) -> str:
    return base64.b64encode(np.asarray(v, dtype=np.float16).tobytes()).decode("ascii")


def decode_vec(s: str | None) -> np.ndarray | None:
    if not s:
        return None
    return np.frombuffer(base64.b64decode(s), dtype=np.float16).astype(np.float32)


def _unit(v: np.ndarray) -> np.ndarray:
    n = float(np.linalg.norm(v))
    return v / n if n else v


def event_centroid(store: Any, ev: EventRecord, cap: int = 30) -> np.ndarray | None:
    vecs = store.get_vectors(ev.doc_ids[:cap])
    if not vecs:
        return None
    return _unit(np.asarray(list(vecs.values()), dtype=np.float32).mean(axis=0))


def _date_key(ev: EventRecord) -> tuple[str, str]:
    return (ev.date or "9999-12-31", ev.id)


def time_gap(day: date | None, lo: date | None, hi: date | None) -> int:
    """Days between a day and a range (0 inside it, 0 when either side is undated)."""
    if day is None or lo is None:
        return 0
    hi = hi or lo
    return max(0, (lo - day).days, (day - hi).days)


@dataclass
class Candidate:
    """A story, or a lone event seen as a story of one, in the shape the score needs."""

    id: str
    kind: str  # story | event
    centroid: np.ndarray | None
    entities: dict[str, float]
    start: date | None
    end: date | None
    story: StoryRecord | None = None
    event: EventRecord | None = None
    n_events: int = 1
    notes: list[str] = field(default_factory=list)

    @classmethod
    def of_story(cls, st: StoryRecord) -> Candidate:
        return cls(st.id, "story", decode_vec(st.meta.get("centroid")), st.meta.get("entities") or {},
                   parse_day(st.meta.get("date_start")), parse_day(st.meta.get("date_end")), story=st,
                   n_events=len(st.event_ids))

    @classmethod
    def of_event(cls, ev: EventRecord, c: np.ndarray | None) -> Candidate:
        return cls(ev.id, "event", c, ev.meta.get("entities") or {}, parse_day(ev.date_start or ev.date),
                   parse_day(ev.date_end or ev.date), event=ev)


def event_idf(store: Any, entity_ids: list[str], cache: dict[str, float], n_events: int) -> dict[str, float]:
    """Inverse event frequency: log((events + 1) / (events mentioning the entity + 1)) + 1."""
    missing = [e for e in entity_ids if e not in cache]
    for i in range(0, len(missing), 400):
        chunk = missing[i : i + 400]
        rows = store.query(
            "SELECT m.entity_id, COUNT(DISTINCT d.event_id) FROM mentions m JOIN documents d ON d.id = m.doc_id"
            f" WHERE m.entity_id IN ({','.join('?' * len(chunk))}) GROUP BY m.entity_id", chunk)
        df = {r[0]: int(r[1]) for r in rows}
        for e in chunk:
            cache[e] = math.log((n_events + 1) / (df.get(e, 0) + 1)) + 1.0
    return {e: cache[e] for e in entity_ids}


def _in_order(store: Any, ids: list[str]) -> list[EventRecord]:
    """The stored ones of ``ids``, in that order, read in two queries for the whole list
    (:func:`.events.load_events`), not two per event: the story step reads hundreds of them per
    run, each a round trip on a server."""
    found = load_events(store, ids)
    return [found[i] for i in ids if i in found]


class StoryLinker:
    def __init__(self, store: Any, index: Any, params: StoryParams | None = None) -> None:
        self.store = store
        self.index = index
        self.p = params or StoryParams()
        self._idf: dict[str, float] = {}
        self._n_events = 0
        self._changed: set[str] = set()  # events written since the records in hand were read

    def idf(self, ids: list[str]) -> dict[str, float]:
        if not self._n_events:
            self._n_events = int(self.store.query("SELECT COUNT(*) FROM events")[0][0]) or 1
        return event_idf(self.store, ids, self._idf, self._n_events)

    # -- candidates ----------------------------------------------------------------------------
    def _candidates(self, ev: EventRecord, c: np.ndarray | None) -> list[Candidate]:
        q = self.store.query
        pairs: set[tuple[str, str | None]] = set()  # (event id, story id)
        if c is not None and self.index is not None:
            ids = [d for d, cos in self.index.search(c, self.p.k) if cos >= 0.3]
            if ids:
                rows = q(f"SELECT DISTINCT event_id, story_id FROM documents WHERE id IN ({','.join('?' * len(ids))})"
                         " AND event_id IS NOT NULL", ids)
                pairs.update((r[0], r[1]) for r in rows)
        prof: dict[str, float] = ev.meta.get("entities") or {}
        if prof:
            idf = self.idf(list(prof))
            for eid in sorted(prof, key=lambda k: -prof[k] * idf[k])[:3]:
                rows = q("SELECT DISTINCT d.event_id, d.story_id FROM mentions m JOIN documents d ON d.id = m.doc_id "
                         "WHERE m.entity_id = ? AND d.event_id IS NOT NULL LIMIT 50", (eid,))
                pairs.update((r[0], r[1]) for r in rows)
        out: dict[str, Candidate] = {}
        lone = load_events(self.store, [eid for eid, sid in pairs if not sid and eid != ev.id])
        for eid, sid in pairs:
            if eid == ev.id or (sid and sid == ev.story_id):
                continue
            if sid:
                if sid not in out and (st := self.store.get_story(sid)) is not None:
                    out[sid] = Candidate.of_story(st)
            elif eid not in out and (other := lone.get(eid)) is not None and not other.story_id:
                oc = decode_vec(other.meta.get("centroid")) if other.meta.get("centroid") else event_centroid(
                    self.store, other)
                out[eid] = Candidate.of_event(other, oc)
        return list(out.values())

    def bar(self, gap_days: int) -> float:
        return self.p.join + self.p.gap_growth * math.log2(1.0 + gap_days / self.p.gap_unit_days)

    def score(self, ev: EventRecord, c: np.ndarray | None, cand: Candidate) -> tuple[float, float, str]:
        """(score, bar, why) of ``ev`` against a candidate; a score of -1 means it cannot join."""
        gap = time_gap(parse_day(ev.date), cand.start, cand.end)
        return self._score(c, ev.meta.get("entities") or {}, gap, cand)

    def score_stories(self, a: StoryRecord, b: StoryRecord) -> tuple[float, float, str]:
        """(mean margin, margin needed, why): the average link of two stories over their events.

        A story's centroid and entity profile are averages, closer to any neighbour than its own
        events are, and one close pair of events says little about two stories (a bridging
        article names both subjects), so two stories are compared pair by pair over their most
        recent events. Pairs that cannot link at all count as :data:`MARGIN_CLIP` below the bar.
        With entities the mean must clear ``merge_margin``; without (embeddings only, where the
        bar is already the strict ``join_alone``) it must reach the bar: ``merge_margin_alone``."""
        ea = _in_order(self.store, a.event_ids[-MAX_PAIR_EVENTS:])
        eb = _in_order(self.store, b.event_ids[-MAX_PAIR_EVENTS:])
        margins, with_entities = [], 0
        for x in ea:
            cx = decode_vec(x.meta.get("centroid"))
            ax = x.meta.get("entities") or {}
            for y in eb:
                yc = Candidate.of_event(y, decode_vec(y.meta.get("centroid")))
                s, bar, _why = self._score(cx, ax, time_gap(parse_day(x.date), yc.start, yc.end), yc, soft=True)
                margins.append(max(s - bar, -MARGIN_CLIP))
                with_entities += bool(ax and yc.entities)
        if not margins:
            return -1.0, 0.0, "no events to compare"
        m = float(np.mean(margins))
        need = self.p.merge_margin if with_entities else self.p.merge_margin_alone
        return m, need, f"mean margin {m:.2f} over {len(margins)} event pairs (needs {need:.2f})"

    def _score(self, c: np.ndarray | None, a: dict[str, float], gap: int, cand: Candidate,
               *, soft: bool = False) -> tuple[float, float, str]:
        """(score, bar, why). ``soft`` drops the hard gates (too few shared entities, no entities
        and a subject not close enough) and returns the plain score, for averaging over pairs."""
        cos = float(_unit(cand.centroid) @ _unit(c)) if cand.centroid is not None and c is not None else 0.0
        bar = self.bar(gap)
        b = cand.entities
        if not a or not b:
            return (cos if soft or cos >= self.p.join_alone else -1.0), max(bar, self.p.join_alone), \
                f"cos {cos:.2f}, {gap} days apart, no entities"
        idf = self.idf(list(a.keys() | b.keys()))
        floor = math.log(1.0 / self.p.distinctive_share) + 1.0
        distinctive = [k for k in a.keys() & b.keys() if idf[k] > floor]
        if len(distinctive) < self.p.min_shared and not soft:
            return -1.0, bar, f"cos {cos:.2f}, only {len(distinctive)} distinctive shared entities"
        ent = weighted_cosine(a, b, idf)
        s = cos + self.p.entity_weight * (ent - self.p.entity_pivot)
        return s, bar, f"cos {cos:.2f}, entities {ent:.2f}, {len(distinctive)} shared, {gap} days apart"

    # -- updates -------------------------------------------------------------------------------
    def update(self, event_ids: list[str]) -> set[str]:
        """Place each touched event in a story (or none); returns the ids of the stories touched.

        Events are placed oldest first, each in its best passing candidate. A lone event that an
        event passed but did not choose is not pulled along with it (single-link chaining would
        glue two stories through one bridging event); it is placed again afterwards on its own
        merits, where its best candidate may now be the story just formed."""
        self._changed = set()
        evs = _in_order(self.store, list(dict.fromkeys(event_ids)))
        evs.sort(key=_date_key)
        touched: set[str] = set()
        revisit: dict[str, set[str]] = {}
        for ev in evs:
            touched |= self._place(ev, revisit)
        self._changed = set()
        for ev in _in_order(self.store, list(revisit)):
            ev = self._fresh(ev)
            if not ev.story_id:
                touched |= self._place(ev, None, revisit[ev.id])
        return touched

    def _fresh(self, ev: EventRecord) -> EventRecord:
        """``ev`` as stored now: read again only if a story written since changed it."""
        return (self.store.get_event(ev.id) or ev) if ev.id in self._changed else ev

    def _place(self, ev: EventRecord, revisit: dict[str, set[str]] | None,
               extra: set[str] | None = None) -> set[str]:
        """Put one event in its best passing story or lone event; ``extra`` are stories to consider
        beside its own candidates (found from the other side: nearest-neighbour search is not
        symmetric)."""
        ev = self._fresh(ev)  # an earlier step may have put it in a story
        c = event_centroid(self.store, ev)
        if c is not None:
            ev.meta["centroid"] = encode_vec(c)
        own = self.store.get_story(ev.story_id) if ev.story_id else None
        cands = self._candidates(ev, c)
        seen = {x.id for x in cands}
        cands += [Candidate.of_story(st) for sid in sorted(extra or ()) if sid not in seen
                  and (st := self.store.get_story(sid)) is not None]
        passing: list[tuple[float, float, Candidate, str]] = []
        for cand in cands:
            s, bar, why = self.score(ev, c, cand)
            if s >= bar:
                passing.append((s, bar, cand, why))
        passing.sort(key=lambda t: -(t[0] - t[1]))
        if own is None and not passing:
            ev.meta["story"] = "no story: no other event links to it closely enough"
            self.store.put_event(ev)
            return set()
        ev.meta.pop("story", None)
        self.store.put_event(ev)  # the centroid, before stories read it
        if own is not None:
            st, rest = own, passing
        else:
            s, bar, best, why = passing[0]
            rest = passing[1:]
            st = self._join(ev, best, f"{ev.id} joined {best.kind} {best.id}: {why} (bar {bar:.2f})")
        self._refresh(st)
        for _s, _bar, cand, _why in rest:
            if cand.kind == "event" and cand.id not in st.event_ids:
                if revisit is not None:
                    revisit.setdefault(cand.id, set()).add(st.id)
            elif cand.kind == "story" and cand.story and cand.id != st.id:
                other = self.store.get_story(cand.id)
                if other is None:
                    continue
                m, need, why2 = self.score_stories(st, other)
                if m >= need:
                    st = self._merge(st, other, why2)
                    self._refresh(st)
        return {st.id}

    def _join(self, ev: EventRecord, best: Candidate, reason: str) -> StoryRecord:
        if best.story is not None:
            st = best.story
            if ev.id not in st.event_ids:
                st.event_ids.append(ev.id)
        else:
            pair = sorted([ev, best.event], key=lambda e: _date_key(e) if e else ("", ""))
            first = pair[0]
            assert first is not None
            st = StoryRecord(id=stable_id("story", first.id), event_ids=[e.id for e in pair if e])
        st.meta["reason"] = reason
        return st

    def _merge(self, a: StoryRecord, b: StoryRecord, why: str) -> StoryRecord:
        keep, gone = (a, b) if len(a.event_ids) >= len(b.event_ids) else (b, a)
        keep.event_ids += [e for e in gone.event_ids if e not in keep.event_ids]
        keep.meta["merged"] = [*keep.meta.get("merged", []), {"story": gone.id, "why": why}]
        self.store.delete_story(gone.id)
        return keep

    def _refresh(self, st: StoryRecord) -> None:
        """Recompute a story's order, centroid, entity profile, actors and label, then store it."""
        evs = _in_order(self.store, st.event_ids)
        evs.sort(key=_date_key)
        st.event_ids = [e.id for e in evs]
        self._changed.update(st.event_ids)  # their rows (story, centroid, reason) are written below
        for e in evs:
            if "story" in e.meta:  # a lone event no longer
                e.meta.pop("story")
                self.store.put_event(e)
        recent = evs[-MAX_EVENTS_FOR_CENTROID:]
        for e in recent:
            if not e.meta.get("centroid") and (ec := event_centroid(self.store, e)) is not None:
                e.meta["centroid"] = encode_vec(ec)
                self.store.put_event(e)
        cents = [c for c in (decode_vec(e.meta.get("centroid")) for e in recent) if c is not None]
        prof: dict[str, float] = {}
        for e in recent:
            for k, w in (e.meta.get("entities") or {}).items():
                prof[k] = prof.get(k, 0.0) + float(w)
        prof = dict(sorted(prof.items(), key=lambda kv: -kv[1])[:MAX_PROFILE])
        st.meta["entities"] = {k: round(v, 3) for k, v in prof.items()}
        if cents:
            c = _unit(np.mean(cents, axis=0))
            st.meta["centroid"] = encode_vec(c)
            central = max((e for e in recent if e.meta.get("centroid")),
                          key=lambda e: float(decode_vec(e.meta.get("centroid")) @ c))
            st.title = central.title or st.title
        idf = self.idf(list(prof))
        types = {r[0]: r[1] for r in self.store.query(
            f"SELECT id, type FROM entities WHERE id IN ({','.join('?' * len(prof))})", list(prof))} if prof else {}
        st.actors = [k for k in sorted(prof, key=lambda k: -prof[k] * idf[k]) if types.get(k) in ("PER", "ORG")][:10]
        days = [d for d in (parse_day(e.date) for e in evs) if d]
        if days:
            st.meta["date_start"], st.meta["date_end"] = min(days).isoformat(), max(days).isoformat()
        self.store.put_story(st)
