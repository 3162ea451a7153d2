"""What the linker compares documents and events on: entity profiles, date spans, places.

Everything here is cheap to compute and to load for a handful of candidates at a time, so a
linking decision never needs the whole corpus: :func:`from_document` reads a fresh
:class:`~newsweave.model.Document`, :func:`load_features` reads stored documents by id with a
few indexed queries.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from ..model import DateInfo, Document, stable_id
from ..store.base import json_value
from .place import guess_place

# entity types that say who and what an article is about; places count, at a discount
TYPE_WEIGHT = {"PER": 1.0, "ORG": 0.8, "MISC": 0.6, "LOC": 0.5, "ROLE": 0.0}


@dataclass(frozen=True)
class DateSpan:
    """The date an article reports: a best day and the range the evidence supports."""

    best: date
    earliest: date
    latest: date

    @property
    def precise(self) -> bool:
        return (self.latest - self.earliest).days <= 3

    def gap(self, other: DateSpan) -> int:
        """Days between the two spans (0 when they overlap); precise spans compare best days."""
        if self.precise and other.precise:
            return abs((self.best - other.best).days)
        if self.latest < other.earliest:
            return (other.earliest - self.latest).days
        if other.latest < self.earliest:
            return (self.earliest - other.latest).days
        return 0


def parse_day(value: str | None) -> date | None:
    """The first day of an ISO date, month or year string (None when it is not one)."""
    if not value:
        return None
    v = value.strip()[:10]
    try:
        if len(v) >= 10:
            return date.fromisoformat(v)
        if len(v) == 7:
            return date(int(v[:4]), int(v[5:7]), 1)
        if len(v) == 4 and v.isdigit():
            return date(int(v), 1, 1)
    except ValueError:
        return None
    return None


def _period_end(value: str) -> date | None:
    v = value.strip()[:10]
    start = parse_day(v)
    if start is None:
        return None
    if len(v) == 4:
        return date(start.year, 12, 31)
    if len(v) == 7:
        nxt = date(start.year + (start.month == 12), start.month % 12 + 1, 1)
        return nxt - timedelta(days=1)
    return start


def date_span(info: DateInfo | dict[str, Any] | None) -> DateSpan | None:
    """A :class:`DateSpan` from a DateInfo (or its dict form); None without a usable value."""
    if info is None:
        return None
    d = info.to_dict() if isinstance(info, DateInfo) else info
    value = d.get("value")
    best = parse_day(value)
    if best is None or value is None:
        return None
    lo = parse_day(d.get("earliest")) or best
    hi_raw = d.get("latest")
    hi = (_period_end(hi_raw) if hi_raw else None) or _period_end(value) or best
    if len(value.strip()) < 10:  # a month or a year: the best day is the middle of it
        lo, hi = min(lo, best), max(hi, _period_end(value) or best)
        best = lo + (hi - lo) / 2
    lo, hi = min(lo, best), max(hi, best)
    return DateSpan(best, lo, hi)


def doc_date(event_date: Any, published: Any) -> DateSpan | None:
    """The date an article reports: its event date, else its publication date."""
    return date_span(event_date) or date_span(published)


def date_confidence(event_date: Any, published: Any) -> float:
    """How sure the date :func:`doc_date` picks is: 1 when it stands on a given publication date
    (metadata, byline, page), else the dating stage's own confidence. The event date is always
    inferred, relative to the publication date, so it is as sure as the date it was resolved
    against."""
    ev = event_date.to_dict() if isinstance(event_date, DateInfo) else event_date
    pub = published.to_dict() if isinstance(published, DateInfo) else published
    best = float(ev.get("confidence") or 0) if ev and ev.get("value") else 0.0
    if pub and pub.get("value"):
        if pub.get("source") in ("metadata", "byline", "html"):
            return 1.0
        return max(best, float(pub.get("confidence") or 0)) if best >= 0.8 else float(pub.get("confidence") or 0)
    return best


def confident(event_date: Any, published: Any) -> bool:
    """Whether a document's date is sure enough to keep it out of an event whose sure members
    are dated days apart (given, or inferred with confidence ≥ 0.8)."""
    return date_confidence(event_date, published) >= 0.8


@dataclass
class DocFeatures:
    id: str
    lang: str = "und"
    entities: dict[str, float] = field(default_factory=dict)  # entity id -> weight (counts x type)
    date: DateSpan | None = None
    place: str | None = None  # entity id of the place the article's event happened at
    place_score: float = 0.0  # the evidence for it (see link.place)
    n_words: int = 0
    event_id: str | None = None
    date_confident: bool = False
    date_conf: float = 0.0  # see date_confidence


def entity_profile(pairs: list[tuple[str, str]]) -> dict[str, float]:
    """Entity id -> weight from (entity id, type) mention pairs: type weight x (1 + log count)."""
    counts = Counter(pairs)
    out: dict[str, float] = {}
    for (eid, etype), n in counts.items():
        w = TYPE_WEIGHT.get(etype, 0.6) * (1.0 + math.log(n))
        if w > 0:
            out[eid] = out.get(eid, 0.0) + w
    return out


def weighted_cosine(a: dict[str, float], b: dict[str, float], idf: dict[str, float] | None = None) -> float:
    """Cosine of two sparse profiles, each weight scaled by ``idf`` when given."""
    if not a or not b:
        return 0.0
    f = idf or {}
    num = sum(a[k] * b[k] * f.get(k, 1.0) ** 2 for k in a.keys() & b.keys())
    if num == 0:
        return 0.0
    na = math.sqrt(sum((v * f.get(k, 1.0)) ** 2 for k, v in a.items()))
    nb = math.sqrt(sum((v * f.get(k, 1.0)) ** 2 for k, v in b.items()))
    return num / (na * nb)


def from_document(doc: Document) -> DocFeatures:
    pairs = [(stable_id("entity", m.entity_key), m.type) for m in doc.mentions if m.entity_key]
    place, place_score = guess_place(doc)
    return DocFeatures(
        id=doc.id, lang=doc.lang or "und", entities=entity_profile(pairs),
        date=doc_date(doc.event_date, doc.published), place=place, place_score=place_score, n_words=len(doc.text.split()),
        date_confident=confident(doc.event_date, doc.published),
        date_conf=date_confidence(doc.event_date, doc.published),
    )


def load_features(store: Any, ids: list[str]) -> dict[str, DocFeatures]:
    """Features of stored documents (SQLite: three indexed queries for the whole list)."""
    out: dict[str, DocFeatures] = {}
    if not ids:
        return out
    q = store.query
    marks = ",".join("?" * len(ids))
    for r in q(f"SELECT id, lang, event_date, published, event_id, length(text) AS n FROM documents WHERE id IN ({marks})", ids):
        ev = json_value(r["event_date"])
        pub = json_value(r["published"])
        out[r["id"]] = DocFeatures(id=r["id"], lang=r["lang"], date=doc_date(ev, pub), n_words=int(r["n"] or 0) // 6,
                                   event_id=r["event_id"], date_confident=confident(ev, pub),
                                   date_conf=date_confidence(ev, pub))
    pairs: dict[str, list[tuple[str, str]]] = {}
    for r in q(f"SELECT doc_id, entity_id, type FROM mentions WHERE doc_id IN ({marks}) AND entity_id IS NOT NULL", ids):
        pairs.setdefault(r["doc_id"], []).append((r["entity_id"], r["type"]))
    for did, ps in pairs.items():
        if did in out:
            out[did].entities = entity_profile(ps)
    return out


def idf_weights(store: Any, entity_ids: list[str], cache: dict[str, float]) -> dict[str, float]:
    """Inverse document frequency of entities (an entity in every article says little)."""
    missing = [e for e in entity_ids if e not in cache]
    if missing:
        n_docs = int(store.query("SELECT COUNT(*) FROM documents")[0][0]) or 1
        for i in range(0, len(missing), 400):
            chunk = missing[i : i + 400]
            rows = store.query(
                f"SELECT entity_id, COUNT(DISTINCT doc_id) FROM mentions WHERE entity_id IN ({','.join('?' * len(chunk))})"
                " GROUP BY entity_id", chunk)
            df = {r[0]: int(r[1]) for r in rows}
            for e in chunk:
                cache[e] = math.log((n_docs + 1) / (df.get(e, 0) + 1)) + 1.0
    return {e: cache[e] for e in entity_ids}
