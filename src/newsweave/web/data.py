"""What each web page shows, gathered from the store (no HTML here; see ``routes.py``)."""

from __future__ import annotations

from typing import Any

from .. import api, query
from ..errors import NotFoundError
from ..search.sql import rows
from ..store import DocFilter
from .markup import Span


def entity_names(store: Any, ids: set[str]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    if ids:
        for e in store.iter_records("entities", DocFilter(ids=sorted(ids))):
            out[e["id"]] = e
    return out


def document_page(store: Any, doc_id: str) -> dict[str, Any]:
    d = api.show(store, doc_id)
    ents = entity_names(store, {m["entity_id"] for m in d["mentions"] if m.get("entity_id")}
                        | {q["speaker_entity_id"] for q in d["quotes"] if q.get("speaker_entity_id")})
    ev_href = f"/events/{d['event_id']}" if d.get("event_id") else None
    spans: list[Span] = []
    for q in d["quotes"]:
        sp = ents.get(q.get("speaker_entity_id") or "")
        who = sp["name"] if sp else (q.get("speaker_text") or "unknown speaker")
        spans.append(Span(q["start"], q["end"], f"quote {q['kind']}", href=f"/entities/{sp['id']}" if sp else None,
                          title=f"{q['kind']} quote — {who}" + (f" ({q['cue']})" if q.get("cue") else "")))
    for m in d["mentions"]:
        e = ents.get(m.get("entity_id") or "")
        cls = "role" if m["type"] == "ROLE" else f"mention {m['type'].lower()}"
        title = f"{m['type']}: {e['name']}" if e else f"{m['type']} (not linked)"
        spans.append(Span(m["start"], m["end"], cls, href=f"/entities/{e['id']}" if e else None, title=title,
                          data={"entity": e["id"]} if e else {}))
    for t in d["times"]:
        spans.append(Span(t["start"], t["end"], "time", href=ev_href,
                          title=f"{t['type']} {t.get('value') or '?'}", data={"value": str(t.get("value") or "")}))
    removed = [Span(r["start"], r["end"], "removed", title=f"removed: {r['reason']}") for r in d["removed"]]
    people = sorted(ents.values(), key=lambda e: (e["type"], e["name"]))
    return {"doc": d, "spans": spans, "removed_spans": removed, "entities": people, "ents": ents}


def _months(lo: str, hi: str) -> list[str]:
    y, m = int(lo[:4]), int(lo[5:7])
    out: list[str] = []
    while f"{y:04d}-{m:02d}" <= hi and len(out) < 600:
        out.append(f"{y:04d}-{m:02d}")
        m += 1
        if m > 12:
            y, m = y + 1, 1
    return out


def mentions_over_time(store: Any, entity_id: str) -> list[tuple[str, int]]:
    """Mentions per month (per year when the span is over four years) by publication date."""
    found = rows(
        store,
        "SELECT substr(d.published_value, 1, 7) AS ym, COUNT(*) FROM mentions m JOIN documents d ON d.id = m.doc_id "
        "WHERE m.entity_id = ? AND d.published_value IS NOT NULL GROUP BY ym ORDER BY ym", (entity_id,))
    counts = {r[0]: int(r[1]) for r in found if r[0] and len(r[0]) == 7}
    if not counts:
        return []
    lo, hi = min(counts), max(counts)
    if int(hi[:4]) - int(lo[:4]) > 4:
        years: dict[str, int] = {}
        for k, n in counts.items():
            years[k[:4]] = years.get(k[:4], 0) + n
        return [(str(y), years.get(str(y), 0)) for y in range(int(lo[:4]), int(hi[:4]) + 1)]
    return [(ym, counts.get(ym, 0)) for ym in _months(lo, hi)]


def entity_page(store: Any, entity_id: str) -> dict[str, Any]:
    e = store.get_record("entities", entity_id)
    quotes = list(store.iter_records("quotes", DocFilter(entity_id=entity_id), limit=100))
    docs = rows(
        store,
        "SELECT d.id, d.title, d.lang, d.published_value, COUNT(*) AS n, substr(d.text, 1, 160) AS lead "
        "FROM mentions m JOIN documents d ON d.id = m.doc_id WHERE m.entity_id = ? "
        "GROUP BY d.id ORDER BY d.published_value, d.id LIMIT 200", (entity_id,))
    co = rows(
        store,
        "SELECT e.id, e.name, e.type, COUNT(DISTINCT m2.doc_id) AS n FROM mentions m1 "
        "JOIN mentions m2 ON m2.doc_id = m1.doc_id AND m2.entity_id != m1.entity_id "
        "JOIN entities e ON e.id = m2.entity_id WHERE m1.entity_id = ? "
        "GROUP BY e.id ORDER BY n DESC, e.name LIMIT 15", (entity_id,))
    events = query.events(store, DocFilter(entity_id=entity_id), limit=50)
    return {
        "entity": e, "quotes": quotes, "docs": [dict(r) for r in docs], "cooccurring": [dict(r) for r in co],
        "events": events, "chart": mentions_over_time(store, entity_id),
    }


def event_page(store: Any, event_id: str) -> dict[str, Any]:
    ev = store.get_record("events", event_id)
    docs = []
    for did in ev["doc_ids"]:
        try:
            docs.append(store.get_record("documents", did))
        except NotFoundError:
            continue
    docs.sort(key=lambda d: (d["lang"], d["published"].get("value") or "", d["id"]))
    place = ev.get("place_id")
    ents = entity_names(store, set(ev.get("participants") or []) | ({place} if place else set()))
    place_entity = ents.get(place) if place else None
    if place_entity and place not in (ev.get("participants") or []):
        del ents[place]
    story = None
    if ev.get("story_id"):
        try:
            story = store.get_record("stories", ev["story_id"])
        except NotFoundError:
            story = None
    return {"event": ev, "docs": docs, "participants": list(ents.values()), "story": story, "place": place_entity,
            "langs": sorted({d["lang"] for d in docs})}


def story_page(store: Any, story_id: str) -> dict[str, Any]:
    st = store.get_record("stories", story_id)
    tl = query.timeline(store, story_id)
    events = []
    for eid in st["event_ids"]:
        try:
            events.append(store.get_record("events", eid))
        except NotFoundError:
            continue
    actors = entity_names(store, set(st.get("actors") or []))
    entries = [{"date": e.get("date"), "label": e.get("summary") or e.get("title") or "",
                "href": f"/events/{e['event_id']}" if e.get("event_id") else None} for e in tl.get("entries", [])]
    return {"story": st, "timeline": tl, "entries": entries, "events": events, "actors": list(actors.values())}

