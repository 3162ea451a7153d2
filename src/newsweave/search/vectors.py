"""The vector half of hybrid search: embed the query, find the nearest documents.

The query is embedded with the embed stage's model (``newsweave.stages.embed.embed_query``), so
it lands in the same cross-lingual space as the stored document vectors: an English query is
near German articles about the same thing. Neighbours come from the corpus's ANN index
(``newsweave.link.index.VectorIndex``) when the installation has it; otherwise from an exact
scan of the stored vectors (a NumPy matrix product, kept in memory and reloaded when the vector
table changes), which is the same answer, only slower on very large corpora.

When no query embedder is available, :func:`vector_search` raises ``ModelUnavailable`` and the
caller reports that vector search is off.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import threading
import weakref
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

from ..errors import ModelUnavailable, StoreError
from ..store import DocFilter
from .sql import change_token, passing, where

Embedder = Callable[[str], Sequence[float]]


def _has(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


@lru_cache(maxsize=512)
def _embed_cached(text: str) -> tuple[float, ...]:
    from ..stages.embed import embed_query

    return tuple(float(x) for x in embed_query(text))


def default_embedder() -> Embedder:
    """The embed stage's query embedder, or ModelUnavailable naming what is missing."""
    if not _has("newsweave.stages.embed"):
        raise ModelUnavailable("vector search is unavailable: the embed stage (newsweave.stages.embed) is not installed")
    mod = importlib.import_module("newsweave.stages.embed")
    if not hasattr(mod, "embed_query"):
        raise ModelUnavailable("vector search is unavailable: newsweave.stages.embed has no embed_query()")
    return _embed_cached


class _ExactIndex:
    """All stored vectors as one normalised matrix; cosine by one matrix product."""

    def __init__(self, store: Any) -> None:
        import numpy as np

        ids: list[str] = []
        vecs: list[Any] = []
        if hasattr(store, "_q"):
            for r in store._q("SELECT doc_id, vec FROM vectors ORDER BY doc_id"):
                ids.append(r[0])
                vecs.append(np.frombuffer(r[1], dtype="<f4"))
        else:
            for did, v in store.iter_vectors():
                ids.append(did)
                vecs.append(np.asarray(v, dtype="float32"))
        dims = {len(v) for v in vecs}
        if len(dims) > 1:  # vectors of different models: keep the most common dimension
            common = max(dims, key=lambda d: sum(len(v) == d for v in vecs))
            keep = [i for i, v in enumerate(vecs) if len(v) == common]
            ids, vecs = [ids[i] for i in keep], [vecs[i] for i in keep]
        self.ids = ids
        self.matrix = np.vstack(vecs).astype("float32") if vecs else np.zeros((0, 0), dtype="float32")
        if len(self.matrix):
            norms = np.linalg.norm(self.matrix, axis=1, keepdims=True)
            self.matrix /= np.where(norms == 0, 1, norms)

    def search(self, vec: Sequence[float], k: int) -> list[tuple[str, float]]:
        import numpy as np

        if not self.ids:
            return []
        q = np.asarray(vec, dtype="float32")
        if q.shape[0] != self.matrix.shape[1]:
            return []
        q /= float(np.linalg.norm(q)) or 1.0
        sims = self.matrix @ q
        k = min(k, len(self.ids))
        top = np.argpartition(-sims, k - 1)[:k]
        top = top[np.argsort(-sims[top])]
        return [(self.ids[i], float(sims[i])) for i in top]


_cache: weakref.WeakKeyDictionary[Any, tuple[Any, Any, Any]] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def _vector_signature(store: Any) -> Any:
    if hasattr(store, "_q"):
        r = store._q("SELECT COUNT(*), COALESCE(MAX(rowid), 0) FROM vectors")[0]
        return int(r[0]), int(r[1])
    return sum(1 for _ in store.iter_vectors())


def _caught_up(store: Any, index: Any, old: Any, new: Any) -> bool:
    """Add the vectors written since ``old`` to an ANN index in place (only new rows, none deleted:
    then the count grew by exactly the rows past the old highest rowid)."""
    if not (isinstance(old, tuple) and isinstance(new, tuple) and hasattr(index, "add_many")):
        return False
    import numpy as np

    fresh = store._q("SELECT doc_id, vec FROM vectors WHERE rowid > ? ORDER BY rowid", (old[1],))
    if len(fresh) != new[0] - old[0] or not fresh:
        return False
    mat = np.vstack([np.frombuffer(r[1], dtype="<f4") for r in fresh])
    try:
        index.add_many([r[0] for r in fresh], mat)
    except Exception:  # e.g. another dimension: reopen instead
        return False
    return True


def vector_index(store: Any) -> Any:
    """The ANN index of the corpus when installed, else an exact in-memory index; cached per store
    and reopened when the vectors changed (checked only when the store may have been written)."""
    token = change_token(store)
    with _lock:
        hit = _cache.get(store)
        if hit is not None and token is not None and hit[0] == token:
            return hit[2]
        sig = _vector_signature(store)
        if hit is not None and (hit[1] == sig or _caught_up(store, hit[2], hit[1], sig)):
            _cache[store] = (token, sig, hit[2])
            return hit[2]
        index: Any = None
        try:
            from ..link.index import VectorIndex

            index = VectorIndex.open(store)
            if index.dirty:  # rebuilt from the store: keep it for the next process
                index.save()
        except Exception:  # an index that cannot open falls back to the exact scan
            index = None
        if index is None:
            index = _ExactIndex(store)
        _cache[store] = (token, sig, index)
        return index


def _among(store: Any, vec: Sequence[float], ids: list[str], k: int) -> list[tuple[str, float]]:
    """Cosine of the query with each of ``ids`` (their stored vectors), the ``k`` best."""
    import numpy as np

    q = np.asarray(vec, dtype="float32")
    q /= float(np.linalg.norm(q)) or 1.0
    if hasattr(store, "_q"):
        found = [(r[0], np.frombuffer(r[1], dtype="<f4")) for r in store._q(
            "SELECT doc_id, vec FROM vectors WHERE doc_id IN (SELECT value FROM json_each(?))", (json.dumps(ids),))]
    else:
        found = [(d, np.asarray(v, dtype="float32")) for d, v in store.get_vectors(ids).items()]
    found = [(d, v) for d, v in found if v.shape == q.shape]
    if not found:
        return []
    mat = np.vstack([v for _, v in found])
    sims = (mat @ q) / np.maximum(np.linalg.norm(mat, axis=1), 1e-12)
    best = sorted(zip((d for d, _ in found), sims.tolist(), strict=True), key=lambda t: (-t[1], t[0]))
    return best[:k]


def vector_search(
    store: Any, query: str, *, k: int = 100, embedder: Embedder | None = None, min_cosine: float = 0.0,
    flt: DocFilter | None = None, check: Callable[[list[str]], list[str]] | None = None,
    among: list[str] | None = None,
) -> list[tuple[str, float]]:
    """(doc_id, cosine) of the ``k`` documents nearest to the query that pass ``flt``, best first.

    A server-side index (pgvector) applies the filter itself; the local ANN index is asked for a
    growing k until enough of its neighbours pass the filter (or it has no more). ``check`` (ids
    -> those that may be returned, in order) replaces the filter's own SQL check; ``among`` (the
    ids of every document that may be returned, when they are few) scores each of them instead."""
    embed = embedder or default_embedder()
    vec = list(embed(query))
    if among is not None:
        return [(d, s) for d, s in _among(store, vec, among, k) if s >= min_cosine]
    cond, args = where(store, flt, per_row=True)
    native = getattr(store, "search_vectors", None)
    if callable(native) and not hasattr(store, "_q"):  # a server-side vector index (pgvector)
        try:
            return [(d, float(s)) for d, s in native(vec, limit=k, flt=flt) if float(s) >= min_cosine]
        except StoreError:
            pass  # pgvector missing on that server: scan instead
    index = vector_index(store)

    def allowed(ids: list[str]) -> list[str]:
        return check(ids) if check is not None else passing(store, ids, cond, args)

    want = k * (3 if cond or check is not None else 1)
    while True:
        hits = [(d, float(s)) for d, s in index.search(vec, want) if float(s) >= min_cosine]
        ok = set(allowed([d for d, _ in hits]))
        out = [h for h in hits if h[0] in ok]
        if len(out) >= k or len(hits) < want or want >= k * 256:
            return out[:k]
        rate = max(len(out) / max(len(hits), 1), 1 / 256)  # the share that passed: ask for enough next time
        want = min(k * 256, max(want * 2, int(k / rate * 1.3)))
