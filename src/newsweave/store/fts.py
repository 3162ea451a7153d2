"""Turn a user's query into a safe FTS5 MATCH expression (no syntax errors from user input)."""

from __future__ import annotations

import re

_WORD = re.compile(r"\w+", re.UNICODE)


def fts_query(query: str, *, mode: str = "or") -> str:
    """Each word becomes a quoted prefix-free term; words are joined with OR (ranked by BM25)."""
    words = [w for w in _WORD.findall(query or "") if w.strip("_")]
    if not words:
        return ""
    joiner = " OR " if mode == "or" else " AND "
    return joiner.join(f'"{w}"' for w in words[:64])
