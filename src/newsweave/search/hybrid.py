"""Hybrid search: several rankings of the corpus fused into one by reciprocal rank fusion.

Rankers (each a list of document ids, best first, already filtered):

1. ``bm25``    the store's FTS5 index over surface words (``store.search_text``);
2. ``stems``   our FTS5 index over Snowball stems in each document's language (``stems.py``);
3. ``vector``  nearest documents in the cross-lingual embedding space (``vectors.py``);
4. ``entity``  documents that mention an entity the query names, in any spelling (``names.py``).

Reciprocal rank fusion (Cormack et al., 2009) scores a document ``sum(w / (k + rank))`` over
the rankings it appears in; it needs no score calibration between BM25 and cosine, and a document
found by several rankers rises. Facets (language, source, year) count the whole fused candidate
set, not just the page shown.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from ..errors import ModelUnavailable, NewsweaveError
from ..store import DocFilter
from .names import find_entities, fold
from .sql import rows
from .sql import where as doc_where
from .stems import StemIndex, words
from .vectors import Embedder, vector_search

RRF_K = 60
WEIGHTS = {"bm25": 1.0, "stems": 1.0, "vector": 1.0, "entity": 1.0}
MAX_QUERY_CHARS = 1000
SNIPPET_CHARS = 240


def rrf(rankings: dict[str, list[str]], *, k: int = RRF_K, weights: dict[str, float] | None = None
        ) -> list[tuple[str, float, list[str]]]:
    """Fuse rankings: (doc_id, score, names of the rankers that found it), best first."""
    w = weights or WEIGHTS
    score: dict[str, float] = {}
    found: dict[str, list[str]] = {}
    for name, ids in rankings.items():
        for rank, did in enumerate(ids, start=1):
            score[did] = score.get(did, 0.0) + w.get(name, 1.0) / (k + rank)
            found.setdefault(did, []).append(name)
    return sorted(((d, s, found[d]) for d, s in score.items()), key=lambda t: (-t[1], t[0]))


def _filter_ids(store: Any, ids: list[str], flt: DocFilter | None) -> list[str]:
    """The ids (order kept) of documents that pass the filter."""
    if not ids or flt is None or not _active(flt):
        return ids
    keep: set[str] = set()
    cond, args = doc_where(store, flt)
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        found = rows(store, f"SELECT d.id FROM documents d WHERE d.id IN ({','.join('?' * len(chunk))}) AND {cond}",
                     [*chunk, *args])
        keep.update(r[0] for r in found)
    return [d for d in ids if d in keep]


def _active(flt: DocFilter) -> bool:
    return any(v is not None for v in flt.__dict__.values())


def _entity_docs(store: Any, entity_ids: list[str], flt: DocFilter | None, limit: int) -> list[str]:
    if not entity_ids:
        return []
    cond, args = doc_where(store, flt)
    sql = (
        "SELECT m.doc_id, COUNT(*) AS n FROM mentions m JOIN documents d ON d.id = m.doc_id "
        f"WHERE m.entity_id IN ({','.join('?' * len(entity_ids))}) " + (f"AND {cond} " if cond else "")
        + "GROUP BY m.doc_id ORDER BY n DESC, m.doc_id LIMIT ?"
    )
    return [r[0] for r in rows(store, sql, [*entity_ids, *args, limit])]


def snippet(text: str, query: str, *, size: int = SNIPPET_CHARS, scan: int = 20_000) -> tuple[str, list[list[int]]]:
    """A window of ``text`` around the first query word it contains, and the spans of query words
    in that window (offsets into the snippet), for the face to highlight after escaping.

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
    if spans:
        first = spans[0][0]
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


def _hit_rows(store: Any, ids: list[str]) -> dict[str, dict[str, Any]]:
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


def _facets(store: Any, ids: list[str]) -> dict[str, dict[str, int]]:
    langs: Counter[str] = Counter()
    srcs: Counter[str] = Counter()
    years: Counter[str] = Counter()
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        marks = ",".join("?" * len(chunk))
        for r in rows(store, f"SELECT lang, substr(published_value, 1, 4) FROM documents WHERE id IN ({marks})", chunk):
            langs[r[0]] += 1
            years[r[1] or "undated"] += 1
        for r in rows(
            store, f"SELECT COALESCE(outlet, source) FROM sources WHERE doc_id IN ({marks}) AND seq = "
            "(SELECT MIN(seq) FROM sources s2 WHERE s2.doc_id = sources.doc_id)", chunk,
        ):
            srcs[_source_label(r[0])] += 1
    return {"lang": dict(langs.most_common()), "source": dict(srcs.most_common(20)), "year": dict(sorted(years.items()))}


def _source_label(src: str | None) -> str:
    """A short facet label for a source: an outlet, a URL's host, or a file's folder."""
    if not src:
        return "unknown"
    m = re.match(r"^[a-z]+://([^/]+)", src)
    if m:
        return m.group(1)
    parts = src.replace("\\", "/").rstrip("/").split("/")
    return parts[-2] if len(parts) > 1 else parts[-1]


def hybrid_search(
    store: Any,
    q: str,
    flt: DocFilter | None = None,
    *,
    limit: int = 10,
    offset: int = 0,
    embedder: Embedder | None = None,
    depth: int = 200,
    min_cosine: float = 0.2,
    rankers: tuple[str, ...] = ("bm25", "stems", "vector", "entity"),
) -> dict[str, Any]:
    """Search documents with every available ranker, fused; see the module docstring.

    Returns ``{"query", "total", "hits": [{id, score, lang, title, snippet, highlights, published,
    source, event_id, story_id, matched_by}], "facets": {lang, source, year}, "entities": [...],
    "notes": [...]}``. ``notes`` says when a ranker was unavailable (e.g. no embedding model)."""
    if not isinstance(q, str):
        raise NewsweaveError(f"query must be a string, not {type(q).__name__}")
    q = q.strip()[:MAX_QUERY_CHARS]
    if limit < 0 or offset < 0:
        raise NewsweaveError(f"limit and offset must not be negative (got limit={limit}, offset={offset})")
    notes: list[str] = []
    result: dict[str, Any] = {"query": q, "total": 0, "hits": [], "facets": {"lang": {}, "source": {}, "year": {}},
                              "entities": [], "notes": notes}
    if not words(q):
        return result
    depth = max(depth, limit + offset)
    cond, args = doc_where(store, flt)
    rankings: dict[str, list[str]] = {}

    idx = StemIndex.for_store(store)
    if "bm25" in rankers:
        bm25_q = idx.prune_common_words(q) if idx is not None else q
        rankings["bm25"] = [d for d, _ in store.search_text(bm25_q, limit=depth, flt=flt)]
    if "stems" in rankers:
        if idx is None:
            notes.append("stemmed search is unavailable for this store")
        else:
            rankings["stems"] = [d for d, _ in idx.search(q, where=cond, args=args, limit=depth)]
    if "vector" in rankers:
        try:
            near = vector_search(store, q, k=depth * (4 if flt and _active(flt) else 1), embedder=embedder,
                                 min_cosine=min_cosine)
            rankings["vector"] = _filter_ids(store, [d for d, _ in near], flt)[:depth]
        except ModelUnavailable as exc:
            notes.append(str(exc))
    ents = find_entities(store, q, limit=5)
    result["entities"] = ents
    if "entity" in rankers:
        strong = [e["id"] for e in ents if e["score"] >= 0.8]
        rankings["entity"] = _entity_docs(store, strong, flt, depth)

    fused = rrf({k: v for k, v in rankings.items() if v})
    page = fused[offset : offset + limit]
    rows = _hit_rows(store, [d for d, _, _ in page])
    hits = []
    for did, score, by in page:
        r = rows.get(did)
        if r is None:  # deleted between ranking and fetching
            continue
        snip, marks = snippet(r["text"], q)
        hits.append({
            "id": did, "score": round(score, 6), "lang": r["lang"], "title": r["title"], "snippet": snip,
            "highlights": marks, "published": r["published_value"], "source": r["source"],
            "event_id": r["event_id"], "story_id": r["story_id"], "matched_by": by,
        })
    result["hits"] = hits
    result["total"] = len(fused)
    result["facets"] = _facets(store, [d for d, _, _ in fused[:2000]])
    return result

