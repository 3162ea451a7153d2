"""Events, online: a new document joins the event its nearest neighbours belong to, or opens one.

The decision looks only at a bounded neighbourhood: the ``k`` nearest documents from the ANN
index (cosine ≥ ``candidate_min``) and the events they belong to. For each candidate event:

    score = 0.7·max cosine + 0.3·mean of its three best cosines       (what the texts say)
          + entity_weight · (entity-profile cosine − entity_pivot)   (who; canonical ids, so
                                                                       across languages)
          + place bonus / penalty, + a small bonus for the same day
and a rule on time: when both sides have a reported date, more than ``max_gap_days`` between
them vetoes the join (two summits a year apart are two events however alike their texts). Dates
differ in how sure they are, though: a publication date given by metadata, a byline or the page
is sure; one the dating stage guessed from the content may be weeks off. So the veto is hard
only when the event's date stands on a sure member and the new date is not a mere guess
(confidence ≥ ``guess_below``); otherwise a gap up to ``unsure_gap_days`` is allowed to a strong
link (score ≥ ``join_unsure``), and the event's date is then taken from its sure members. The
bar is ``join`` when dates confirm the match, ``join_alone`` (much higher, roughly "translation
or copy") when they cannot: with embeddings alone only near-copies merge.

A near-duplicate or translation of a member joins that member's event directly. Documents too
short to compare, or with no vector, open an event of their own that nothing else joins, with
the reason in ``EventRecord.meta["reason"]``.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ..model import stable_id
from ..store import EventRecord
from ..store.base import json_value
from .features import DateSpan, DocFeatures, parse_day, weighted_cosine

# languages the default encoder (multilingual USE v3) was trained on
USE_LANGS = frozenset(["ar", "de", "en", "es", "fr", "it", "ja", "ko", "nl", "pl", "pt", "ru", "th", "tr", "zh"])
MAX_PROFILE = 60  # entities kept in an event's profile
MAX_DAYS = 400  # member dates kept for the median


@dataclass
class EventParams:
    k: int = 30
    candidate_min: float = 0.40
    join: float = 0.52
    join_alone: float = 0.80
    max_gap_days: int = 3
    unsure_gap_days: int = 30  # when one side's date was guessed from content: a longer gap ...
    join_unsure: float = 0.68  # ... if the link is strong (about "same story, other wording")
    guess_below: float = 0.5  # a date the dating stage rates below this is a guess
    linked_max_gap_days: int = 7  # for a near-duplicate or translation of a member
    entity_weight: float = 0.30
    entity_pivot: float = 0.25
    place_bonus: float = 0.03
    same_day_bonus: float = 0.03
    min_words: int = 8
    covered_langs: frozenset[str] = field(default_factory=lambda: USE_LANGS)


@dataclass
class Decision:
    event_id: str | None  # None: open a new event
    score: float
    reason: str


def event_sure(ev: EventRecord) -> bool:
    """Whether the event's date stands on a member with a given (or confidently inferred) date."""
    return bool(ev.meta.get("sure_days"))


def event_span(ev: EventRecord) -> DateSpan | None:
    lo, hi, best = parse_day(ev.date_start), parse_day(ev.date_end), parse_day(ev.date)
    if best is None:
        return None
    return DateSpan(best, lo or best, hi or best)


def is_open(ev: EventRecord) -> bool:
    return bool(ev.meta.get("open", True))


def decide(
    new: DocFeatures, neighbours: list[tuple[str, float]], cand: dict[str, DocFeatures],
    events: dict[str, EventRecord], linked: dict[str, str], p: EventParams,
) -> Decision:
    """Where ``new`` goes. ``linked`` maps an event id to the reason a copy link points there."""
    if new.n_words < p.min_words:
        return Decision(None, 0.0, f"too short to compare ({new.n_words} words): an event of its own")
    for eid, why in linked.items():
        ev = events.get(eid)
        if ev is None or not is_open(ev):
            continue
        span = event_span(ev)  # a copy or translation was checked already; only a far date vetoes it
        if (new.date and span and new.date_confident and new.date.precise and span.precise
                and new.date.gap(span) > p.linked_max_gap_days):
            continue
        return Decision(eid, 1.0, why)
    covered = new.lang in p.covered_langs
    by_event: dict[str, list[float]] = {}
    for did, cos in neighbours:
        f = cand.get(did)
        if f is None or f.event_id is None or did == new.id or cos < p.candidate_min:
            continue
        if not covered and f.lang != new.lang:
            continue  # the encoder does not map this language reliably onto the others
        by_event.setdefault(f.event_id, []).append(cos)
    best = Decision(None, 0.0, "no similar event")
    for eid, sims in by_event.items():
        ev = events.get(eid)
        if ev is None or not is_open(ev):
            continue
        sims.sort(reverse=True)
        score = 0.7 * sims[0] + 0.3 * (sum(sims[:3]) / len(sims[:3]))
        notes = [f"cos {sims[0]:.2f}"]
        span = event_span(ev)
        dated = False
        far = False
        if new.date and span:
            gap = new.date.gap(span)
            if gap > p.max_gap_days:
                # dates days apart are two happenings, unless the event's date is only guessed
                # (a sure member may correct it) or the new date is less likely right than wrong
                if gap > p.unsure_gap_days or (event_sure(ev) and new.date_conf >= p.guess_below):
                    continue
                far = True
            dated = new.date.precise and span.precise
            if gap <= 1 and dated:
                score += p.same_day_bonus
            notes.append(f"{gap} days apart" + (" (an unsure date)" if far else ""))
        profile = ev.meta.get("entities") or {}
        if new.entities and profile:
            ent = weighted_cosine(new.entities, profile)
            score += p.entity_weight * (ent - p.entity_pivot)
            notes.append(f"entities {ent:.2f}")
        place = ev.place
        if new.place and place:
            score += p.place_bonus if new.place == place else -p.place_bonus
        bar = p.join if dated else p.join_alone
        if far:
            bar = max(bar, p.join_unsure)
        if not covered:
            bar += 0.05
        if score >= bar and score > best.score:
            best = Decision(eid, score, f"joined: score {score:.2f} ≥ {bar:.2f} ({', '.join(notes)})")
    if best.event_id is None and by_event:
        best.reason = "no candidate event passed the bar"
    if best.event_id is None and not covered:
        best.reason += f"; language {new.lang!r} is not covered by the embedding model: same-language matches only"
    return best


# -- event records ---------------------------------------------------------------------------------


def new_event(f: DocFeatures, reason: str, *, closed: bool = False) -> EventRecord:
    ev = EventRecord(id=stable_id("event", f.id), doc_ids=[f.id], meta={"reason": reason, "n": 0, "open": not closed})
    absorb(ev, f)
    return ev


def absorb(ev: EventRecord, f: DocFeatures) -> None:
    """Fold one member's features into an event's record (profile, dates, languages, place)."""
    m = ev.meta
    m["n"] = int(m.get("n", 0)) + 1
    prof: dict[str, float] = dict(m.get("entities") or {})
    for k, w in f.entities.items():
        prof[k] = prof.get(k, 0.0) + w
    if len(prof) > MAX_PROFILE:
        prof = dict(sorted(prof.items(), key=lambda kv: -kv[1])[:MAX_PROFILE])
    m["entities"] = {k: round(v, 3) for k, v in prof.items()}
    langs = dict(m.get("langs") or {})
    langs[f.lang] = langs.get(f.lang, 0) + 1
    m["langs"] = langs
    if f.place:  # each member votes for its place with the strength of its evidence
        places = dict(m.get("places") or {})
        places[f.place] = round(places.get(f.place, 0) + (f.place_score or 1.0), 3)
        m["places"] = places
        ev.place = max(places.items(), key=lambda kv: (kv[1], kv[0]))[0]
    if f.date is not None:
        # precise member dates make the event's span; vague ones (a year, a season) only when
        # there is nothing better, so one vaguely dated member cannot stretch an event over years
        keys = ["days", "sure_days"] if f.date.precise and f.date_confident else ["days" if f.date.precise else "ranges"]
        for key in keys:
            vals = list(m.get(key) or [])
            if len(vals) < MAX_DAYS:
                vals.append(f.date.best.isoformat() if f.date.precise
                            else [f.date.earliest.isoformat(), f.date.latest.isoformat()])
            m[key] = vals
        _set_span(ev)
    if f.id not in ev.doc_ids:
        ev.doc_ids.append(f.id)


def _set_span(ev: EventRecord) -> None:
    # members with a given date make the span when there are any: a guessed date weeks off must
    # not drag the event's date (or its place in a story's timeline) away
    days = ev.meta.get("sure_days") or ev.meta.get("days") or []
    if days:
        ordinals = sorted(date.fromisoformat(d).toordinal() for d in days)
        ev.date_start = date.fromordinal(ordinals[0]).isoformat()
        ev.date_end = date.fromordinal(ordinals[-1]).isoformat()
        ev.date = date.fromordinal(int(statistics.median_low(ordinals))).isoformat()
        return
    ranges = ev.meta.get("ranges") or []
    if ranges:
        lo = max(date.fromisoformat(a) for a, _ in ranges)  # what every member's range allows
        hi = min(date.fromisoformat(b) for _, b in ranges)
        if lo > hi:
            lo, hi = min(date.fromisoformat(a) for a, _ in ranges), max(date.fromisoformat(b) for _, b in ranges)
        ev.date_start, ev.date_end = lo.isoformat(), hi.isoformat()
        ev.date = (lo + (hi - lo) / 2).isoformat()


def participants(ev: EventRecord, types: dict[str, str], limit: int = 12) -> list[str]:
    """The event's main actors: persons and organisations by weight (places apart)."""
    prof: dict[str, float] = ev.meta.get("entities") or {}
    ranked = sorted(prof.items(), key=lambda kv: -kv[1])
    return [k for k, _ in ranked if types.get(k, "PER") in ("PER", "ORG")][:limit]


def entity_types(store: Any, ids: list[str]) -> dict[str, str]:
    if not ids:
        return {}
    rows = store.query(f"SELECT id, type FROM entities WHERE id IN ({','.join('?' * len(ids))})", ids)
    return {r[0]: r[1] for r in rows}


def load_events(store: Any, ids: list[str]) -> dict[str, EventRecord]:
    """Event records by id, as ``store.get_event`` gives them, in two queries for the whole list
    (``get_event`` costs two per event: a round trip each on a server)."""
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    out: dict[str, EventRecord] = {}
    for r in store.query(f"SELECT * FROM events WHERE id IN ({marks})", ids):
        out[r["id"]] = EventRecord(
            id=r["id"], doc_ids=[], title=r["title"], date=r["date"], date_start=r["date_start"],
            date_end=r["date_end"], place=r["place"], participants=json_value(r["participants"]),
            summary=r["summary"], story_id=r["story_id"], meta=json_value(r["meta"]))
    if out:
        nulls_first = store.dialect.nulls_first
        for r in store.query(f"SELECT id, event_id FROM documents WHERE event_id IN ({marks}) "
                             f"ORDER BY published_value{nulls_first}, id", ids):
            out[r["event_id"]].doc_ids.append(r["id"])
    return out
