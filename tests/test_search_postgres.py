"""Hybrid search on a real PostgreSQL 15: tsvector full text per language, pgvector neighbours and
entity names, fused as on SQLite, over the seeds and the sample corpus ingested by the real
pipeline (linking included)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from newsweave import api, query
from newsweave.search import hybrid_search
from newsweave.store import DocFilter, open_store
from pg_server import PgServer, pg_server_fixture, pg_url_fixture  # noqa: F401 - fixtures
from webcorpus import find_doc, seed_paths

pytestmark = [pytest.mark.integration, pytest.mark.slow]
psycopg = pytest.importorskip("psycopg", reason="psycopg 3 is not installed (pip install 'psycopg[binary]' psycopg_pool)")

QUERY = "Stoltenberg Biden Russia dialogue"
SEED_004 = "004_91db5c4eda242435.txt"


@pytest.fixture(scope="module")
def pg_corpus(pg_server: PgServer) -> Iterator[Any]:
    if not seed_paths():
        pytest.skip("the seed corpus is not available (shared folder absent)")
    store = open_store(pg_server.create_database())
    report = api.ingest(store, [*seed_paths(), *api.sample_paths()])
    assert report.ingested > 40 and not report.rejected, report.as_dict()
    yield store
    store.close()


def test_english_query_finds_german_seed_004_on_postgres(pg_corpus: Any) -> None:
    target = find_doc(pg_corpus, SEED_004)
    assert target is not None
    res = query.search(pg_corpus, QUERY, limit=3)
    assert target in [h["id"] for h in res["hits"]], res["hits"]
    assert pg_corpus.get_document(target)["lang"] == "de"


def test_every_ranker_runs_on_postgres(pg_corpus: Any) -> None:
    target = find_doc(pg_corpus, SEED_004)
    res = hybrid_search(pg_corpus, QUERY, limit=10)
    by = {r for h in res["hits"] for r in h["matched_by"]}
    assert {"bm25", "vector", "entity"} <= by, (by, res["notes"])
    assert res["entities"] and res["facets"]["lang"] and res["total"] >= len(res["hits"]) > 0
    hit = next(h for h in res["hits"] if h["id"] == target)
    assert hit["event_id"] and hit["snippet"]
    for ranker in ("vector", "entity"):  # each alone is cross-lingual
        alone = hybrid_search(pg_corpus, QUERY, rankers=(ranker,), limit=5)
        assert target in [h["id"] for h in alone["hits"]], (ranker, alone["hits"])


def test_filters_apply_to_every_ranker_on_postgres(pg_corpus: Any) -> None:
    res = hybrid_search(pg_corpus, QUERY, DocFilter(lang="en"), limit=20)
    assert res["hits"] and all(h["lang"] == "en" for h in res["hits"])
    # the source filter is case-insensitive on both backends
    upper = hybrid_search(pg_corpus, QUERY, DocFilter(source="SEEDS"), limit=20)
    assert upper["hits"] and all("seeds" in (h["source"] or "").lower() for h in upper["hits"]), upper["hits"]
