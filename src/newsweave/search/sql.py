"""Backend-neutral SQL for the search and UI queries: written with ``?`` placeholders and run through
the store's neutral ``query()`` (SQLite as is; PostgreSQL translates the placeholders), so rows
read by position or by column name on every backend."""

from __future__ import annotations

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


def where(store: Any, flt: DocFilter | None, alias: str = "d") -> tuple[str, list[Any]]:
    """WHERE conditions for a document filter, with ``?`` placeholders (see :func:`rows`) and the
    store's own case-insensitive LIKE."""
    sql, args = doc_where(flt or DocFilter(), replace(dialect(store), param="?"), alias=alias)
    return sql, args
