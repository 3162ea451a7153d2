"""The shared store suite against a real PostgreSQL 15 (tests/pg_server.py starts it), plus what
only PostgreSQL has: schema versions, text-search configurations per language, pgvector search
with HNSW, the connection pool, and a server restart in the middle of writes."""

from __future__ import annotations

import itertools
import random
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from newsweave.errors import StoreError
from newsweave.model import Entity, Mention, TimeExpression
from newsweave.store import DocFilter
from pg_server import PgServer, pg_server_fixture, pg_url_fixture  # noqa: F401 - fixtures
from store_suite import (
    EventStoryTest,
    ReadRecordsTest,
    RoundTripPropertyTest,
    WriteDocumentsTest,
    make_doc,
    rich_doc,
)

pytestmark = pytest.mark.integration
psycopg = pytest.importorskip("psycopg", reason="psycopg 3 is not installed (pip install 'psycopg[binary]' psycopg_pool)")

from newsweave.store.postgres import PostgresStore  # noqa: E402

TABLES = ("documents", "sources", "entities", "mentions", "quotes", "times", "vectors", "events", "stories",
          "links", "state", "fts_configs")


@pytest.fixture(scope="module")
def shared_store(pg_server: PgServer) -> Iterator[PostgresStore]:
    url = pg_server.create_database()
    s = PostgresStore(url)
    yield s
    s.close()
    pg_server.drop_database(url)


class TestPostgres(WriteDocumentsTest, ReadRecordsTest, EventStoryTest, RoundTripPropertyTest):
    @pytest.fixture
    def store(self, shared_store: PostgresStore) -> PostgresStore:
        """The module's store, emptied: TRUNCATE is far quicker than a new database per test."""
        shared_store.pool.run("truncating", lambda c: c.execute(f"TRUNCATE {', '.join(TABLES)} CASCADE"))
        return shared_store


def _wide_doc(i: int, dim: int = 8) -> Any:
    d = rich_doc()
    d.text = d.raw_text = f"{uuid.uuid4()} " + d.text  # a new text: a new document id
    d.raw = d.raw_text.encode()
    d.quotes, d.times = [], []
    ent = Entity("ORG:nato", "NATO", "ORG", {"en": ["NATO"]})
    d.entities = {ent.key: ent}
    d.mentions = [Mention(0, 8, d.text[:8], "ORG", ent.key)]
    rnd = random.Random(i)
    d.vector = [rnd.uniform(-1, 1) for _ in range(dim)]
    return d


def test_schema_version_and_reopen(pg_url: str) -> None:
    s = PostgresStore(pg_url)
    v = s.schema_version
    assert v >= 1
    s.write_document(make_doc("Kept across reopening."))
    s.close()
    s2 = PostgresStore(pg_url)  # migrates nothing, keeps data
    assert s2.schema_version == v and s2.count("documents") == 1
    s2.pool.run("bumping", lambda c: c.execute("INSERT INTO schema_version (version) VALUES (999)"))
    s2.close()
    with pytest.raises(StoreError, match="newer"):
        PostgresStore(pg_url)


def test_unreachable_server_says_why(pg_server: PgServer) -> None:
    url = pg_server.url("postgres").replace(f":{pg_server.port}/", ":1/")
    with pytest.raises(StoreError, match="cannot connect to PostgreSQL"):
        PostgresStore(url, timeout=2)


def test_language_configurations(pg_url: str) -> None:
    s = PostgresStore(pg_url)
    de = make_doc("Die Außenminister der Mitgliedstaaten trafen sich in Brüssel.", "de.txt", lang="de")
    en = make_doc("The foreign ministers were meeting in Brussels.", "en.txt", lang="en")
    xx = make_doc("Kuvaus kokouksesta ilman kieltä.", "xx.txt", lang="und")
    for d in (de, en, xx):
        s.write_document(d)
    configs = {r["id"]: r["c"] for r in s.rows("SELECT id, ts_config::text AS c FROM documents")}
    assert configs == {de.id: "german", en.id: "english", xx.id: "simple"}
    # German stemming: an inflected form finds the German document; English stemming likewise
    assert [h[0] for h in s.search_text("Außenministern")] == [de.id]
    assert [h[0] for h in s.search_text("meetings")] == [en.id]
    assert [h[0] for h in s.search_text("kokouksesta")] == [xx.id]
    # the filter applies, scores are higher-is-better, title matches outrank body matches
    assert {h[0] for h in s.search_text("Brussels")} == {de.id, en.id}  # German stemming folds the umlaut
    assert [h[0] for h in s.search_text("Brussels", flt=DocFilter(lang="en"))] == [en.id]
    t1, t2 = make_doc("Alliance summit report.", "t1.txt"), make_doc("Report on the summit of the alliance.", "t2.txt")
    t1.title = "Summit"
    s.write_document(t1)
    s.write_document(t2)
    hits = s.search_text("summit")
    assert hits[0][0] == t1.id and hits[0][1] > hits[1][1] > 0
    # the GIN index exists and is what the planner uses on a larger table
    idx = s.rows("SELECT indexdef FROM pg_indexes WHERE indexname = 'documents_tsv'")
    assert idx and "gin" in idx[0]["indexdef"].lower()
    s.close()


def test_nul_and_noncharacters_roundtrip(pg_url: str) -> None:
    s = PostgresStore(pg_url)
    text = "before\x00after \uffff0 and \uffff1 end\x00"
    d = make_doc(text)
    d.title = "t\x00"
    d.meta = {"k\x00": ["v\x00\uffff"]}
    s.write_document(d)
    rec = s.get_document(d.id)
    assert rec["text"] == text and rec["title"] == "t\x00" and rec["meta"] == d.meta
    assert s.load_document(d.id).text == text
    s.close()


def test_pgvector_hnsw_search(pg_url: str) -> None:
    s = PostgresStore(pg_url)
    if not s.vectors.enabled:
        s.close()
        pytest.skip(f"pgvector unavailable: {s.vectors.unavailable_reason}")
    docs = [_wide_doc(i) for i in range(30)]
    for d in docs:
        s.write_document(d)
    coltype = s.rows("SELECT format_type(atttypid, atttypmod) AS t FROM pg_attribute "
                     "WHERE attrelid = 'vectors'::regclass AND attname = 'vec'")[0]["t"]
    assert coltype == "vector"
    idx = s.rows("SELECT indexdef FROM pg_indexes WHERE indexname = 'vectors_hnsw_8'")
    assert idx and "hnsw" in idx[0]["indexdef"]
    target = docs[11]
    hits = s.search_vectors(target.vector, limit=5)  # type: ignore[arg-type]
    assert hits[0][0] == target.id and hits[0][1] == pytest.approx(1.0, abs=1e-5)
    assert all(a[1] >= b[1] for a, b in itertools.pairwise(hits))
    # the planner walks the HNSW index for the store's own query, also as a generic (prepared) plan
    sql, params = s.vectors.search_sql(target.vector, limit=5)  # type: ignore[arg-type]
    for mode in ("auto", "force_generic_plan"):
        with s.pool.conn() as c:
            c.execute("SET enable_seqscan = off")
            c.execute(f"SET plan_cache_mode = {mode}")
            plan = "\n".join(r[0] for r in c.execute("EXPLAIN " + sql, params).fetchall())
        assert "vectors_hnsw_8" in plan, plan
    # filters combine with the index; vectors read back as stored
    only = s.search_vectors(target.vector, limit=5, flt=DocFilter(lang="de"))
    assert only == []
    assert s.get_vectors([target.id])[target.id] == pytest.approx(target.vector)
    assert len(list(s.iter_vectors())) == 30
    s.close()


def test_without_pgvector_vectors_stored_search_refused(pg_url: str) -> None:
    s = PostgresStore(pg_url, pgvector=False)
    d = rich_doc()
    s.write_document(d)
    assert s.get_vectors([d.id])[d.id] == pytest.approx([0.1] * 8)
    with pytest.raises(StoreError, match=r"vector search is not available: .*pgvector=False"):
        s.search_vectors([0.1] * 8)
    s.close()
    s2 = PostgresStore(pg_url)  # reopened with pgvector available: the column is upgraded in place
    if s2.vectors.enabled:
        assert s2.search_vectors([0.1] * 8, limit=1)[0][0] == d.id
    s2.close()


def test_pool_concurrent_writers(pg_url: str) -> None:
    s = PostgresStore(pg_url, max_size=3)
    errors: list[BaseException] = []

    def writer(k: int) -> None:
        try:
            for i in range(15):
                d = _wide_doc(k * 100 + i)
                s.write_document(d)
        except BaseException as exc:  # surfaced by the assert below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert s.count("documents") == 75
    (ent,) = list(s.iter_records("entities"))
    assert ent["mention_count"] == 75  # one entity row, upserted by every writer
    assert s.pool.pool.get_stats()["pool_max"] == 3
    s.close()


def _consistent(s: PostgresStore, docs: dict[str, Any]) -> int:
    """Every stored document is whole: its mentions, times, quotes, vector and source are there."""
    stored = {r["id"] for r in s.rows("SELECT id FROM documents")}
    for did in stored:
        d = docs[did]
        n = s.rows("SELECT (SELECT COUNT(*) FROM mentions WHERE doc_id=%s) AS m, (SELECT COUNT(*) FROM times "
                   "WHERE doc_id=%s) AS t, (SELECT COUNT(*) FROM vectors WHERE doc_id=%s) AS v, "
                   "(SELECT COUNT(*) FROM sources WHERE doc_id=%s) AS s", (did, did, did, did))[0]
        assert (n["m"], n["t"], n["v"], n["s"]) == (len(d.mentions), len(d.times), 1, 1), did
    return len(stored)


_SLOW_TRIGGER = [
    """CREATE FUNCTION nw_test_slow() RETURNS trigger LANGUAGE plpgsql AS
       $$ BEGIN PERFORM pg_sleep(0.5); RETURN NEW; END $$""",
    "CREATE TRIGGER nw_test_slow AFTER INSERT ON times FOR EACH ROW WHEN (NEW.text = 'SLOW') "
    "EXECUTE FUNCTION nw_test_slow()",
]


def _doc_for_fault(slow: bool) -> Any:
    d = rich_doc()
    d.text = d.raw_text = f"{uuid.uuid4()} {d.text}"
    d.raw = d.raw_text.encode()
    d.mentions = [Mention(k, k + 1, d.text[k], "MISC", None) for k in range(40)]
    d.times = [TimeExpression(0, 4, "SLOW" if slow else d.text[:4], "DATE", "2021-06-07")]
    return d


def _wait_for_sleeper(url: str) -> None:
    """Until a write transaction is inside the slow trigger (so the restart hits it in flight)."""
    with psycopg.connect(url, autocommit=True) as c:
        for _ in range(300):
            if c.execute("SELECT 1 FROM pg_stat_activity WHERE wait_event = 'PgSleep'").fetchone():
                return
            time.sleep(0.02)
    raise AssertionError("the slow write never started")


@pytest.mark.slow
def test_restart_during_writes(pg_server: PgServer, pg_url: str) -> None:
    """PostgreSQL restarted while a document's transaction is open (held there by a slow trigger):
    without retries that write fails with a StoreError naming the lost connection and leaves
    nothing; with retries it is written whole; the writes around it land; nothing is half-written."""
    with psycopg.connect(pg_url, autocommit=True) as c:
        PostgresStore(pg_url).close()  # the schema, so the trigger has its table
        for stmt in _SLOW_TRIGGER:
            c.execute(stmt)
    docs: dict[str, Any] = {}
    for retry_seconds in (0.0, 20.0):
        s = PostgresStore(pg_url, retry_seconds=retry_seconds, timeout=20)
        batch = [_doc_for_fault(slow=(i == 5)) for i in range(12)]
        docs.update({d.id: d for d in batch})
        outcome: dict[str, Any] = {}

        def writer(s: PostgresStore = s, batch: list[Any] = batch, outcome: dict[str, Any] = outcome) -> None:
            for d in batch:
                try:
                    outcome[d.id] = s.write_document(d).status
                except StoreError as exc:
                    outcome[d.id] = exc

        t = threading.Thread(target=writer)
        t.start()
        _wait_for_sleeper(pg_url)
        pg_server.restart()
        t.join(120)
        assert not t.is_alive()
        slow = batch[5]
        stored = {r["id"] for r in s.rows("SELECT id FROM documents")}
        if retry_seconds == 0:
            err = outcome[slow.id]
            assert isinstance(err, StoreError) and f"writing document {slow.id}" in str(err)
            assert "lost the connection to PostgreSQL" in str(err)
            assert slow.id not in stored
        else:
            assert outcome[slow.id] == "new" and slow.id in stored
            assert s.pool.retries >= 1
        others = [d.id for d in batch if d is not slow]
        assert all(outcome[i] == "new" for i in others), outcome
        assert set(others) <= stored
        _consistent(s, docs)
        s.close()
    # a server that is down: the write waits for a connection up to the timeout, then says why
    s = PostgresStore(pg_url, retry_seconds=0, timeout=2)
    down, back = make_doc("Written while the server is down."), make_doc("Written after the server is back.")
    pg_server.stop()
    try:
        with pytest.raises(StoreError, match=r"no connection to PostgreSQL .*is the server running"):
            s.write_document(down)
    finally:
        pg_server.start()
    assert s.write_document(back).status == "new"
    ids = {r["id"] for r in s.rows("SELECT id FROM documents")}
    assert back.id in ids and down.id not in ids
    s.close()


def test_open_store_selects_postgres(pg_url: str) -> None:
    from newsweave.store import open_store

    s = open_store(pg_url)
    try:
        assert isinstance(s, PostgresStore)
    finally:
        s.close()


def test_work_rolled_back_by_a_deadlock_is_run_again(pg_url: str) -> None:
    """Two transactions lock two rows in opposite orders (as a Ray worker writing a document and
    the driver writing a window of them lock entity rows): the server rolls one back, and when
    that is the pool's work it is run again instead of failing the ingest."""
    import psycopg

    s = PostgresStore(pg_url)
    s.pool.run("setup", lambda c: c.execute("CREATE TABLE dl (id INT PRIMARY KEY, v INT); INSERT INTO dl VALUES (1, 0), (2, 0)"))
    other = psycopg.connect(pg_url)  # not autocommit: a transaction until commit
    holds_two = threading.Event()
    attempts: list[int] = []

    def work(conn: Any) -> None:
        attempts.append(1)
        with conn.transaction():
            conn.execute("SET LOCAL deadlock_timeout = '100ms'")  # this side finds the deadlock first
            conn.execute("UPDATE dl SET v = v + 1 WHERE id = 1")
            holds_two.wait(10)
            conn.execute("UPDATE dl SET v = v + 1 WHERE id = 2")

    def rival() -> None:
        other.execute("UPDATE dl SET v = v + 10 WHERE id = 2")
        holds_two.set()
        time.sleep(0.05)
        other.execute("UPDATE dl SET v = v + 10 WHERE id = 1")  # waits for the pool's work: a deadlock
        time.sleep(0.3)
        other.commit()

    t = threading.Thread(target=rival)
    t.start()
    s.pool.run("updating both rows", work)
    t.join()
    other.close()
    assert len(attempts) == 2 and s.pool.retries == 1
    rows = s.pool.run("reading", lambda c: c.execute("SELECT id, v FROM dl ORDER BY id").fetchall())
    assert rows == [(1, 11), (2, 11)]  # each side's updates once
    s.close()
