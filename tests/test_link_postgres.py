"""Linking (copies, translations, events, stories) on a real PostgreSQL 15: the same results as on
SQLite, from the same backend-neutral store methods (``query``, ``lsh_candidates``,
``get_minhashes``, ``put_minhash``); synthetic documents first, then the real pipeline over the
seeds and the sample corpus."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from newsweave import api
from newsweave.link import Linker, LinkParams
from newsweave.link.index import StoreIndex
from newsweave.link.synthetic import make_document
from newsweave.model import Document
from newsweave.store import open_store
from pg_server import PgServer, pg_server_fixture, pg_url_fixture  # noqa: F401 - fixtures

pytestmark = pytest.mark.integration
psycopg = pytest.importorskip("psycopg", reason="psycopg 3 is not installed (pip install 'psycopg[binary]' psycopg_pool)")

DIM = 32
FAST = LinkParams(summaries=False)
WORDS = "The report describes what happened in some detail for the readers of this newspaper today."


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v)


def _docs() -> list[Document]:
    """Three happenings in three languages, a near-copy, and one unrelated article."""
    rng = np.random.default_rng(11)
    subject = _unit(rng.normal(size=DIM))
    days = ["2022-05-18", "2022-09-20", "2023-04-04"]
    docs = []
    for i in range(3):
        ev = _unit(rng.normal(size=DIM))
        for j, lang in enumerate(["en", "de", "fr"]):
            v = _unit(0.6 * subject + 0.8 * ev + 0.2 * _unit(rng.normal(size=DIM)))
            docs.append(make_document(f"{WORDS} Happening {i} told in {lang}, version {j}.", lang=lang, day=days[i],
                                      entities=[("ORG", "nato"), ("LOC", "finland"), ("PER", f"person-{i}")],
                                      vector=v, source=f"src-{i}-{j}"))
    copy = docs[0].text.replace("version 0", "version 0, republished")
    docs.append(make_document(copy, lang="en", day=days[0], entities=[("ORG", "nato"), ("PER", "person-0")],
                              vector=np.asarray(docs[0].vector), source="copy"))
    docs.append(make_document("A quiet harbour town votes on its winter ferry timetable for next year.", lang="en",
                              day="2021-01-05", vector=_unit(rng.normal(size=DIM)), source="other"))
    return docs


def grouping(store: Any) -> dict[str, Any]:
    """Events and stories as sets of document-id sets, and links as (src, dst, type): what must not
    depend on the backend (record ids may, since they are derived from the same inputs anyway)."""
    docs = {r["id"]: r for r in store.iter_records("documents")}
    events: dict[str, set[str]] = {}
    stories: dict[str, set[str]] = {}
    for did, r in docs.items():
        if r["event_id"]:
            events.setdefault(r["event_id"], set()).add(did)
        if r["story_id"]:
            stories.setdefault(r["story_id"], set()).add(did)
    links = {(ln["src"], ln["dst"], ln["type"]) for ln in store.iter_records("links")}
    return {"events": {frozenset(g) for g in events.values()}, "stories": {frozenset(g) for g in stories.values()},
            "links": links, "n_docs": len(docs)}


def _link(store: Any, docs: list[Document]) -> Linker:
    linker = Linker(store, FAST)
    for d in docs:
        store.write_document(d)
        linker.add(d)
    linker.finish()
    return linker


def test_linker_opens_on_postgres(pg_url: str) -> None:
    store = open_store(pg_url)
    try:
        linker = api.linker_for(store)
        assert linker is not None and linker.dedup is not None and linker.index is not None
    finally:
        store.close()


def test_synthetic_linking_matches_sqlite(pg_url: str) -> None:
    docs = _docs()
    lite = open_store(":memory:")
    pg = open_store(pg_url)
    try:
        _link(lite, docs)
        _link(pg, _docs())  # fresh objects: linking must not lean on state left on the documents
        want, got = grouping(lite), grouping(pg)
        assert want["events"] == got["events"] and want["stories"] == got["stories"]
        assert want["links"] == got["links"]
        # the happenings are kept apart, the near-copy is found and joins its original's event
        assert len(want["events"]) >= 3
        assert any(t == "near-duplicate" for _, _, t in got["links"])
        ev0 = pg.get_record("documents", docs[0].id)["event_id"]
        assert pg.get_record("documents", docs[9].id)["event_id"] == ev0
        assert pg.get_record("documents", docs[3].id)["event_id"] != ev0
        assert pg.count("events") == lite.count("events") and pg.count("stories") == lite.count("stories")
    finally:
        lite.close()
        pg.close()


def test_candidates_come_from_pgvector_and_see_only_linked_documents(pg_url: str) -> None:
    """The linker reads nothing at open on PostgreSQL (pgvector is the index); documents stored
    ahead of their turn (as Ray workers store them) are not candidates until they are linked,
    so linking them afterwards in order groups them as linking each right after its write."""
    docs = _docs()
    pg = open_store(pg_url)
    lite = open_store(":memory:")
    try:
        for d in docs:
            pg.write_document(d)
        linker = Linker(pg, FAST)
        assert isinstance(linker.index, StoreIndex)
        assert linker.index.search(docs[0].vector or [], 5) == []  # stored, none linked yet
        for d in docs[:4]:
            linker.add(d)
        hits = linker.index.search(docs[0].vector or [], 20)
        assert {h for h, _ in hits} == {d.id for d in docs[:4]}
        for d in docs[4:]:
            linker.add(d)
        linker.finish()
        _link(lite, _docs())
        want, got = grouping(lite), grouping(pg)
        assert got["events"] == want["events"] and got["stories"] == want["stories"] and got["links"] == want["links"]
    finally:
        pg.close()
        lite.close()


def test_near_duplicate_state_roundtrip_and_delete(pg_url: str) -> None:
    pg = open_store(pg_url)
    try:
        doc = _docs()[0]
        pg.write_document(doc)
        buckets = [(0, -(2**62)), (1, 2**62), (2, 7)]
        pg.put_minhash(doc.id, b"\x00\x01\x02", buckets)
        pg.put_minhash(doc.id, b"\x03", buckets)  # idempotent: buckets are not doubled
        assert pg.get_minhashes([doc.id, "nope"]) == {doc.id: b"\x03"}
        assert pg.lsh_candidates([(0, -(2**62)), (9, 9)], 10) == [doc.id]
        assert pg.query("SELECT COUNT(*) AS n FROM link_lsh WHERE doc_id = ?", [doc.id])[0]["n"] == 3
        assert pg.delete_document(doc.id)
        assert pg.get_minhashes([doc.id]) == {} and pg.lsh_candidates(buckets, 10) == []
    finally:
        pg.close()


def test_neutral_query_reads_by_position_and_name(pg_url: str) -> None:
    pg = open_store(pg_url)
    lite = open_store(":memory:")
    try:
        for s in (pg, lite):
            doc = _docs()[1]
            s.write_document(doc)
            rows = s.query("SELECT id, lang, sentences FROM documents WHERE id IN (?, ?) AND text LIKE '%'",
                           [doc.id, "x"])
            assert len(rows) == 1 and rows[0][0] == rows[0]["id"] == doc.id and dict(rows[0])["lang"] == "de"
    finally:
        pg.close()
        lite.close()


# -- the real pipeline over the seeds and the sample corpus ------------------------------------------


def corpus_paths() -> list[str]:
    from newsweave.paths import shared_dir

    sh = shared_dir()
    seeds = sorted(str(p) for p in (sh / "corpus" / "seeds").glob("*.txt")) if sh is not None else []
    return [*seeds, *api.sample_paths()]


@pytest.fixture(scope="module")
def both(pg_server: PgServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Any]]:
    url = pg_server.create_database()
    lite = open_store(tmp_path_factory.mktemp("linkpg") / "corpus.db")
    pg = open_store(url)
    paths = corpus_paths()
    for s in (lite, pg):
        report = api.ingest(s, paths)
        assert report.ingested > 0 and not report.rejected, report.as_dict()
    yield lite, pg
    lite.close()
    pg.close()


@pytest.mark.slow
def test_pipeline_on_postgres_groups_like_sqlite(both: tuple[Any, Any]) -> None:
    lite, pg = both
    want, got = grouping(lite), grouping(pg)
    assert want["n_docs"] == got["n_docs"] > 40
    assert any(len(g) > 1 for g in want["events"])  # something was grouped
    assert got["events"] == want["events"]
    assert got["stories"] == want["stories"]
    assert got["links"] == want["links"]
    ev = next(pg.iter_events())
    assert ev.title and ev.doc_ids

