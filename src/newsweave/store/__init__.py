"""Storage: the Store protocol and its backends. ``open_store(url)`` picks one by URL."""

from __future__ import annotations

import os
from pathlib import Path

from .base import KINDS, DocFilter, EventRecord, LinkRecord, Store, StoryRecord, TextMatch, WriteResult

__all__ = ["KINDS", "DocFilter", "EventRecord", "LinkRecord", "Store", "StoryRecord", "TextMatch", "WriteResult",
           "open_store"]

DEFAULT_DB = "newsweave.db"


def default_url() -> str:
    return os.environ.get("NEWSWEAVE_DB") or DEFAULT_DB


def open_store(url: str | Path | None = None) -> Store:
    """Open the store at ``url``: a file path (SQLite) or a ``postgresql://`` URL."""
    u = str(url) if url else default_url()
    if u.startswith(("postgresql://", "postgres://")):
        from .postgres import PostgresStore

        return PostgresStore(u)
    from .sqlite import SQLiteStore

    return SQLiteStore(u)
