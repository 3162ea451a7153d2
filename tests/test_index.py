"""The vector index: nearest neighbours by cosine, persisted beside the database, rebuilt when stale."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np

from newsweave.link.index import VectorIndex
from newsweave.link.synthetic import make_document
from newsweave.store import open_store


def _unit(rng: np.random.Generator, n: int, dim: int = 32) -> np.ndarray:
    m = rng.normal(size=(n, dim)).astype(np.float32)
    return m / np.linalg.norm(m, axis=1, keepdims=True)


def test_search_returns_cosine_best_first() -> None:
    rng = np.random.default_rng(0)
    vecs = _unit(rng, 200)
    idx = VectorIndex()
    ids = [f"{i:016x}" for i in range(200)]
    idx.add_many(ids, vecs)
    hits = idx.search(vecs[17], 5)
    assert hits[0][0] == ids[17] and abs(hits[0][1] - 1.0) < 1e-4
    exact = np.argsort(-(vecs @ vecs[17]))[:5]
    assert [h[0] for h in hits] == [ids[i] for i in exact]
    assert all(a[1] >= b[1] for a, b in itertools.pairwise(hits))


def test_non_hex_ids_and_readding() -> None:
    idx = VectorIndex()
    idx.add("doc-a", [1.0, 0.0, 0.0])
    idx.add("doc-a", [0.0, 1.0, 0.0])  # the first vector stays
    idx.add("doc-b", [0.0, 1.0, 0.0])
    assert len(idx) == 2 and "doc-a" in idx
    assert idx.search([1.0, 0.0, 0.0], 1)[0][0] == "doc-a"
    assert VectorIndex().search([1.0, 0.0], 3) == []


def test_persisted_beside_the_database_and_rebuilt_when_stale(tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    store = open_store(db)
    rng = np.random.default_rng(1)
    docs = [make_document(f"Document number {i} about something.", vector=v) for i, v in enumerate(_unit(rng, 20))]
    for d in docs[:10]:
        store.write_document(d)
    idx = VectorIndex.open(store)  # built from the store
    assert len(idx) == 10
    idx.save()
    assert (tmp_path / "news.db.vectors.usearch").exists()
    assert len(VectorIndex.open(store)) == 10  # loaded
    for d in docs[10:]:
        store.write_document(d)
    again = VectorIndex.open(store)  # the file is stale: rebuilt
    assert len(again) == 20
    assert again.search(docs[15].vector or [], 1)[0][0] == docs[15].id


def test_memory_store_has_no_file() -> None:
    store = open_store(":memory:")
    idx = VectorIndex.open(store)
    assert idx.path is None and len(idx) == 0
    idx.add("0123456789abcdef", [0.5, 0.5])
    idx.save()  # nothing to write, no error
