"""Backend-neutral SQL for the search and UI queries: written with ``?`` placeholders, run through
the store's ``rows()`` reader in its own dialect (SQLite ``?``, PostgreSQL ``%s``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..store import DocFilter
from ..store.shapes import SQLITE, Dialect, doc_where


def dialect(store: Any) -> Dialect:
    d = getattr(store, "dialect", None)
    return d if isinstance(d, Dialect) else SQLITE


def rows(store: Any, sql: str, args: Iterable[Any] = ()) -> list[Any]:
    """Rows of a read query; ``?`` placeholders become the store's own."""
    d = dialect(store)
    if d.param != "?":
        sql = sql.replace("?", d.param)
    reader = getattr(store, "rows", None) or store._q
    return list(reader(sql, list(args)))


def where(store: Any, flt: DocFilter | None, alias: str = "d") -> tuple[str, list[Any]]:
    """WHERE conditions for a document filter, with ``?`` placeholders (see :func:`rows`)."""
    sql, args = doc_where(flt or DocFilter(), SQLITE, alias=alias)
    return sql, args
