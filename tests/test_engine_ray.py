"""Batch ingest through the engines: the plan / enrich / commit split in one process, and on a
real local Ray cluster (2 CPUs) against SQLite and a real PostgreSQL, with a worker killed
mid-batch, and PostgreSQL restarted mid-run. Every run is compared with ``api.ingest`` on the
sample corpus."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from newsweave import api
from newsweave.engines.local import BatchWorker, can_link, ingest_local, plan_units
from newsweave.stages.ingest import iter_items
from pg_server import PgServer, pg_server_fixture, pg_url_fixture  # noqa: F401 - fixtures

PER_DOC = ("documents", "mentions", "quotes", "times")


def snapshot(url: str | Path, *, events: bool = True) -> dict[str, Any]:
    """What must not depend on the engine: per-document outputs and the event/story grouping."""
    st = api.open_db(url)
    try:
        out: dict[str, Any] = {
            "documents": {d["id"]: (d["text"], d["lang"], d["title"], d["published"]) for d in st.iter_records("documents")},
            "mentions": sorted((m["doc_id"], m["start"], m["end"], m["text"], m["type"], m["entity_id"])
                               for m in st.iter_records("mentions")),
            "quotes": sorted((q["doc_id"], q["start"], q["end"], q["text"], q["speaker_entity_id"], q["cue"], q["kind"])
                             for q in st.iter_records("quotes")),
            "times": sorted((t["doc_id"], t["start"], t["end"], t["text"], t["type"], t["value"])
                            for t in st.iter_records("times")),
            "sources": sum(len(d.get("sources") or []) for d in st.iter_records("documents")),
        }
        if events:
            groups = {e["id"]: frozenset(e["doc_ids"]) for e in st.iter_records("events")}
            out["events"] = set(groups.values())
            out["stories"] = {frozenset(groups[e] for e in s["event_ids"]) for s in st.iter_records("stories")}
            out["unlinked"] = sorted(d["id"] for d in st.iter_records("documents") if not d["event_id"])
        return out
    finally:
        st.close()


def assert_same(got: dict[str, Any], want: dict[str, Any], keys: tuple[str, ...]) -> None:
    for k in keys:
        assert got[k] == want[k], f"{k} differ from the single-process run"


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The single-process path (api.ingest) on the sample corpus, full pipeline, SQLite."""
    db = tmp_path_factory.mktemp("ref") / "ref.db"
    store = api.open_db(db)
    rep = api.ingest(store, api.sample_paths())
    store.close()
    assert rep.ok and rep.ingested > 20
    snap = snapshot(db)
    assert snap["unlinked"] == [] and snap["events"] and snap["stories"]
    snap["ingested"] = rep.ingested
    return snap


@pytest.fixture(scope="module")
def ray_cluster() -> Iterator[Any]:
    ray = pytest.importorskip("ray", reason='Ray is not installed (pip install "ray[data]==2.60.0")')
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="ERROR")
    yield ray
    ray.shutdown()


def test_plan_follows_the_reader_order(tmp_path: Path) -> None:
    """Units are files in the order iter_items reads them; what cannot be read is a unit too."""
    sample = api.sample_paths()
    units = plan_units([*sample, str(tmp_path / "missing.txt")])
    files = [u.source for u in units if u.kind == "path"]
    read = list(dict.fromkeys(x.source.source.split("#")[0] for x in iter_items(sample) if not isinstance(x, Exception)))
    assert files == read
    assert units[-1].kind == "error" and units[-1].source.endswith("missing.txt")
    assert "no such file" in units[-1].reason


@pytest.mark.slow
def test_stored_but_unlinked_documents_are_linked_once(tmp_path: Path, reference: dict[str, Any]) -> None:
    """A worker wrote documents and died before the driver linked them: the next run links each
    once, stores nothing twice and ends with the single-process result."""
    db = str(tmp_path / "resume.db")
    units = plan_units(api.sample_paths())
    early = BatchWorker(db, writes=True).process(units[:6])  # written, never linked
    assert sum(o.status == "new" for o in early) >= 6
    rep = ingest_local(db, api.sample_paths())
    assert rep.ok and rep.ingested == reference["ingested"] and rep.duplicates == 0
    snap = snapshot(db)
    assert_same(snap, reference, (*PER_DOC, "sources", "events", "stories", "unlinked"))
    again = ingest_local(db, api.sample_paths())  # idempotent: everything landed, nothing re-run
    assert again.ingested == 0 and again.duplicates == 0 and again.unchanged == reference["ingested"]
    assert snapshot(db)["sources"] == reference["sources"]


@pytest.mark.slow
@pytest.mark.integration
def test_ray_on_sqlite_matches_single_process(tmp_path: Path, reference: dict[str, Any], ray_cluster: Any) -> None:
    from newsweave.engines.ray_engine import ingest_ray

    db = str(tmp_path / "ray.db")
    rep = ingest_ray(db, api.sample_paths(), batch_size=8)
    assert rep.ok and rep.ingested == reference["ingested"]
    assert_same(snapshot(db), reference, (*PER_DOC, "sources", "events", "stories", "unlinked"))


def _mapworkers(ray: Any) -> list[dict[str, Any]]:
    from ray._private import state

    return [a for a in state.actors().values() if "EnrichActor" in a["ActorClassName"]]


def _kill_a_worker_mid_batch(url: str, ray: Any, total: int, killed: list[tuple[int, int]]) -> None:
    """SIGKILL one enrichment actor's process as soon as its batch has started writing."""
    store = api.open_db(url)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            n = store.count("documents")
            alive = [a for a in _mapworkers(ray) if a["State"] == "ALIVE" and a.get("Pid")]
            if 0 < n < total and alive:
                os.kill(int(alive[0]["Pid"]), signal.SIGKILL)
                killed.append((n, int(alive[0]["Pid"])))
                return
            time.sleep(0.05)
    finally:
        store.close()


@pytest.mark.slow
@pytest.mark.integration
def test_ray_on_postgres_survives_a_killed_worker(pg_url: str, reference: dict[str, Any], ray_cluster: Any) -> None:
    """Workers write to PostgreSQL themselves; one is killed mid-batch. Ray restarts it and
    re-runs its batch; no document is lost or stored twice, and the outputs are those of the
    single-process run (events and stories too, when linking runs on this store)."""
    from newsweave.engines.ray_engine import ingest_ray

    store = api.open_db(pg_url)
    link = can_link(store)
    store.close()
    total = reference["ingested"]
    killed: list[tuple[int, int]] = []
    killer = threading.Thread(target=_kill_a_worker_mid_batch, args=(pg_url, ray_cluster, total, killed), daemon=True)
    killer.start()
    rep = ingest_ray(pg_url, api.sample_paths(), batch_size=6, link=link)
    killer.join(timeout=5)
    assert killed, "no worker was running while documents were being written"
    assert sum(a["NumRestarts"] for a in _mapworkers(ray_cluster)) >= 1, "the killed actor was not restarted"
    assert rep.ok and rep.ingested + rep.unchanged == total and rep.duplicates == 0
    snap = snapshot(pg_url, events=link)
    assert len(snap["documents"]) == total and snap["sources"] == total  # none lost, none twice
    assert_same(snap, reference, (*PER_DOC, *(("events", "stories", "unlinked") if link else ())))


def _restart_when_writing(server: PgServer, url: str, at: int, done: list[int]) -> None:
    """Restart the server once ``at`` documents are stored (polled on a connection of its own)."""
    import psycopg

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with psycopg.connect(url, autocommit=True, connect_timeout=2) as c:
                n = int(c.execute("SELECT COUNT(*) FROM documents").fetchone()[0])
        except psycopg.Error:
            n = 0  # the schema is not there yet
        if n >= at:
            server.restart()
            done.append(n)
            return
        time.sleep(0.02)


@pytest.mark.slow
@pytest.mark.integration
def test_postgres_restarted_during_ingest(pg_server: PgServer, pg_url: str, reference: dict[str, Any]) -> None:
    """The server restarts while documents are written and linked. The run either finishes (a
    lost connection is retried on a fresh one) or stops with a StoreError that says what was
    lost; either way every stored document is whole, and running the same command again
    completes the corpus exactly as a run without the restart would have."""
    from newsweave.errors import StoreError

    restarted: list[int] = []
    t = threading.Thread(target=_restart_when_writing, args=(pg_server, pg_url, 8, restarted), daemon=True)
    t.start()
    try:
        first = ingest_local(pg_url, api.sample_paths(), batch_size=4)
        assert first.ok
    except StoreError as exc:
        assert "PostgreSQL" in str(exc) and ("lost the connection" in str(exc) or "no connection" in str(exc)), exc
    t.join(timeout=120)
    assert restarted, "the server was not restarted during the run"
    snap = snapshot(pg_url)
    stored = set(snap["documents"])
    assert stored and all(snap["documents"][d] == reference["documents"][d] for d in stored)
    for kind in PER_DOC[1:]:  # whole documents: every output of a stored document is there
        assert snap[kind] == [r for r in reference[kind] if r[0] in stored], kind
    again = ingest_local(pg_url, api.sample_paths(), batch_size=4)
    assert again.ok and again.duplicates == 0
    assert_same(snapshot(pg_url), reference, (*PER_DOC, "sources", "events", "stories", "unlinked"))
