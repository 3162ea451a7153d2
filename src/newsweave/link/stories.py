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
event that links to it forms a story with it. When an event passes the bar of several
candidates, lone events among them are pulled into its story (each passed the same test it
would have passed had it arrived later); two stories merge only with a margin (``merge_margin``)
on top of the bar, the only repair, touching those stories alone.
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
from .features import parse_day, weighted_cosine

MAX_PROFILE = 80
MAX_EVENTS_FOR_CENTROID = 60


@dataclass
class StoryParams:
    join: float = 0.50
    gap_growth: float = 0.025  # bar added per doubling of (1 + gap / gap_unit_days)
    gap_unit_days: float = 30.0
    merge_margin: float = 0.08  # two stories merge only this far above the bar
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


class StoryLinker:
    def __init__(self, store: Any, index: Any, params: StoryParams | None = None) -> None:
        self.store = store
        self.index = index
        self.p = params or StoryParams()
        self._idf: dict[str, float] = {}
        self._n_events = 0

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
        for eid, sid in pairs:
            if eid == ev.id or (sid and sid == ev.story_id):
                continue
            if sid:
                if sid not in out and (st := self.store.get_story(sid)) is not None:
                    out[sid] = Candidate.of_story(st)
            elif eid not in out and (other := self.store.get_event(eid)) is not None and not other.story_id:
                oc = decode_vec(other.meta.get("centroid")) if other.meta.get("centroid") else event_centroid(
                    self.store, other)
                out[eid] = Candidate.of_event(other, oc)
        return list(out.values())

    def bar(self, gap_days: int) -> float:
        return self.p.join + self.p.gap_growth * math.log2(1.0 + gap_days / self.p.gap_unit_days)

    def score(self, ev: EventRecord, c: np.ndarray | None, cand: Candidate) -> tuple[float, float, str]:
        """(score, bar, why) of ``ev`` against a candidate; a score of -1 means it cannot join."""
        cos = float(_unit(cand.centroid) @ c) if cand.centroid is not None and c is not None else 0.0
        gap = time_gap(parse_day(ev.date), cand.start, cand.end)
        bar = self.bar(gap)
        a: dict[str, float] = ev.meta.get("entities") or {}
        b = cand.entities
        if not a or not b:
            return (cos if cos >= self.p.join_alone else -1.0), max(bar, self.p.join_alone), \
                f"cos {cos:.2f}, {gap} days apart, no entities"
        idf = self.idf(list(a.keys() | b.keys()))
        floor = math.log(1.0 / self.p.distinctive_share) + 1.0
        distinctive = [k for k in a.keys() & b.keys() if idf[k] > floor]
        if len(distinctive) < self.p.min_shared:
            return -1.0, bar, f"cos {cos:.2f}, only {len(distinctive)} distinctive shared entities"
        ent = weighted_cosine(a, b, idf)
        s = cos + self.p.entity_weight * (ent - self.p.entity_pivot)
        return s, bar, f"cos {cos:.2f}, entities {ent:.2f}, {len(distinctive)} shared, {gap} days apart"

    # -- updates -------------------------------------------------------------------------------
    def update(self, event_ids: list[str]) -> set[str]:
        """Place each touched event in a story (or none); returns the ids of the stories touched."""
        evs = [e for e in (self.store.get_event(i) for i in dict.fromkeys(event_ids)) if e is not None]
        evs.sort(key=_date_key)
        touched: set[str] = set()
        for ev in evs:
            ev = self.store.get_event(ev.id) or ev  # an earlier step may have put it in a story
            c = event_centroid(self.store, ev)
            if c is not None:
                ev.meta["centroid"] = encode_vec(c)
            own = self.store.get_story(ev.story_id) if ev.story_id else None
            passing: list[tuple[float, float, Candidate, str]] = []
            for cand in self._candidates(ev, c):
                s, bar, why = self.score(ev, c, cand)
                if s >= bar:
                    passing.append((s, bar, cand, why))
            passing.sort(key=lambda t: -(t[0] - t[1]))
            if own is None and not passing:
                ev.meta["story"] = "no story: no other event links to it closely enough"
                self.store.put_event(ev)
                continue
            ev.meta.pop("story", None)
            self.store.put_event(ev)  # the centroid, before stories read it
            if own is not None:
                st, rest = own, passing
            else:
                s, bar, best, why = passing[0]
                rest = passing[1:]
                st = self._join(ev, best, f"{ev.id} joined {best.kind} {best.id}: {why} (bar {bar:.2f})")
            for s, bar, cand, why in rest:
                if cand.kind == "event" and cand.id not in st.event_ids:
                    st.event_ids.append(cand.id)
                    st.meta.setdefault("pulled", []).append({"event": cand.id, "via": ev.id, "why": why})
                elif cand.kind == "story" and cand.story and cand.id != st.id and s >= bar + self.p.merge_margin:
                    st = self._merge(st, cand.story, why)
            self._refresh(st)
            touched.add(st.id)
        return touched

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
        evs = [e for e in (self.store.get_event(i) for i in st.event_ids) if e is not None]
        evs.sort(key=_date_key)
        st.event_ids = [e.id for e in evs]
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
