"""The vector index: nearest neighbours by cosine, persisted beside the database, caught up with the
store by reading only what was written since it was saved, rebuilt when it cannot be trusted."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from newsweave.link import index as index_module
from newsweave.link.index import VectorIndex
from newsweave.link.synthetic import make_document
from newsweave.model import Document
from newsweave.store import open_store


def _unit(rng: np.random.Generator, n: int, dim: int = 32) -> np.ndarray:
    m = rng.normal(size=(n, dim)).astype(np.float32)
    return m / np.linalg.norm(m, axis=1, keepdims=True)


BF16_COSINE = 0.01  # how far a cosine of bf16 vectors may be from the float32 one


def _random_index(n: int = 200) -> tuple[VectorIndex, list[str], np.ndarray]:
    vecs = _unit(np.random.default_rng(0), n)
    idx = VectorIndex()
    ids = [f"{i:016x}" for i in range(n)]
    idx.add_many(ids, vecs)
    return idx, ids, vecs


def _spy_exact(monkeypatch: pytest.MonkeyPatch, idx: VectorIndex) -> list[bool]:
    """The ``exact`` argument of every search the usearch index is asked for."""
    asked: list[bool] = []
    search = idx._index.search

    def spy(*args: Any, **kwargs: Any) -> Any:
        asked.append(bool(kwargs.get("exact", False)))
        return search(*args, **kwargs)

    monkeypatch.setattr(idx._index, "search", spy)
    return asked


def test_search_returns_cosine_best_first(monkeypatch: pytest.MonkeyPatch) -> None:
    idx, ids, vecs = _random_index()
    asked = _spy_exact(monkeypatch, idx)
    hits = idx.search(vecs[17], 5)
    assert asked == [True]  # a small index is searched exhaustively
    assert hits[0][0] == ids[17] and abs(hits[0][1] - 1.0) < 1e-4
    cos = vecs @ vecs[17]
    # a small index is searched exhaustively: the best five by cosine, up to bf16 rounding
    got = [float(cos[ids.index(h[0])]) for h in hits]
    best = np.sort(cos)[::-1][:5]
    assert all(abs(g - b) < BF16_COSINE for g, b in zip(got, best, strict=True))
    assert all(abs(h[1] - c) < BF16_COSINE for h, c in zip(hits, got, strict=True))
    assert all(a[1] >= b[1] for a, b in itertools.pairwise(hits))


def test_large_index_searches_the_graph(monkeypatch: pytest.MonkeyPatch) -> None:
    # past EXACT_BELOW the HNSW graph answers: approximate on random vectors (cosines all alike,
    # its worst case), it may miss one of the best five or swap two within bf16 rounding
    monkeypatch.setattr(index_module, "EXACT_BELOW", 100)
    idx, ids, vecs = _random_index()
    asked = _spy_exact(monkeypatch, idx)
    hits = idx.search(vecs[17], 5)
    assert asked == [False]
    cos = vecs @ vecs[17]
    got = [float(cos[ids.index(h[0])]) for h in hits]
    best = np.sort(cos)[::-1][:5]
    assert hits[0][0] == ids[17] and sum(c >= best[-1] - BF16_COSINE for c in got) >= 4


def test_non_hex_ids_and_readding() -> None:
    idx = VectorIndex()
    idx.add("doc-a", [1.0, 0.0, 0.0])
    idx.add("doc-a", [0.0, 1.0, 0.0])  # the first vector stays
    idx.add("doc-b", [0.0, 1.0, 0.0])
    assert len(idx) == 2 and "doc-a" in idx
    assert idx.search([1.0, 0.0, 0.0], 1)[0][0] == "doc-a"
    assert VectorIndex().search([1.0, 0.0], 3) == []


def _docs(n: int, seed: int = 1) -> list[Document]:
    rng = np.random.default_rng(seed)
    return [make_document(f"Document number {i} about something.", vector=v) for i, v in enumerate(_unit(rng, n))]


class _Reads:
    """Counts the stored vectors the index reads (a spy on the real reader, not a stand-in)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.n = 0
        real = index_module._vectors_after

        def counted(store: Any, rowid: int) -> Iterator[tuple[int, str, np.ndarray]] | None:
            rows = real(store, rowid)
            if rows is None:
                return None
            return (self._count(r) for r in rows)

        monkeypatch.setattr(index_module, "_vectors_after", counted)

    def _count(self, row: tuple[int, str, np.ndarray]) -> tuple[int, str, np.ndarray]:
        self.n += 1
        return row


def test_persisted_beside_the_database_and_caught_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "news.db"
    store = open_store(db)
    docs = _docs(20)
    for d in docs[:10]:
        store.write_document(d)
    reads = _Reads(monkeypatch)
    idx = VectorIndex.open(store)  # built from the store
    assert len(idx) == 10 and reads.n == 10
    idx.save()
    assert (tmp_path / "news.db.vectors.usearch").exists() and (tmp_path / "news.db.vectors.sync.json").exists()
    reads.n = 0
    assert len(VectorIndex.open(store)) == 10 and reads.n == 0  # loaded: no vector read
    for d in docs[10:15]:
        store.write_document(d)
    again = VectorIndex.open(store)  # behind the store: only the five new vectors are read
    assert len(again) == 15 and reads.n == 5
    assert again.search(docs[12].vector or [], 1)[0][0] == docs[12].id
    again.save()
    reads.n = 0
    for d in docs[15:]:
        store.write_document(d)
    again.sync(store)  # an open index catches up the same way
    assert len(again) == 20 and reads.n == 5


def test_deleted_and_re_embedded_documents(tmp_path: Path) -> None:
    store = open_store(tmp_path / "news.db")
    docs = _docs(12, seed=2)
    for d in docs:
        store.write_document(d)
    VectorIndex.open(store).save()
    assert store.delete_document(docs[3].id)
    moved = docs[5]
    moved.vector = list(_unit(np.random.default_rng(9), 1)[0])  # the document re-embedded
    store.replace_outputs(moved)
    idx = VectorIndex.open(store)
    assert len(idx) == 11 and docs[3].id not in idx
    assert idx.search(moved.vector, 1)[0] == (moved.id, pytest.approx(1.0, abs=5e-3))
    assert docs[3].id not in {d for d, _ in idx.search(docs[3].vector or [], 12)}


def test_unreadable_file_or_other_settings_rebuilt(tmp_path: Path) -> None:
    store = open_store(tmp_path / "news.db")
    for d in _docs(8, seed=3):
        store.write_document(d)
    VectorIndex.open(store).save()
    f32 = VectorIndex.open(store, dtype="f32")  # asked for other settings: rebuilt with them
    assert len(f32) == 8 and f32.dtype == "f32"
    (tmp_path / "news.db.vectors.usearch").write_bytes(b"not an index at all")
    assert len(VectorIndex.open(store)) == 8


def test_memory_store_has_no_file() -> None:
    store = open_store(":memory:")
    idx = VectorIndex.open(store)
    assert idx.path is None and len(idx) == 0
    idx.add("0123456789abcdef", [0.5, 0.5])
    idx.save()  # nothing to write, no error


def test_search_beam_widens_past_the_reference_size(monkeypatch: pytest.MonkeyPatch) -> None:
    assert index_module.search_beam(128, 10_000) == 128
    assert index_module.search_beam(128, index_module.BEAM_REF) == 128
    at_1m = index_module.search_beam(128, 1_000_000)
    assert 400 <= at_1m <= 600  # what closed most of the recall lost at 1M (docs/scaling.md)
    assert index_module.search_beam(128, 10**9) == index_module.BEAM_MAX
    assert index_module.search_beam(2000, 10**9) == 2000  # never narrower than the beam given
    # the usearch index follows its size: past the reference size its searches use the wider beam
    monkeypatch.setattr(index_module, "BEAM_REF", 100)
    rng = np.random.default_rng(3)
    idx = VectorIndex(expansion_search=16)
    vecs = _unit(rng, 1000)
    idx.add_many([f"{i:016x}" for i in range(50)], vecs[:50])
    idx.search(vecs[0], 5)
    assert idx._index.expansion_search == 16 == idx.beam
    idx.add_many([f"{i:016x}" for i in range(50, 1000)], vecs[50:])
    hits = idx.search(vecs[7], 5)
    assert hits[0][0] == f"{7:016x}"
    assert idx._index.expansion_search == index_module.search_beam(16, 1000) > 16
