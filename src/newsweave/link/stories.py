"""Stories: events linked over weeks and years by shared actors and subject.

Run incrementally over the events an ingest touched, oldest first. For each event the
candidate stories are those of its nearest documents in the ANN index and those that mention
its most distinctive actors; each candidate is scored as

    cosine(event centroid, story centroid) + entity_weight · (idf-weighted entity cosine − pivot)

An event joins the best story over ``join``; it opens a story of its own otherwise. Sharing
one actor is not enough (NATO in Libya in 2011 and NATO and Russia in 2021 are two stories):
at least ``min_shared`` distinctive entities must be shared, and the subject (the centroid
cosine) must agree. When an event passes the bar of two stories that are themselves close
(``merge``), they are merged — the only repair, and it touches those stories alone.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..model import stable_id
from ..store import EventRecord, StoryRecord
from .features import idf_weights, parse_day, weighted_cosine

MAX_PROFILE = 80
MAX_EVENTS_FOR_CENTROID = 60


@dataclass
class StoryParams:
    join: float = 0.58
    merge: float = 0.66
    join_alone: float = 0.78  # no entities on either side: the subject alone must be very close
    entity_weight: float = 0.35
    entity_pivot: float = 0.25
    min_shared: int = 2
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


class StoryLinker:
    def __init__(self, store: Any, index: Any, params: StoryParams | None = None) -> None:
        self.store = store
        self.index = index
        self.p = params or StoryParams()
        self._idf: dict[str, float] = {}

    # -- candidates ----------------------------------------------------------------------------
    def _candidate_stories(self, ev: EventRecord, c: np.ndarray | None) -> set[str]:
        q = self.store._q
        out: set[str] = set()
        if c is not None and self.index is not None:
            ids = [d for d, cos in self.index.search(c, self.p.k) if cos >= 0.3]
            if ids:
                rows = q(f"SELECT DISTINCT story_id FROM documents WHERE id IN ({','.join('?' * len(ids))})"
                         " AND story_id IS NOT NULL", ids)
                out.update(r[0] for r in rows)
        prof: dict[str, float] = ev.meta.get("entities") or {}
        if prof:
            idf = idf_weights(self.store, list(prof), self._idf)
            top = sorted(prof, key=lambda k: -prof[k] * idf[k])[:3]
            for eid in top:
                rows = q("SELECT DISTINCT d.story_id FROM mentions m JOIN documents d ON d.id = m.doc_id "
                         "WHERE m.entity_id = ? AND d.story_id IS NOT NULL LIMIT 50", (eid,))
                out.update(r[0] for r in rows)
        if ev.story_id:
            out.discard(ev.story_id)
        return out

    def score(self, ev: EventRecord, c: np.ndarray | None, st: StoryRecord) -> tuple[float, str]:
        sc = decode_vec(st.meta.get("centroid"))
        cos = float(_unit(sc) @ c) if sc is not None and c is not None else 0.0
        a: dict[str, float] = ev.meta.get("entities") or {}
        b: dict[str, float] = st.meta.get("entities") or {}
        if not a or not b:
            return (cos if cos >= self.p.join_alone else -1.0), f"cos {cos:.2f}, no entities"
        shared = a.keys() & b.keys()
        idf = idf_weights(self.store, list(a.keys() | b.keys()), self._idf)
        distinctive = [k for k in shared if idf[k] > 1.05]  # an entity in nearly every article says nothing
        if len(distinctive) < self.p.min_shared:
            return -1.0, f"cos {cos:.2f}, only {len(distinctive)} distinctive shared entities"
        ent = weighted_cosine(a, b, idf)
        s = cos + self.p.entity_weight * (ent - self.p.entity_pivot)
        return s, f"cos {cos:.2f}, entities {ent:.2f}, {len(distinctive)} shared"

    # -- updates -------------------------------------------------------------------------------
    def update(self, event_ids: list[str]) -> set[str]:
        """Place each touched event in a story; returns the ids of the stories touched."""
        evs = [e for e in (self.store.get_event(i) for i in dict.fromkeys(event_ids)) if e is not None]
        evs.sort(key=_date_key)
        touched: set[str] = set()
        for ev in evs:
            c = event_centroid(self.store, ev)
            if c is not None:
                ev.meta["centroid"] = encode_vec(c)
            own = self.store.get_story(ev.story_id) if ev.story_id else None
            passing: list[tuple[float, StoryRecord, str]] = []
            for sid in self._candidate_stories(ev, c):
                st = self.store.get_story(sid)
                if st is None:
                    continue
                s, why = self.score(ev, c, st)
                if s >= self.p.join:
                    passing.append((s, st, why))
            passing.sort(key=lambda t: -t[0])
            self.store.put_event(ev)  # the centroid, before stories read it
            if own is None and not passing:
                st = StoryRecord(id=stable_id("story", ev.id), event_ids=[ev.id],
                                 meta={"reason": "no story close enough: a story of its own"})
            elif own is None:
                st = passing[0][1]
                st.event_ids.append(ev.id)
                st.meta["reason"] = f"last joined by {ev.id}: {passing[0][2]}"
            else:
                st = own
                if ev.id not in st.event_ids:
                    st.event_ids.append(ev.id)
            for s, other, why in passing[1:] if own is None else passing:
                if other.id != st.id and s >= self.p.merge:
                    st = self._merge(st, other, why)
            self._refresh(st)
            touched.add(st.id)
        return touched

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
        recent = evs[-MAX_EVENTS_FOR_CENTROID:]
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
        idf = idf_weights(self.store, list(prof), self._idf)
        types = {r[0]: r[1] for r in self.store._q(
            f"SELECT id, type FROM entities WHERE id IN ({','.join('?' * len(prof))})", list(prof))} if prof else {}
        st.actors = [k for k in sorted(prof, key=lambda k: -prof[k] * idf[k]) if types.get(k) in ("PER", "ORG")][:10]
        days = [d for d in (parse_day(e.date) for e in evs) if d]
        if days:
            st.meta["date_start"], st.meta["date_end"] = min(days).isoformat(), max(days).isoformat()
        self.store.put_story(st)
