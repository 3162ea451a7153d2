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
import threading
import weakref
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

from ..errors import ModelUnavailable, StoreError

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


_cache: weakref.WeakKeyDictionary[Any, tuple[Any, Any]] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def _vector_signature(store: Any) -> Any:
    if hasattr(store, "_q"):
        r = store._q("SELECT COUNT(*), COALESCE(MAX(rowid), 0) FROM vectors")[0]
        return int(r[0]), int(r[1])
    return sum(1 for _ in store.iter_vectors())


def vector_index(store: Any) -> Any:
    """The ANN index of the corpus when installed, else an exact in-memory index; cached per store."""
    sig = _vector_signature(store)
    with _lock:
        hit = _cache.get(store)
        if hit is not None and hit[0] == sig:
            return hit[1]
        index: Any = None
        if _has("newsweave.link.index"):
            try:
                from ..link.index import VectorIndex  # type: ignore[import-not-found,unused-ignore]

                index = VectorIndex.open(store)
            except Exception:  # an index that cannot open falls back to the exact scan
                index = None
        if index is None:
            index = _ExactIndex(store)
        _cache[store] = (sig, index)
        return index


def vector_search(
    store: Any, query: str, *, k: int = 100, embedder: Embedder | None = None, min_cosine: float = 0.0
) -> list[tuple[str, float]]:
    """(doc_id, cosine) of the documents nearest to the query, best first."""
    embed = embedder or default_embedder()
    vec = list(embed(query))
    native = getattr(store, "search_vectors", None)
    if callable(native) and not hasattr(store, "_q"):  # a server-side vector index (pgvector)
        try:
            return [(d, float(s)) for d, s in native(vec, limit=k) if float(s) >= min_cosine]
        except StoreError:
            pass  # pgvector missing on that server: scan instead
    hits = vector_index(store).search(vec, k)
    return [(d, float(s)) for d, s in hits if float(s) >= min_cosine]
