"""The nearest-neighbour index the linking step takes its candidates from.

    index = open_index(store)              # what suits the store (see below), current with it
    index.add(doc.id, doc.vector)
    index.search(query_vec, k=10)          # [(doc_id, cosine), ...] best first
    index.sync(store); index.save()        # persisted beside the SQLite file; a no-op elsewhere

Two implementations of one interface:

- :class:`VectorIndex`: usearch HNSW (cosine) in memory, for SQLite and in-memory stores. The
  store keeps every vector (the source of truth); ``<db>.vectors.usearch`` is a derived cache,
  saved with a watermark (``<db>.vectors.sync.json``: the highest ``rowid`` of the vectors table
  it holds). Opening loads the file and reads only the vectors written after the watermark, so
  opening a store of a million documents costs the load of the file (about a second), not a
  rebuild from every vector. Deleted documents are found by their ids (no vectors read) and
  removed; an unreadable file, one built with other settings, or one that disagrees with the
  store after all that is rebuilt.
- :class:`StoreIndex`: the store's own vector index (pgvector HNSW on PostgreSQL). Nothing is
  loaded at open; every search is one query that sees only documents already placed in an event.

Settings (measured in ``benchmarks/bench_events.py``, figures in docs/scaling.md): bf16 storage
(half the memory of f32, cosines within ~0.002, hardware-accelerated on current x86), graph degree
16, a build beam of 128 and a search beam of 128 up to 100k documents, widened beyond that (see
:func:`search_beam`). A beam of 64 lost 4-5 % of the neighbours above the linker's candidate cosine
at 100k documents; 128 keeps that under 1 % there, but at 1M it lost 17 % of them and placed 85 %
of new documents in their true event instead of ~95 %; a beam of 512 at 1M: 5 % lost, 92 % placed,
for ~1 ms more per search.
usearch was chosen over hnswlib after measuring both on 100k 512-d vectors (closing note of issue
5): similar recall, faster inserts, serialisation that memory-maps.

Document ids are 16 hex digits, which map one-to-one onto usearch's 64-bit keys; any other id
string gets a hashed key recorded in a small side table (``<db>.vectors.keys.json``).
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import StoreError
from ..model import stable_id

_HEX16 = re.compile(r"^[0-9a-f]{16}$")
SUFFIX = ".vectors.usearch"
CHUNK = 8192  # vectors per bulk add (usearch spreads one call over every core)
SAME = 0.999  # a stored vector this close to the indexed one is the same vector
DEFAULTS: dict[str, Any] = {"dtype": "bf16", "connectivity": 16, "expansion_add": 128, "expansion_search": 128}
BEAM_REF = 100_000  # the index size up to which the search beam given is wide enough
# below this size a search compares the query with every vector: exact, and faster than the graph
# (usearch, 512-d bf16, one core: 0.05 vs 0.10 ms at 1k vectors, 0.21 vs 0.25 at 5k, 0.77 vs 0.52 at 20k)
EXACT_BELOW = 10_000
BEAM_GROWTH = 0.6  # beyond it the beam grows as size ** this (x4 at 1M: recall 0.83 -> 0.95)
BEAM_MAX = 1024


def search_beam(base: int, size: int) -> int:
    """The search beam for an index of ``size`` vectors: ``base`` up to :data:`BEAM_REF`, wider
    beyond. A graph index of fixed degree loses recall as it grows (clustered news vectors most:
    a story's documents crowd the beam), and a missed member of the right event is a document
    placed in the wrong one; the search cost grows with the beam, about linearly."""
    if size <= BEAM_REF:
        return base
    return max(base, min(BEAM_MAX, round(base * (size / BEAM_REF) ** BEAM_GROWTH)))


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


def _vectors_after(store: Any, rowid: int) -> Iterator[tuple[int, str, np.ndarray]] | None:
    """Stored vectors with a rowid above ``rowid``, in rowid order, straight from the blobs;
    None for a store without rowids (then only a rebuild can tell what changed)."""
    conn = getattr(store, "conn", None)
    if conn is None:
        return None

    def rows() -> Iterator[tuple[int, str, np.ndarray]]:
        for rid, did, blob in conn.execute("SELECT rowid, doc_id, vec FROM vectors WHERE rowid > ? ORDER BY rowid",
                                           (rowid,)):
            yield int(rid), did, np.frombuffer(blob, dtype="<f4")

    return rows()


def open_index(store: Any, **kwargs: Any) -> VectorIndex | StoreIndex:
    """The linking step's index for ``store``: the store's own (pgvector) when it has one that
    can search, else a usearch index loaded from beside the database and caught up with it."""
    vectors = getattr(store, "vectors", None)
    if getattr(vectors, "enabled", False) and callable(getattr(vectors, "search", None)):
        return StoreIndex(store, expansion_search=int(kwargs.get("expansion_search", DEFAULTS["expansion_search"])))
    return VectorIndex.open(store, **kwargs)


class VectorIndex:
    """Cosine HNSW index from document id to unit vector."""

    def __init__(self, path: Path | None = None, *, connectivity: int = DEFAULTS["connectivity"],
                 expansion_add: int = DEFAULTS["expansion_add"], expansion_search: int = DEFAULTS["expansion_search"],
                 dtype: str = DEFAULTS["dtype"]) -> None:
        self.path = path
        self.connectivity = connectivity
        self.expansion_add = expansion_add
        self.expansion_search = expansion_search
        self.dtype = dtype
        self.synced = 0  # the highest store rowid whose vector the index holds (SQLite)
        self._index: Any = None
        self._keys: dict[int, str] = {}  # only for ids that are not 16 hex digits
        self._lock = threading.RLock()
        self.dirty = False

    # -- opening -------------------------------------------------------------------------------
    @classmethod
    def open(cls, store: Any, **kwargs: Any) -> VectorIndex:
        """The store's index: loaded from disk and caught up with the store, else rebuilt."""
        idx = cls(_index_path(store), **kwargs)
        if idx.path is not None and idx.path.exists():
            try:
                idx._load()
            except (OSError, ValueError, RuntimeError, KeyError, TypeError, json.JSONDecodeError):
                idx._reset()
        idx.sync(store)
        return idx

    def _files(self) -> tuple[Path, Path]:
        assert self.path is not None
        stem = self.path.name.removesuffix(".usearch")
        return self.path.with_name(stem + ".keys.json"), self.path.with_name(stem + ".sync.json")

    def _load(self) -> None:
        from usearch.index import Index

        assert self.path is not None
        index = Index.restore(str(self.path))
        if index is None:
            raise ValueError(f"{self.path} is not a usearch index")
        if str(index.dtype).rsplit(".", 1)[-1].lower() != self.dtype or index.connectivity != self.connectivity:
            raise ValueError(f"{self.path} was built with other settings")  # rebuilt with these
        index.expansion_search = self.expansion_search  # type: ignore[misc]  # a setter mypy does not see
        index.expansion_add = self.expansion_add  # type: ignore[misc]
        keys_file, sync_file = self._files()
        self._index = index
        if keys_file.exists():
            self._keys = {int(k): v for k, v in json.loads(keys_file.read_text()).items()}
        # no watermark (a file from before watermarks): every stored vector is checked once
        self.synced = int(json.loads(sync_file.read_text())["rowid"]) if sync_file.exists() else 0

    def _reset(self) -> None:
        self._index, self._keys, self.synced = None, {}, 0

    def sync(self, store: Any) -> None:
        """Bring the index up to date with the store's vectors: new and re-embedded documents
        are added (only those written after the watermark are read), deleted ones removed."""
        with self._lock:
            rows = _vectors_after(store, self.synced)
            if rows is None:  # no rowids to go by: rebuild unless the counts agree
                if len(self) != count_vectors(store):
                    self.rebuild(store.iter_vectors())
                return
            self._catch_up(rows)
            want = count_vectors(store)
            if len(self) != want:
                self._reconcile(store)
            if len(self) != want:  # still not the store's: start again from the store
                self._reset()
                self._catch_up(_vectors_after(store, 0) or iter(()))

    def _catch_up(self, rows: Iterable[tuple[int, str, np.ndarray]]) -> None:
        ids: list[str] = []
        vecs: list[np.ndarray] = []
        for rid, did, vec in rows:
            ids.append(did)
            vecs.append(vec)
            self.synced = max(self.synced, rid)
            if len(ids) >= CHUNK:
                self._upsert(ids, np.asarray(vecs, dtype=np.float32))
                ids, vecs = [], []
        if ids:
            self._upsert(ids, np.asarray(vecs, dtype=np.float32))

    def _upsert(self, doc_ids: list[str], mat: np.ndarray) -> None:
        """Add these vectors; a document already held with another vector (re-embedded) gets
        the new one."""
        if self._index is not None and len(self._index):
            keys = np.asarray([self._key(d) for d in doc_ids], dtype=np.uint64)
            held = np.asarray(self._index.contains(keys), dtype=bool).reshape(-1)
            if held.any():
                old = np.asarray(self._index.get(keys[held]), dtype=np.float32).reshape(int(held.sum()), -1)
                new = mat[held]
                cos = np.sum(old * new, axis=1) / np.maximum(
                    np.linalg.norm(old, axis=1) * np.linalg.norm(new, axis=1), 1e-12)
                changed = keys[held][cos < SAME]
                if len(changed):
                    self._index.remove(changed)
        self.add_many(doc_ids, mat)

    def _reconcile(self, store: Any) -> None:
        """Remove what the store no longer holds (deleted documents), by ids alone."""
        if self._index is None:
            return
        stored = {str(r[0]) for r in store.query("SELECT doc_id FROM vectors")}
        keys = np.asarray(self._index.keys, dtype=np.uint64)
        extra = [int(k) for k in keys if self._doc_id(int(k)) not in stored]
        if extra:
            self._index.remove(np.asarray(extra, dtype=np.uint64))
            for k in extra:
                self._keys.pop(k, None)
            self.dirty = True

    def rebuild(self, vectors: Iterable[tuple[str, Any]], chunk: int = CHUNK) -> None:
        """Replace the contents with ``vectors`` (added in chunks, so memory stays bounded)."""
        with self._lock:
            self._reset()
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
                                expansion_add=self.expansion_add, expansion_search=self.expansion_search)
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
            n = len(self._index)
            beam = search_beam(self.expansion_search, n)  # usearch widens it to k itself
            if beam != self._index.expansion_search:
                self._index.expansion_search = beam
            m = self._index.search(q, min(k, n), exact=n < EXACT_BELOW)
        return [(self._doc_id(int(key)), float(1.0 - d)) for key, d in zip(m.keys, m.distances, strict=True)]

    def get(self, doc_id: str) -> np.ndarray | None:
        if self._index is None:
            return None
        v = self._index.get(self._key(doc_id))
        return None if v is None else np.asarray(v, dtype=np.float32).reshape(-1)

    @property
    def beam(self) -> int:
        """The search beam a search of this index uses at its current size."""
        return search_beam(self.expansion_search, len(self))

    @property
    def memory_bytes(self) -> int:
        return 0 if self._index is None else int(self._index.memory_usage)

    def save(self) -> None:
        """Write the index and its watermark beside the database (nothing to do in memory or when
        unchanged). The watermark goes last: a crash between the two leaves an older watermark,
        which only makes the next open read a few vectors again."""
        if self.path is None or self._index is None or not self.dirty:
            return
        with self._lock:
            tmp = self.path.with_name(self.path.name + ".tmp")
            self._index.save(str(tmp))
            tmp.replace(self.path)
            keys_file, sync_file = self._files()
            if self._keys:
                keys_file.write_text(json.dumps({str(k): v for k, v in self._keys.items()}))
            tmp_sync = sync_file.with_name(sync_file.name + ".tmp")
            tmp_sync.write_text(json.dumps({"rowid": self.synced, "count": len(self._index)}))
            tmp_sync.replace(sync_file)
            self.dirty = False


class StoreIndex:
    """The store's own vector index (pgvector HNSW on PostgreSQL) behind the same interface.

    The store indexes a document's vector when it writes the document, so ``add`` has nothing
    to do and opening reads nothing. A search sees only documents already placed in an event:
    workers that write ahead of the online step (Ray) must not change what it sees, so the
    linker's view is the same as with a :class:`VectorIndex` filled in linking order."""

    def __init__(self, store: Any, *, expansion_search: int = DEFAULTS["expansion_search"]) -> None:
        self.store = store
        self.expansion_search = expansion_search
        self.path = None

    def __len__(self) -> int:
        return count_vectors(self.store)

    def add(self, doc_id: str, vec: Iterable[float]) -> None:
        """Nothing to do: the store indexed the vector with the document."""

    def add_many(self, doc_ids: list[str], mat: np.ndarray) -> None:
        """Nothing to do: the store indexed the vectors with the documents."""

    def search(self, vec: Iterable[float], k: int = 10) -> list[tuple[str, float]]:
        if k <= 0:
            return []
        q = [float(x) for x in (vec.tolist() if isinstance(vec, np.ndarray) else vec)]
        return list(self.store.vectors.search(q, limit=k, linked_only=True, ef_search=max(self.expansion_search, k)))

    def sync(self, store: Any) -> None:
        """Nothing to do: the store's index is always current."""

    def save(self) -> None:
        """Nothing to do: the store's index is persistent."""
