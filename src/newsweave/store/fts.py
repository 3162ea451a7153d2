"""FTS5 MATCH expressions made safely from user input: nothing a user types is FTS5 syntax.

Words become quoted strings (runs of letters and digits never hold a quote), so ``NEAR(``,
``AND (``, ``^``, ``:`` or an unbalanced quote are just words or nothing. Phrases, prefixes and
exclusions come only from a :class:`~newsweave.store.base.TextMatch`, which the search module's
parser builds.
"""

from __future__ import annotations

import re

from .base import TextMatch

_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def fts_query(query: str, *, mode: str = "or") -> str:
    """Each word becomes a quoted prefix-free term; words are joined with OR (ranked by BM25)."""
    words = _WORD.findall(query or "")
    if not words:
        return ""
    joiner = " OR " if mode == "or" else " AND "
    return joiner.join(f'"{w}"' for w in words[:64])


def _phrase(words: tuple[str, ...]) -> str:
    return '"' + " ".join(w for w in words if _WORD.fullmatch(w)) + '"'


def fts_positive(m: TextMatch) -> str:
    """What must occur: every phrase and prefix, ANDed ('' when nothing must)."""
    parts = [_phrase(p) for p in m.phrases if p] + [f"{_phrase((w,))}*" for w in m.prefixes if _WORD.fullmatch(w)]
    return " AND ".join(p for p in parts if p not in ('""', '""*'))


def fts_negative(m: TextMatch) -> str:
    """What must not occur: the excluded phrases, ORed ('' when none)."""
    return " OR ".join(p for p in (_phrase(x) for x in m.exclude if x) if p != '""')


def fts_match(m: TextMatch) -> str:
    """The whole MATCH expression of a match with something positive ('' otherwise): FTS5 has no
    unary NOT, so exclusions alone cannot be one expression (see :func:`fts_negative`)."""
    pos, neg = fts_positive(m), fts_negative(m)
    if not pos:
        return ""
    return f"({pos}) NOT ({neg})" if neg else pos


def trigram_phrase(text: str) -> str:
    """A substring to look up in a trigram FTS5 index, quoted (quotes inside doubled)."""
    return '"' + text.replace('"', '""') + '"'
