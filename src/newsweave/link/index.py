"""The approximate-nearest-neighbour index over document vectors (usearch HNSW, cosine).

    index = VectorIndex.open(store)        # loads <db>.vectors.usearch or rebuilds it
    index.add(doc.id, doc.vector)
    index.search(query_vec, k=10)          # [(doc_id, cosine), ...] best first
    index.save()                           # beside the SQLite file; a no-op for ":memory:"

The store keeps every vector (the source of truth); this file is a derived cache. It is rebuilt
from ``store.iter_vectors()`` when it is missing, unreadable, or holds a different number of
vectors than the store (stale). usearch was chosen over hnswlib after measuring both on 100k
512-d vectors (figures in the closing note of issue 5): similar recall, faster inserts, and
serialisation that memory-maps.

Document ids are 16 hex digits, which map one-to-one onto usearch's 64-bit keys; any other id
string gets a hashed key recorded in a small side table (``<db>.vectors.keys.json``).
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import StoreError
from ..model import stable_id

_HEX16 = re.compile(r"^[0-9a-f]{16}$")
SUFFIX = ".vectors.usearch"


def _index_path(store: Any) -> Path | None:
    path = getattr(store, "path", None) or getattr(store, "url", None)
    if not path or str(path) == ":memory:" or "://" in str(path):
        return None
    return Path(str(path) + SUFFIX)


def count_vectors(store: Any) -> int:
    """How many vectors the store holds (one SQL count where the store has neutral reads)."""
    q = getattr(store, "query", None)
    if callable(q):
        return int(q("SELECT COUNT(*) FROM vectors")[0][0])
    return sum(1 for _ in store.iter_vectors())


def _raw_vectors(store: Any) -> Iterable[tuple[str, Any]]:
    """Every stored vector; on SQLite straight from the blobs (no list conversion)."""
    conn = getattr(store, "conn", None)
    if conn is None:
        yield from store.iter_vectors()
        return
    for did, blob in conn.execute("SELECT doc_id, vec FROM vectors"):
        yield did, np.frombuffer(blob, dtype="<f4")


class VectorIndex:
    """Cosine HNSW index from document id to unit vector."""

    def __init__(self, path: Path | None = None, *, connectivity: int = 16, expansion_search: int = 64,
                 dtype: str = "f32") -> None:
        self.path = path
        self.connectivity = connectivity
        self.expansion_search = expansion_search
        self.dtype = dtype
        self._index: Any = None
        self._keys: dict[int, str] = {}  # only for ids that are not 16 hex digits
        self._lock = threading.RLock()
        self.dirty = False

    # -- opening -------------------------------------------------------------------------------
    @classmethod
    def open(cls, store: Any, **kwargs: Any) -> VectorIndex:
        """The store's index: loaded from disk when current, else rebuilt from the store."""
        idx = cls(_index_path(store), **kwargs)
        want = count_vectors(store)
        if idx.path is not None and idx.path.exists():
            try:
                idx._load()
            except (OSError, ValueError, RuntimeError, json.JSONDecodeError):
                idx._index, idx._keys = None, {}
            if len(idx) == want:
                return idx
            idx._index, idx._keys = None, {}
        if want:
            idx.rebuild(_raw_vectors(store))
        return idx

    def _load(self) -> None:
        from usearch.index import Index

        assert self.path is not None
        index = Index.restore(str(self.path))
        if index is None:
            raise ValueError(f"{self.path} is not a usearch index")
        self._index = index
        keys_file = self.path.with_name(self.path.name.replace(".usearch", ".keys.json"))
        if keys_file.exists():
            self._keys = {int(k): v for k, v in json.loads(keys_file.read_text()).items()}

    def rebuild(self, vectors: Iterable[tuple[str, Any]], chunk: int = 4096) -> None:
        """Replace the contents with ``vectors`` (added in chunks, so memory stays bounded)."""
        with self._lock:
            self._index, self._keys = None, {}
            ids: list[str] = []
            vecs: list[Any] = []
            for did, v in vectors:
                ids.append(did)
                vecs.append(v)
                if len(ids) >= chunk:
                    self.add_many(ids, np.asarray(vecs, dtype=np.float32))
                    ids, vecs = [], []
            if ids:
                self.add_many(ids, np.asarray(vecs, dtype=np.float32))
            self.dirty = True

    def _ensure(self, ndim: int) -> Any:
        if self._index is None:
            from usearch.index import Index

            self._index = Index(ndim=ndim, metric="cos", dtype=self.dtype, connectivity=self.connectivity,
                                expansion_search=self.expansion_search)
        elif self._index.ndim != ndim:
            raise StoreError(
                f"vector of dimension {ndim} does not fit the index of dimension {self._index.ndim}; "
                "the embedding model changed: delete the .vectors.usearch file and re-embed"
            )
        return self._index

    # -- keys ----------------------------------------------------------------------------------
    def _key(self, doc_id: str) -> int:
        if _HEX16.match(doc_id):
            return int(doc_id, 16)
        key = int(stable_id("vkey", doc_id), 16) | (1 << 63)  # hashed keys live in the upper half
        self._keys[key] = doc_id
        return key

    def _doc_id(self, key: int) -> str:
        return self._keys.get(key) or format(key, "016x")

    # -- the API -------------------------------------------------------------------------------
    def __len__(self) -> int:
        return 0 if self._index is None else len(self._index)

    def __contains__(self, doc_id: str) -> bool:
        return self._index is not None and bool(self._index.contains(self._key(doc_id)))

    def add(self, doc_id: str, vec: Iterable[float]) -> None:
        arr = np.asarray(list(vec) if not isinstance(vec, np.ndarray) else vec, dtype=np.float32)
        self.add_many([doc_id], arr[None, :])

    def add_many(self, doc_ids: list[str], mat: np.ndarray) -> None:
        if not doc_ids:
            return
        with self._lock:
            index = self._ensure(int(mat.shape[1]))
            keys = np.asarray([self._key(d) for d in doc_ids], dtype=np.uint64)
            fresh = ~np.asarray(index.contains(keys), dtype=bool).reshape(-1) if len(index) else np.ones(len(keys), bool)
            # one key once: a re-added document keeps its first vector (ids follow content)
            _, first = np.unique(keys, return_index=True)
            keep = np.zeros(len(keys), bool)
            keep[first] = True
            keep &= fresh
            if keep.any():
                index.add(keys[keep], np.ascontiguousarray(mat[keep], dtype=np.float32))
                self.dirty = True

    def search(self, vec: Iterable[float], k: int = 10) -> list[tuple[str, float]]:
        """The ``k`` nearest documents as (doc_id, cosine similarity), best first."""
        if self._index is None or len(self._index) == 0 or k <= 0:
            return []
        q = np.asarray(list(vec) if not isinstance(vec, np.ndarray) else vec, dtype=np.float32)
        with self._lock:
            m = self._index.search(q, min(k, len(self._index)))
        return [(self._doc_id(int(key)), float(1.0 - d)) for key, d in zip(m.keys, m.distances, strict=True)]

    def get(self, doc_id: str) -> np.ndarray | None:
        if self._index is None:
            return None
        v = self._index.get(self._key(doc_id))
        return None if v is None else np.asarray(v, dtype=np.float32).reshape(-1)

    def save(self) -> None:
        """Write the index beside the database (nothing to do in memory or when unchanged)."""
        if self.path is None or self._index is None or not self.dirty:
            return
        with self._lock:
            tmp = self.path.with_name(self.path.name + ".tmp")
            self._index.save(str(tmp))
            tmp.replace(self.path)
            keys_file = self.path.with_name(self.path.name.replace(".usearch", ".keys.json"))
            if self._keys:
                keys_file.write_text(json.dumps({str(k): v for k, v in self._keys.items()}))
            self.dirty = False
