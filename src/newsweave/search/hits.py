"""What a search shows of what it found: the hits' rows, snippets with the query's words marked,
and facets over the whole candidate set."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from .names import fold
from .sql import card, rows
from .stems import words

SNIPPET_CHARS = 240


def _phrase_at(text: str, phrases: tuple[tuple[str, ...], ...], scan: int) -> int:
    """Where the first of ``phrases`` occurs in ``text`` (its words apart by non-letters), or -1."""
    best = -1
    for ph in phrases:
        if len(ph) < 2:
            continue
        rx = re.compile(r"\b" + r"[\W_]+".join(re.escape(w) for w in ph) + r"\b", re.IGNORECASE)
        m = rx.search(text, 0, min(len(text), scan))
        if m and (best < 0 or m.start() < best):
            best = m.start()
    return best


def snippet(text: str, query: str, *, size: int = SNIPPET_CHARS, scan: int = 20_000,
            phrases: tuple[tuple[str, ...], ...] = ()) -> tuple[str, list[list[int]]]:
    """A window of ``text`` around the first of ``phrases`` it holds, else around the first query
    word, and the spans of query words in that window (offsets into the snippet), for the face to
    highlight after escaping.

    A word matches when it starts like a query word (its first letters up to the last two, so
    "timetables" marks "timetable"), ignoring case and accents."""
    prefixes: set[str] = set()
    for w in words(query):
        if len(w) >= 3:
            for form in {w, fold(w)}:
                prefixes.add(re.escape(form[: max(4, len(form) - 2)]))
    spans: list[tuple[int, int]] = []
    if prefixes:
        rx = re.compile(r"\b(?:" + "|".join(sorted(prefixes, key=len, reverse=True)) + r")\w*", re.IGNORECASE)
        spans = [(m.start(), m.end()) for m in rx.finditer(text, 0, min(len(text), scan))]
    start = 0
    first = _phrase_at(text, phrases, scan)
    if first < 0 and spans:
        first = spans[0][0]
    if first >= 0:
        start = max(0, first - size // 3)
        if start:
            sp = text.rfind(" ", 0, start + 1)
            start = sp + 1 if sp > 0 else start
    end = min(len(text), start + size)
    if end < len(text):
        sp = text.rfind(" ", start, end)
        end = sp if sp > start + size // 2 else end
    window = text[start:end].replace("\n", " ")
    prefix = "…" if start else ""
    out = prefix + window + ("…" if end < len(text) else "")
    marks = [[a - start + len(prefix), b - start + len(prefix)] for a, b in spans if a >= start and b <= end]
    return out, marks


def hit_rows(store: Any, ids: list[str]) -> dict[str, dict[str, Any]]:
    """The columns a hit shows, by document id (documents deleted meanwhile are missing)."""
    if not ids:
        return {}
    found = rows(
        store,
        "SELECT d.id, d.lang, d.title, d.text, d.published_value, d.event_id, d.story_id, "
        "(SELECT s.source FROM sources s WHERE s.doc_id = d.id ORDER BY s.seq LIMIT 1) AS source "
        f"FROM documents d WHERE d.id IN ({','.join('?' * len(ids))})",
        ids,
    )
    return {r["id"]: dict(r) for r in found}


def facets(store: Any, ids: list[str]) -> dict[str, dict[str, int]]:
    """Counts by language, source (its short label) and year over ``ids``."""
    langs: Counter[str] = Counter()
    srcs: Counter[str] = Counter()
    years: Counter[str] = Counter()
    table = f"documents d{card(store)}"
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        for r in rows(store, "SELECT d.lang, d.published_value, (SELECT COALESCE(s.outlet, s.source) "
                      f"FROM sources s WHERE s.doc_id = d.id ORDER BY s.seq LIMIT 1) FROM {table} "
                      f"WHERE d.id IN ({','.join('?' * len(chunk))})", chunk):
            langs[r[0]] += 1
            years[(r[1] or "")[:4] or "undated"] += 1
            srcs[source_label(r[2])] += 1
    return {"lang": dict(langs.most_common()), "source": dict(srcs.most_common(20)), "year": dict(sorted(years.items()))}


_HOST = re.compile(r"^[a-z]+://([^/]+)")


def source_label(src: str | None) -> str:
    """A short facet label for a source: an outlet, a URL's host, or a file's folder."""
    if not src:
        return "unknown"
    m = _HOST.match(src)
    if m:
        return m.group(1)
    parts = src.replace("\\", "/").rstrip("/").split("/")
    return parts[-2] if len(parts) > 1 else parts[-1]
