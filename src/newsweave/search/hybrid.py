"""Hybrid search: several rankings of the corpus fused into one by reciprocal rank fusion.

Rankers (each a list of document ids, best first, already filtered):

1. ``bm25``    BM25 over surface words: on SQLite the posting index (``postings.py``), elsewhere
   the store's own full-text search (``store.search_text``: tsvector on PostgreSQL);
2. ``stems``   BM25 over Snowball stems in each document's language (``postings.py``, ``stems.py``);
3. ``vector``  nearest documents in the cross-lingual embedding space (``vectors.py``);
4. ``entity``  documents that mention an entity the query names, in any spelling (``names.py``).

Reciprocal rank fusion (Cormack et al., 2009) scores a document ``sum(w / (k + rank))`` over
the rankings it appears in; it needs no score calibration between BM25 and cosine, and a document
found by several rankers rises. Facets (language, source, year) count the whole fused candidate
set, not just the page shown.

Every ranker's cost is bounded, whatever the corpus size: BM25 scores postings vectorised and
keeps the best ``depth``; the vector ranker asks the ANN index for a bounded k; filters are
checked in SQL on slices of a ranking sized by the share that passed so far (most filters pass
many documents, so one or two slices are enough) and, when a filter is so narrow that too many
candidates would be needed, the filter's own documents are fetched once through the store's
indexes and the ranking is restricted to them. The entity ranker counts
at most ``ENTITY_MENTIONS`` mentions.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from ..errors import ModelUnavailable, NewsweaveError
from ..store import DocFilter
from .names import find_entities, fold
from .postings import STEMS, WORDS, PostingIndex, Ranking
from .sql import card, passing, rows
from .sql import where as doc_where
from .stems import fold_word, query_terms, words
from .vectors import Embedder, vector_search

RRF_K = 60
WEIGHTS = {"bm25": 1.0, "stems": 1.0, "vector": 1.0, "entity": 1.0}
MAX_QUERY_CHARS = 1000
SNIPPET_CHARS = 240
ENTITY_MENTIONS = 50_000  # mentions counted at most for the entity ranker (a very common name)
NARROW_AFTER = 20_000  # ranked candidates checked against a filter before its documents are fetched
FACET_DOCS = 2000


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


def _ranked_ids(store: Any, idx: PostingIndex, ranking: Ranking, depth: int, cond: str, args: list[Any],
                narrow: dict[str, list[int]]) -> list[str]:
    """The ``depth`` best documents of a posting-index ranking that pass the filter, as ids.

    Slices of the ranking are checked in SQL, each sized by the share that passed so far; when
    that share says more than ``NARROW_AFTER`` candidates would be needed, the filter is narrow:
    its documents are fetched once (through the store's indexes; kept in ``narrow`` for the next
    ranker of the same search) and the ranking is restricted to them."""
    if not cond:
        return list(idx.ids[ranking.top_rows(depth)])
    out: list[str] = []
    start, step, seen = 0, depth * 2, 0
    while len(out) < depth and start < len(ranking):
        if start + step > NARROW_AFTER:
            if "rowids" not in narrow:
                narrow["rowids"] = [int(r[0]) for r in store._q(f"SELECT d.rowid FROM documents d WHERE {cond}", args)]
            return out + list(idx.ids[ranking.restrict(narrow["rowids"]).top_rows(depth - len(out))])
        chunk = list(idx.ids[ranking.top_rows(step, start)])
        start += len(chunk)
        out += passing(store, chunk, cond, args)
        seen += len(chunk)
        rate = max(len(out) / seen, 0.001)
        step = int((depth - len(out)) / rate * 1.5) + 50
    return out[:depth]


def _entity_docs(store: Any, entity_ids: list[str], cond: str, args: list[Any], limit: int) -> list[str]:
    if not entity_ids:
        return []
    sql = (
        "SELECT m.doc_id, COUNT(*) AS n FROM (SELECT m.doc_id FROM mentions m JOIN documents d ON d.id = m.doc_id "
        f"WHERE m.entity_id IN ({','.join('?' * len(entity_ids))}) " + (f"AND {cond} " if cond else "")
        + "LIMIT ?) m GROUP BY m.doc_id ORDER BY n DESC, m.doc_id LIMIT ?"
    )
    return [r[0] for r in rows(store, sql, [*entity_ids, *args, ENTITY_MENTIONS, limit])]


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
    table = f"documents d{card(store)}"
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        for r in rows(store, "SELECT d.lang, d.published_value, (SELECT COALESCE(s.outlet, s.source) "
                      f"FROM sources s WHERE s.doc_id = d.id ORDER BY s.seq LIMIT 1) FROM {table} "
                      f"WHERE d.id IN ({','.join('?' * len(chunk))})", chunk):
            langs[r[0]] += 1
            years[(r[1] or "")[:4] or "undated"] += 1
            srcs[_source_label(r[2])] += 1
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

    idx = PostingIndex.for_store(store)
    narrow: dict[str, list[int]] = {}  # a narrow filter's documents, fetched once per search
    if "bm25" in rankers:
        if idx is not None:
            ranking = idx.rank(WORDS, (fold_word(w) for w in words(q)[:32]))
            rankings["bm25"] = _ranked_ids(store, idx, ranking, depth, cond, args, narrow)
        else:
            rankings["bm25"] = [d for d, _ in store.search_text(q, limit=depth, flt=flt)]
    if "stems" in rankers:
        if idx is None:
            notes.append("stemmed search is unavailable for this store")
        else:
            idx.ensure_current()
            terms = {t for group in query_terms(q, idx.langs) for t in group}
            rankings["stems"] = _ranked_ids(store, idx, idx.rank(STEMS, terms), depth, cond, args, narrow)
    if "vector" in rankers:
        try:
            near = vector_search(store, q, k=depth, embedder=embedder, min_cosine=min_cosine, flt=flt)
            rankings["vector"] = [d for d, _ in near]
        except ModelUnavailable as exc:
            notes.append(str(exc))
    ents = find_entities(store, q, limit=5)
    result["entities"] = ents
    if "entity" in rankers:
        strong = [e["id"] for e in ents if e["score"] >= 0.8]
        rankings["entity"] = _entity_docs(store, strong, cond, args, depth)

    fused = rrf({k: v for k, v in rankings.items() if v})
    page = fused[offset : offset + limit]
    found = _hit_rows(store, [d for d, _, _ in page])
    hits = []
    for did, score, by in page:
        r = found.get(did)
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
    result["facets"] = _facets(store, [d for d, _, _ in fused[:FACET_DOCS]])
    return result

