"""Hybrid search on a real PostgreSQL 15: tsvector full text per language, pgvector neighbours and
entity names, fused as on SQLite, over the seeds and the sample corpus ingested by the real
pipeline (linking included)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from newsweave import api, query
from newsweave.search import hybrid_search
from newsweave.store import DocFilter, open_store
from pg_server import PgServer, pg_server_fixture, pg_url_fixture  # noqa: F401 - fixtures
from syntax_corpus import check_syntax, fill
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


def test_full_text_uses_rum_when_the_server_has_it(pg_corpus: Any) -> None:
    has_rum = Path("/usr/share/postgresql/15/extension/rum.control").exists()  # where Debian installs it
    assert pg_corpus.rum == has_rum
    if not has_rum:
        pytest.skip("postgresql-15-rum is not installed (scripts/setup-postgres.sh)")
    rum = [d for d, _ in pg_corpus.search_text(QUERY, limit=5)]
    pg_corpus.rum = False  # the same question answered by GIN + ts_rank
    try:
        gin = [d for d, _ in pg_corpus.search_text(QUERY, limit=5)]
    finally:
        pg_corpus.rum = True
    assert rum and set(rum[:3]) & set(gin[:3]), (rum, gin)


def test_words_most_documents_hold_are_dropped_beside_rarer_ones(pg_url: str) -> None:
    import psycopg

    from newsweave.store.pg_fts import uncommon

    store = open_store(pg_url)
    rows = [(f"d{i:05d}", f"sha{i}", b"x", "text", "t", f"harbour report number {i}"
             + (" lighthouse" if i % 400 == 0 else ""), None, "en", "english") for i in range(1200)]
    with psycopg.connect(pg_url, autocommit=True) as conn:
        with conn.cursor() as cur:
            cur.executemany("INSERT INTO documents (id, raw_sha, raw, format, raw_text, text, title, lang, ts_config) "
                            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)", rows)
        conn.execute("INSERT INTO fts_configs VALUES ('english') ON CONFLICT DO NOTHING")
        conn.execute("ANALYZE documents")
    try:
        assert uncommon(store, ["harbour", "lighthouse"], ["english"]) == ["lighthouse"]
        assert uncommon(store, ["harbour", "report"], ["english"]) == ["harbour", "report"]  # nothing rarer
        hits = store.search_text("harbour lighthouse", limit=10)
        assert sorted(d for d, _ in hits) == ["d00000", "d00400", "d00800"]
    finally:
        store.close()


def test_search_syntax_on_postgres(pg_url: str) -> None:
    """Phrases, a German compound, an unbalanced quote, filters, prefixes and exclusions mean on
    PostgreSQL what they mean on SQLite (``syntax_corpus.check_syntax``)."""
    store = open_store(pg_url)
    try:
        check_syntax(store, fill(store))
        assert store.trigrams == Path("/usr/share/postgresql/15/extension/pg_trgm.control").exists()
    finally:
        store.close()
