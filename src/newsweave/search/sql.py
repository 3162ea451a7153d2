"""Backend-neutral SQL for the search and UI queries: written with ``?`` placeholders and run through
the store's neutral ``query()`` (SQLite as is; PostgreSQL translates the placeholders), so rows
read by position or by column name on every backend."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from ..store import DocFilter
from ..store.shapes import SQLITE, Dialect, doc_where


def dialect(store: Any) -> Dialect:
    d = getattr(store, "dialect", None)
    return d if isinstance(d, Dialect) else SQLITE


def rows(store: Any, sql: str, args: Iterable[Any] = ()) -> list[Any]:
    """Rows of a read query with ``?`` placeholders, on any store."""
    query = getattr(store, "query", None)
    if callable(query):
        return list(query(sql, list(args)))
    d = dialect(store)  # a store without neutral reads: its own placeholders
    if d.param != "?":
        sql = sql.replace("?", d.param)
    reader = getattr(store, "rows", None) or store._q
    return list(reader(sql, list(args)))


def where(store: Any, flt: DocFilter | None, alias: str = "d", *, per_row: bool = False) -> tuple[str, list[Any]]:
    """WHERE conditions for a document filter, with ``?`` placeholders (see :func:`rows`) and the
    store's own case-insensitive LIKE; ``per_row`` for checking candidates one by one (see
    ``store.shapes.doc_where``)."""
    sql, args = doc_where(flt or DocFilter(), replace(dialect(store), param="?"), alias=alias, per_row=per_row)
    return sql, args


def card(store: Any) -> str:
    """On SQLite, the index hint that makes a look-up of documents by id read the narrow covering
    index (id, lang, published_value, event_id, story_id), never the wide rows, and keeps the
    planner from scanning a filter column's index instead (it has no statistics to know better)."""
    return " INDEXED BY documents_card" if dialect(store) is SQLITE else ""


def passing(store: Any, ids: list[str], cond: str, args: list[Any]) -> list[str]:
    """The ids (order kept) of documents that pass ``cond`` (from :func:`where`)."""
    if not ids or not cond:
        return ids
    keep: set[str] = set()
    table = f"documents d{card(store)}"
    if dialect(store) is SQLITE:  # one JSON parameter, however many ids
        found = rows(store, f"SELECT d.id FROM {table} WHERE d.id IN (SELECT value FROM json_each(?)) AND {cond}",
                     [json.dumps(ids), *args])
        keep = {r[0] for r in found}
        return [d for d in ids if d in keep]
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        found = rows(store, f"SELECT d.id FROM {table} WHERE d.id IN ({','.join('?' * len(chunk))}) AND {cond}",
                     [*chunk, *args])
        keep.update(r[0] for r in found)
    return [d for d in ids if d in keep]


def change_token(store: Any) -> Any:
    """Something that differs whenever the store's database may have changed, at the cost of one
    pragma: on SQLite the commits of other connections (``data_version``) and the rows this
    connection changed (``total_changes``); None (always "may have changed") elsewhere. Caches
    keyed on it skip their own, dearer, signature queries while nothing is written."""
    conn = getattr(store, "conn", None)
    lock = getattr(store, "_lock", None)
    if conn is None or lock is None:
        return None
    with lock:
        return int(conn.execute("PRAGMA data_version").fetchone()[0]), int(conn.total_changes)
