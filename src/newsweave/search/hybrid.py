"""Hybrid search: several rankings of the corpus fused into one by reciprocal rank fusion.

Rankers (each a list of document ids, best first, already within the filter and the query's
must-match conditions):

1. ``bm25``    BM25 over surface words: on SQLite the posting index (``postings.py``), elsewhere
   the store's own full-text search (``store.search_text``: tsvector on PostgreSQL);
2. ``stems``   BM25 over Snowball stems in each document's language (``postings.py``, ``stems.py``);
3. ``phrase``  when the query has ``"phrases"`` or ``prefix*``es (``syntax.py``): the full-text
   index's own ranking of the documents that hold them (FTS5 ``bm25()`` / PostgreSQL ``ts_rank``),
   which counts a phrase where it occurs, something a posting index without positions cannot;
4. ``vector``  nearest documents in the cross-lingual embedding space (``vectors.py``);
5. ``entity``  documents that mention an entity the query names, in any spelling (``names.py``).

Reciprocal rank fusion (Cormack et al., 2009) scores a document ``sum(w / (k + rank))`` over
the rankings it appears in; it needs no score calibration between BM25 and cosine, and a document
found by several rankers rises. Facets (language, source, year) count the whole fused candidate
set, not just the page shown.

Every ranker's cost is bounded, whatever the corpus size: BM25 scores postings vectorised, leaves
out the words most documents hold when the query has rarer ones, and keeps the best ``depth``;
the vector ranker asks the ANN index for a bounded k; filters are checked in SQL on slices of a
ranking sized by the share that passed so far (most filters pass many documents, so one or two
slices are enough) and, when a filter is so narrow that too many candidates would be needed, the
filter's own documents are fetched once through the store's indexes and the ranking is
restricted to them (``scope.py``, which also answers the must-match conditions once per search).
The entity ranker counts at most ``ENTITY_MENTIONS`` mentions.
"""

from __future__ import annotations

from typing import Any

from ..errors import ModelUnavailable, NewsweaveError
from ..store import DocFilter
from .hits import facets, hit_rows, snippet
from .names import find_entities
from .postings import STEMS, WORDS, PostingIndex, Ranking
from .scope import Scope
from .sql import passing, rows
from .stems import fold_word, query_terms, words
from .syntax import parse
from .vectors import Embedder, vector_search

RRF_K = 60
WEIGHTS = {"bm25": 1.0, "stems": 1.0, "phrase": 1.0, "vector": 1.0, "entity": 1.0}
RANKERS = ("bm25", "stems", "phrase", "vector", "entity")
MAX_QUERY_CHARS = 1000
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


def _ranked_ids(scope: Scope, idx: PostingIndex, ranking: Ranking, depth: int) -> list[str]:
    """The ``depth`` best documents of a posting-index ranking within the scope, as ids.

    The text conditions restrict the ranking first. Slices of it are then checked against the
    filter in SQL, each sized by the share that passed so far; when that share says more than
    ``NARROW_AFTER`` candidates would be needed, the filter is narrow: its documents are fetched
    once (``scope.rowids()``, kept for the next ranker and, on SQLite, for the next searches
    with the same filter until something is written) and the ranking is restricted to them."""
    ranking = scope.restrict(ranking)
    if not scope.cond:
        return list(idx.ids[ranking.top_rows(depth)])
    kept = scope.kept()
    if kept is not None:
        return list(idx.ids[ranking.restrict(kept).top_rows(depth)])
    out: list[str] = []
    start, step, seen = 0, depth * 2, 0
    while len(out) < depth and start < len(ranking):
        if start + step > NARROW_AFTER:
            return out + list(idx.ids[ranking.restrict(scope.rowids()).top_rows(depth - len(out))])
        chunk = list(idx.ids[ranking.top_rows(step, start)])
        start += len(chunk)
        out += passing(scope.store, chunk, scope.cond, scope.args)
        seen += len(chunk)
        rate = max(len(out) / seen, 0.001)
        step = int((depth - len(out)) / rate * 1.5) + 50
    return out[:depth]


def _entity_docs(scope: Scope, entity_ids: list[str], limit: int) -> list[str]:
    """Documents mentioning the entities, most mentions first, within the scope."""
    if not entity_ids:
        return []
    cond, args = scope.cond, scope.args
    want = limit * 10 if scope.mask is not None else limit  # the text conditions are checked after
    sql = (
        "SELECT m.doc_id, COUNT(*) AS n FROM (SELECT m.doc_id FROM mentions m JOIN documents d ON d.id = m.doc_id "
        f"WHERE m.entity_id IN ({','.join('?' * len(entity_ids))}) " + (f"AND {cond} " if cond else "")
        + "LIMIT ?) m GROUP BY m.doc_id ORDER BY n DESC, m.doc_id LIMIT ?"
    )
    ids = [r[0] for r in rows(scope.store, sql, [*entity_ids, *args, ENTITY_MENTIONS, want])]
    return (scope.passing(ids) if scope.mask is not None else ids)[:limit]


def _text_rankings(store: Any, idx: PostingIndex | None, scope: Scope, words_q: list[str], depth: int,
                   rankers: tuple[str, ...], notes: list[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    text = " ".join(words_q)
    if "bm25" in rankers and (words_q or idx is None):
        if idx is not None:
            out["bm25"] = _ranked_ids(scope, idx, idx.rank(WORDS, (fold_word(w) for w in words_q[:32])), depth)
        else:
            out["bm25"] = [d for d, _ in store.search_text(text, limit=depth, flt=scope.flt)]
    if "stems" in rankers and words_q:
        if idx is None:
            notes.append("stemmed search is unavailable for this store")
        else:
            idx.ensure_current()
            terms = {t for group in query_terms(text, idx.langs) for t in group}
            out["stems"] = _ranked_ids(scope, idx, idx.rank(STEMS, terms), depth)
    if "phrase" in rankers:
        ranked = scope.ranked_matches(depth)
        if ranked is not None:
            out["phrase"] = ranked
    return out


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
    rankers: tuple[str, ...] = RANKERS,
) -> dict[str, Any]:
    """Search documents with every available ranker, fused; see the module docstring. The query
    may use the syntax of ``syntax.py`` (``"exact phrase"``, ``prefix*``, ``-word``).

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
    parsed = parse(q)
    if not parsed.searchable:
        return result
    depth = max(depth, limit + offset)
    idx = PostingIndex.for_store(store)
    scope = Scope(store, flt, parsed.match, local=idx is not None)
    words_q = [w for w in words(" ".join(parsed.words))]
    rankings = _text_rankings(store, idx, scope, words_q, depth, rankers, notes)
    if "vector" in rankers:
        try:
            near = vector_search(store, parsed.text, k=depth, embedder=embedder, min_cosine=min_cosine,
                                 flt=scope.flt, check=scope.passing if scope.local else None, among=scope.few_ids())
            rankings["vector"] = [d for d, _ in near]
        except ModelUnavailable as exc:
            notes.append(str(exc))
    ents = find_entities(store, parsed.text, limit=5)
    result["entities"] = ents
    if "entity" in rankers:
        rankings["entity"] = _entity_docs(scope, [e["id"] for e in ents if e["score"] >= 0.8], depth)

    fused = rrf({k: v for k, v in rankings.items() if v})
    page = fused[offset : offset + limit]
    found = hit_rows(store, [d for d, _, _ in page])
    phrases = parsed.match.phrases if parsed.match else ()
    hits = []
    for did, score, by in page:
        r = found.get(did)
        if r is None:  # deleted between ranking and fetching
            continue
        snip, marks = snippet(r["text"], parsed.text, phrases=phrases)
        hits.append({
            "id": did, "score": round(score, 6), "lang": r["lang"], "title": r["title"], "snippet": snip,
            "highlights": marks, "published": r["published_value"], "source": r["source"],
            "event_id": r["event_id"], "story_id": r["story_id"], "matched_by": by,
        })
    result["hits"] = hits
    result["total"] = len(fused)
    result["facets"] = facets(store, [d for d, _, _ in fused[:FACET_DOCS]])
    return result
