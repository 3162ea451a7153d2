"""Record shapes shared by every SQL backend: the SQL that lists each export kind, and the
row → export-shape translation of DESIGN.md's Contracts.

The same logic as ``records.py``, made backend-neutral: SQL is written once and rendered for a
:class:`Dialect` (placeholder, case-insensitive LIKE, where NULLs sort), and rows are read
through a :class:`Reader` (anything with ``dialect`` and ``rows(sql, args)`` returning mapping
rows). JSON columns may come back as text (SQLite) or already parsed (PostgreSQL ``jsonb``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from .base import DocFilter, EventRecord, StoryRecord, TextMatch


@dataclass(frozen=True)
class Dialect:
    param: str  # the placeholder: "?" or "%s"
    ilike: str  # case-insensitive LIKE
    nulls_first: str  # appended to an ascending ORDER BY term so NULLs sort first, as in SQLite
    name: str = "sqlite"  # whose full-text index the text conditions use: "sqlite" (FTS5) or "postgresql"


SQLITE = Dialect(param="?", ilike="LIKE", nulls_first="")
POSTGRES = Dialect(param="%s", ilike="ILIKE", nulls_first=" NULLS FIRST", name="postgresql")
SOURCE_SUBSTRING = 3  # a source filter this long is looked up by its trigrams (shorter: every source is read)


class Reader(Protocol):
    dialect: Dialect

    def rows(self, sql: str, args: Sequence[Any] = ()) -> list[Any]:
        """Rows that support ``row["column"]`` and ``dict(row)``."""
        ...


# the document columns an export needs (raw bytes stay in the store)
DOC_COLS = (
    "id, format, raw_text, text, title, lang, lang_confidence, removed, meta, published, event_date, "
    "event_id, story_id, stage_versions"
)


def loads(v: Any) -> Any:
    """A JSON column's value: parsed from text, or as the driver already parsed it."""
    return json.loads(v) if isinstance(v, str | bytes) else v


def _like_escaped(text: str) -> str:
    """``%text%`` for a LIKE with ``ESCAPE '\\'``: the user's ``%`` and ``_`` are literal."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def source_by_trigrams(source: str) -> bool:
    """True when a source filter can be looked up in a trigram index: three characters or more
    and no line break (the separator of a document's sources in ``doc_sources_fts``)."""
    return len(source) >= SOURCE_SUBSTRING and "\n" not in source and "\r" not in source


def source_where(source: str, d: Dialect, p: str, *, per_row: bool) -> tuple[str, list[Any]]:
    """The source filter: ``source`` is part of a document's source path, URL or outlet, ignoring
    case (``%`` and ``_`` are literal).

    Two forms of one condition. The set form finds the matching documents through an index
    (SQLite: the trigram index ``doc_sources_fts``, which yields document rowids; PostgreSQL:
    ``pg_trgm`` when the server has it), so it costs what they number, not what the corpus holds:
    right for listing a filter's documents. Only a filter shorter than ``SOURCE_SUBSTRING``
    characters (too short for trigrams) or holding a line break (the index's separator) is
    compared with every source. The ``per_row`` form looks up each row's own sources by document
    id: right for checking a few hundred ranked candidates when the filter matches much of the
    corpus."""
    q = d.param
    esc = " ESCAPE '\\'"
    test = f"(s.source {d.ilike} {q}{esc} OR s.url {d.ilike} {q}{esc} OR s.outlet {d.ilike} {q}{esc})"
    args: list[Any] = [_like_escaped(source)] * 3
    if per_row:
        return f"EXISTS (SELECT 1 FROM sources s WHERE s.doc_id = {p}id AND {test})", args
    if d.name == "sqlite" and source_by_trigrams(source):
        from .fts import trigram_phrase

        return f"{p}rowid IN (SELECT rowid FROM doc_sources_fts WHERE doc_sources_fts MATCH {q})", [trigram_phrase(source)]
    return f"{p}id IN (SELECT s.doc_id FROM sources s WHERE {test})", args


def match_where(m: TextMatch, d: Dialect, p: str) -> tuple[str, list[Any]]:
    """The must-match text conditions: FTS5 on SQLite; on PostgreSQL each document's tsvector,
    parsed with the document's own configuration (``pg_fts``)."""
    if d.name == "postgresql":
        from .pg_fts import match_where as pg_match

        return pg_match(m, p, d.param)
    from .fts import fts_match, fts_negative

    expr = fts_match(m)
    if expr:
        return f"{p}rowid IN (SELECT rowid FROM documents_fts WHERE documents_fts MATCH {d.param})", [expr]
    neg = fts_negative(m)
    if neg:
        return f"{p}rowid NOT IN (SELECT rowid FROM documents_fts WHERE documents_fts MATCH {d.param})", [neg]
    return "", []


def doc_where(flt: DocFilter, d: Dialect, alias: str = "", *, per_row: bool = False) -> tuple[str, list[Any]]:
    """WHERE conditions (without the keyword) for a document filter. ``per_row`` renders the
    conditions on other tables (source, entity) as look-ups by the row's own id, for checking
    a few candidate rows; without it they are sets found through their indexes."""
    p, q = (f"{alias}." if alias else ""), d.param
    conds: list[str] = []
    args: list[Any] = []
    if flt.lang:
        conds.append(f"{p}lang = {q}")
        args.append(flt.lang)
    if flt.source:
        sql, a = source_where(flt.source, d, p, per_row=per_row)
        conds.append(sql)
        args += a
    if flt.date_from:
        conds.append(f"{p}published_value >= {q}")
        args.append(flt.date_from)
    if flt.date_to:
        conds.append(f"substr({p}published_value, 1, 10) <= {q}")
        args.append(flt.date_to)
    if flt.entity_id:
        if per_row:
            conds.append(f"EXISTS (SELECT 1 FROM mentions m1 WHERE m1.doc_id = {p}id AND m1.entity_id = {q})")
        else:
            conds.append(f"{p}id IN (SELECT doc_id FROM mentions WHERE entity_id = {q})")
        args.append(flt.entity_id)
    if flt.event_id:
        conds.append(f"{p}event_id = {q}")
        args.append(flt.event_id)
    if flt.story_id:
        conds.append(f"{p}story_id = {q}")
        args.append(flt.story_id)
    if flt.match:
        sql, a = match_where(flt.match, d, p)
        if sql:
            conds.append(sql)
            args += a
    return " AND ".join(conds), args


def select(kind: str, flt: DocFilter, d: Dialect, *, after: str | None, limit: int | None) -> tuple[str, list[Any]]:
    """The SQL listing one export kind in id order, with the filter, keyset page and limit."""
    q = d.param
    conds: list[str] = []
    args: list[Any] = []
    if kind == "documents":
        sql = f"SELECT {DOC_COLS} FROM documents"
        w, a = doc_where(flt, d)
        if w:
            conds.append(w)
            args += a
    elif kind in ("mentions", "quotes", "times"):
        sql = f"SELECT * FROM {kind}"
        w, a = doc_where(DocFilter(**{**flt.__dict__, "ids": None}), d)
        if flt.doc_id:
            conds.append(f"doc_id = {q}")
            args.append(flt.doc_id)
        if w:
            conds.append(f"doc_id IN (SELECT id FROM documents WHERE {w})")
            args += a
        if kind == "mentions" and flt.entity_id:
            conds.append(f"entity_id = {q}")
            args.append(flt.entity_id)
        if kind == "quotes" and flt.entity_id:
            conds.append(f"speaker_entity_id = {q}")
            args.append(flt.entity_id)
    elif kind == "entities":
        sql = "SELECT * FROM entities"
        if flt.lang or flt.source or flt.event_id or flt.story_id or flt.date_from or flt.date_to:
            w, a = doc_where(DocFilter(**{**flt.__dict__, "ids": None, "entity_id": None}), d)
            conds.append(f"id IN (SELECT entity_id FROM mentions WHERE doc_id IN (SELECT id FROM documents WHERE {w}))")
            args += a
    elif kind == "events":
        sql = "SELECT * FROM events"
        if flt.story_id:
            conds.append(f"story_id = {q}")
            args.append(flt.story_id)
        if flt.entity_id:
            conds.append("id IN (SELECT d.event_id FROM documents d JOIN mentions m ON m.doc_id = d.id "
                         f"WHERE m.entity_id = {q})")
            args.append(flt.entity_id)
        if flt.date_from:
            conds.append(f"date >= {q}")
            args.append(flt.date_from)
        if flt.date_to:
            conds.append(f"substr(date, 1, 10) <= {q}")
            args.append(flt.date_to)
    elif kind == "stories":
        sql = "SELECT * FROM stories"
        if flt.entity_id:
            conds.append("id IN (SELECT d.story_id FROM documents d JOIN mentions m ON m.doc_id = d.id "
                         f"WHERE m.entity_id = {q})")
            args.append(flt.entity_id)
    elif kind == "links":
        sql = "SELECT * FROM links"
    else:
        raise ValueError(kind)
    if flt.ids is not None:
        conds.append(f"id IN ({','.join([q] * len(flt.ids))})" if flt.ids else "1 = 0")
        args += flt.ids
    if after:
        conds.append(f"id > {q}")
        args.append(after)
    if conds:
        sql += " WHERE " + " AND ".join(conds)
    sql += " ORDER BY id"
    if limit is not None:
        sql += f" LIMIT {q}"
        args.append(int(limit))
    return sql, args


def sources(rd: Reader, doc_id: str) -> list[dict[str, Any]]:
    rows = rd.rows(
        "SELECT source, url, outlet, author, published, lang, title, extra FROM sources "
        f"WHERE doc_id={rd.dialect.param} ORDER BY seq", (doc_id,),
    )
    out = []
    for r in rows:
        d = {k: r[k] for k in ("source", "url", "outlet", "author", "published", "lang", "title") if r[k] is not None}
        extra = loads(r["extra"])
        if extra:
            d["extra"] = extra
        out.append(d)
    return out


def published(raw: Any) -> dict[str, Any]:
    d = loads(raw) if raw else None
    if not d:
        return {"value": None, "earliest": None, "latest": None, "source": None, "evidence": []}
    return {
        "value": d.get("value"), "earliest": d.get("earliest"), "latest": d.get("latest"),
        "source": d.get("source"), "evidence": d.get("evidence", []),
        "confidence": d.get("confidence"), "granularity": d.get("granularity"),
    }


def shape(rd: Reader, kind: str, row: Any) -> dict[str, Any]:
    """One row of ``select(kind, ...)`` in its export shape."""
    r = dict(row)
    if kind == "documents":
        srcs = sources(rd, r["id"])
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
            "removed": loads(r["removed"]),
            "published": published(r["published"]),
            "event_date": published(r["event_date"]) if r["event_date"] else None,
            "event_id": r["event_id"],
            "story_id": r["story_id"],
            "meta": {k: v for k, v in loads(r["meta"]).items() if k != "offset_map"},
            "stage_versions": loads(r["stage_versions"]),
        }
    if kind == "entities":
        by_lang: dict[str, list[str]] = loads(r["aliases"])
        flat: list[str] = []
        for forms in by_lang.values():
            flat.extend(f for f in forms if f not in flat and f != r["name"])
        n = rd.rows("SELECT COUNT(*) AS n, COUNT(DISTINCT doc_id) AS d FROM mentions "
                    f"WHERE entity_id={rd.dialect.param}", (r["id"],))[0]
        return {
            "id": r["id"], "key": r["key"], "name": r["name"], "type": r["type"], "aliases": flat,
            "aliases_by_lang": by_lang, "mention_count": int(n["n"]), "document_count": int(n["d"]),
            "meta": loads(r["meta"]),
        }
    if kind == "events":
        ev = event_dict(event_record(rd, row))
        names = entity_names(rd, [*ev["participants"], *([ev["place"]] if ev["place"] else [])])
        ev["place_id"] = ev["place"]
        ev["place"] = names.get(ev["place"], ev["place"]) if ev["place"] else None
        ev["participant_names"] = [names.get(e, e) for e in ev["participants"]]
        ev["meta"] = {k: v for k, v in ev["meta"].items() if k != "centroid"}  # a vector, not for export
        return ev
    if kind == "stories":
        st = story_record(row)
        names = entity_names(rd, st.actors)
        return {"id": st.id, "title": st.title, "event_ids": st.event_ids, "actors": st.actors,
                "actor_names": [names.get(a, a) for a in st.actors], "meta": st.meta}
    return r


def entity_names(rd: Reader, ids: list[str]) -> dict[str, str]:
    """Canonical names of the given entity ids (ids that are not entities are left out)."""
    uniq = sorted(set(ids))
    if not uniq:
        return {}
    marks = ",".join([rd.dialect.param] * len(uniq))
    return {x["id"]: x["name"] for x in rd.rows(f"SELECT id, name FROM entities WHERE id IN ({marks})", uniq)}


def event_record(rd: Reader, row: Any) -> EventRecord:
    r = dict(row)
    docs = rd.rows(f"SELECT id FROM documents WHERE event_id={rd.dialect.param} "
                   f"ORDER BY published_value{rd.dialect.nulls_first}, id", (r["id"],))
    return EventRecord(
        id=r["id"], doc_ids=[x["id"] for x in docs], title=r["title"], date=r["date"], date_start=r["date_start"],
        date_end=r["date_end"], place=r["place"], participants=loads(r["participants"]), summary=r["summary"],
        story_id=r["story_id"], meta=loads(r["meta"]),
    )


def event_dict(ev: EventRecord) -> dict[str, Any]:
    return {
        "id": ev.id, "doc_ids": ev.doc_ids, "title": ev.title, "date": ev.date, "date_start": ev.date_start,
        "date_end": ev.date_end, "place": ev.place, "participants": ev.participants, "summary": ev.summary,
        "story_id": ev.story_id, "meta": ev.meta,
    }


def story_record(row: Any) -> StoryRecord:
    r = dict(row)
    return StoryRecord(id=r["id"], event_ids=loads(r["event_ids"]), title=r["title"],
                       actors=loads(r["actors"]), meta=loads(r["meta"]))


def first_record(records: Any, kind: str, ident: str) -> dict[str, Any]:
    """The one record an id lookup found, or NotFoundError naming the kind."""
    from ..errors import NotFoundError

    for rec in records:
        return dict(rec)
    raise NotFoundError(kind.rstrip("s") if kind != "stories" else "story", ident)
