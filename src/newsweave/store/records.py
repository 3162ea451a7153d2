"""SQL for listing each export kind, and the row → export-shape translation (DESIGN Contracts)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from .base import DocFilter, EventRecord, StoryRecord

if TYPE_CHECKING:
    from .sqlite import SQLiteStore

# the document columns an export needs (raw bytes stay in the store)
_DOC_COLS = (
    "id, format, raw_text, text, title, lang, lang_confidence, removed, meta, published, event_date, "
    "event_id, story_id, stage_versions, created_at"
)


def doc_where(flt: DocFilter, alias: str = "") -> tuple[str, list[Any]]:
    """WHERE conditions (without the keyword) for a document filter."""
    p = f"{alias}." if alias else ""
    conds: list[str] = []
    args: list[Any] = []
    if flt.lang:
        conds.append(f"{p}lang = ?")
        args.append(flt.lang)
    if flt.source:
        conds.append(f"{p}id IN (SELECT doc_id FROM sources WHERE source LIKE ? OR url LIKE ? OR outlet LIKE ?)")
        args += [f"%{flt.source}%"] * 3
    if flt.date_from:
        conds.append(f"{p}published_value >= ?")
        args.append(flt.date_from)
    if flt.date_to:
        conds.append(f"substr({p}published_value, 1, 10) <= ?")
        args.append(flt.date_to)
    if flt.entity_id:
        conds.append(f"{p}id IN (SELECT doc_id FROM mentions WHERE entity_id = ?)")
        args.append(flt.entity_id)
    if flt.event_id:
        conds.append(f"{p}event_id = ?")
        args.append(flt.event_id)
    if flt.story_id:
        conds.append(f"{p}story_id = ?")
        args.append(flt.story_id)
    return " AND ".join(conds), args


def select(kind: str, flt: DocFilter, *, after: str | None, limit: int | None) -> tuple[str, list[Any]]:
    conds: list[str] = []
    args: list[Any] = []
    if kind == "documents":
        sql = f"SELECT {_DOC_COLS} FROM documents"
        w, a = doc_where(flt)
        if w:
            conds.append(w)
            args += a
    elif kind in ("mentions", "quotes", "times"):
        sql = f"SELECT * FROM {kind}"
        w, a = doc_where(DocFilter(**{**flt.__dict__, "ids": None}))
        if flt.doc_id:
            conds.append("doc_id = ?")
            args.append(flt.doc_id)
        if w:
            conds.append(f"doc_id IN (SELECT id FROM documents WHERE {w})")
            args += a
        if kind == "mentions" and flt.entity_id:
            conds.append("entity_id = ?")
            args.append(flt.entity_id)
        if kind == "quotes" and flt.entity_id:
            conds.append("speaker_entity_id = ?")
            args.append(flt.entity_id)
    elif kind == "entities":
        sql = "SELECT * FROM entities"
        if flt.lang or flt.source or flt.event_id or flt.story_id or flt.date_from or flt.date_to:
            w, a = doc_where(DocFilter(**{**flt.__dict__, "ids": None, "entity_id": None}))
            conds.append(f"id IN (SELECT entity_id FROM mentions WHERE doc_id IN (SELECT id FROM documents WHERE {w}))")
            args += a
    elif kind == "events":
        sql = "SELECT * FROM events"
        if flt.story_id:
            conds.append("story_id = ?")
            args.append(flt.story_id)
        if flt.entity_id:
            conds.append("id IN (SELECT d.event_id FROM documents d JOIN mentions m ON m.doc_id = d.id WHERE m.entity_id = ?)")
            args.append(flt.entity_id)
        if flt.date_from:
            conds.append("date >= ?")
            args.append(flt.date_from)
        if flt.date_to:
            conds.append("substr(date, 1, 10) <= ?")
            args.append(flt.date_to)
    elif kind == "stories":
        sql = "SELECT * FROM stories"
        if flt.entity_id:
            conds.append("id IN (SELECT d.story_id FROM documents d JOIN mentions m ON m.doc_id = d.id WHERE m.entity_id = ?)")
            args.append(flt.entity_id)
    elif kind == "links":
        sql = "SELECT * FROM links"
    else:  # pragma: no cover - checked by the caller
        raise ValueError(kind)
    if flt.ids is not None:
        conds.append(f"id IN ({','.join('?' * len(flt.ids))})")
        args += flt.ids
    if after:
        conds.append("id > ?")
        args.append(after)
    if conds:
        sql += " WHERE " + " AND ".join(conds)
    sql += " ORDER BY id"
    if limit is not None:
        sql += " LIMIT ?"
        args.append(int(limit))
    return sql, args


def _sources(store: SQLiteStore, doc_id: str) -> list[dict[str, Any]]:
    rows = store._q(
        "SELECT source, url, outlet, author, published, lang, title, extra FROM sources WHERE doc_id=? ORDER BY seq",
        (doc_id,),
    )
    out = []
    for r in rows:
        d = {k: r[k] for k in ("source", "url", "outlet", "author", "published", "lang", "title") if r[k] is not None}
        extra = json.loads(r["extra"])
        if extra:
            d["extra"] = extra
        out.append(d)
    return out


def _published(raw: str | None) -> dict[str, Any]:
    if not raw:
        return {"value": None, "earliest": None, "latest": None, "source": None, "evidence": []}
    d = json.loads(raw)
    return {
        "value": d.get("value"), "earliest": d.get("earliest"), "latest": d.get("latest"),
        "source": d.get("source"), "evidence": d.get("evidence", []),
        "confidence": d.get("confidence"), "granularity": d.get("granularity"),
    }


def shape(store: SQLiteStore, kind: str, row: Any) -> dict[str, Any]:
    r = dict(row)
    if kind == "documents":
        srcs = _sources(store, r["id"])
        return {
            "id": r["id"],
            "source": srcs[0]["source"] if srcs else None,
            "sources": srcs,
            "format": r["format"],
            "lang": r["lang"],
            "lang_confidence": r["lang_confidence"],
            "title": r["title"],
            "text": r["text"],
            "raw_text": r["raw_text"],
            "removed": json.loads(r["removed"]),
            "published": _published(r["published"]),
            "event_date": _published(r["event_date"]) if r["event_date"] else None,
            "event_id": r["event_id"],
            "story_id": r["story_id"],
            "meta": {k: v for k, v in json.loads(r["meta"]).items() if k != "offset_map"},
            "stage_versions": json.loads(r["stage_versions"]),
        }
    if kind == "entities":
        by_lang: dict[str, list[str]] = json.loads(r["aliases"])
        flat: list[str] = []
        for forms in by_lang.values():
            flat.extend(f for f in forms if f not in flat and f != r["name"])
        n = store._q("SELECT COUNT(*), COUNT(DISTINCT doc_id) FROM mentions WHERE entity_id=?", (r["id"],))[0]
        return {
            "id": r["id"], "key": r["key"], "name": r["name"], "type": r["type"], "aliases": flat,
            "aliases_by_lang": by_lang, "mention_count": n[0], "document_count": n[1],
            "meta": json.loads(r["meta"]),
        }
    if kind == "events":
        return event_dict(event_record(store, row))
    if kind == "stories":
        st = story_record(row)
        return {"id": st.id, "title": st.title, "event_ids": st.event_ids, "actors": st.actors, "meta": st.meta}
    return r


def event_record(store: SQLiteStore, row: Any) -> EventRecord:
    r = dict(row)
    docs = store._q("SELECT id FROM documents WHERE event_id=? ORDER BY published_value, id", (r["id"],))
    return EventRecord(
        id=r["id"], doc_ids=[d[0] for d in docs], title=r["title"], date=r["date"], date_start=r["date_start"],
        date_end=r["date_end"], place=r["place"], participants=json.loads(r["participants"]), summary=r["summary"],
        story_id=r["story_id"], meta=json.loads(r["meta"]),
    )


def event_dict(ev: EventRecord) -> dict[str, Any]:
    return {
        "id": ev.id, "doc_ids": ev.doc_ids, "title": ev.title, "date": ev.date, "date_start": ev.date_start,
        "date_end": ev.date_end, "place": ev.place, "participants": ev.participants, "summary": ev.summary,
        "story_id": ev.story_id, "meta": ev.meta,
    }


def story_record(row: Any) -> StoryRecord:
    r = dict(row)
    return StoryRecord(id=r["id"], event_ids=json.loads(r["event_ids"]), title=r["title"],
                       actors=json.loads(r["actors"]), meta=json.loads(r["meta"]))
