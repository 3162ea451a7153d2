"""Ingest throughput by engine and store, and what each pipeline stage costs per document.

    python benchmarks/bench_engines.py                         # 10k synthetic + the sample corpus
    python benchmarks/bench_engines.py --synthetic 2000 --workers 2
    python benchmarks/bench_engines.py --pg-url postgresql://nw@localhost/postgres   # an existing server
    python benchmarks/bench_engines.py --stages-only --stage-docs 300

Runs, each on a fresh store, over the same inputs (N synthetic text files + the sample corpus):

- ``local  sqlite``   one process, SQLite, the full pipeline including linking (events, stories)
- ``local  postgres`` one process, PostgreSQL, the same
- ``ray    postgres`` Ray Data with ``--workers`` actors writing to PostgreSQL, the driver linking

Without ``--pg-url`` a throw-away PostgreSQL 15 is started with ``tests/pg_server.py``'s helper.
``--no-link`` runs every per-document stage without the events/stories step. Documents/s counts
every stored document, wall clock from the call to the report (Ray's start-up and the actors'
model loading included).

``stages``: each stage timed alone over the same documents in batches (models loaded first, load
time shown apart), then the store write and the linking step (online per document, and the
end-of-run summaries and stories) on SQLite and on PostgreSQL: ms per document.
"""

from __future__ import annotations

import argparse
import copy
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from newsweave import api
from newsweave.engines.local import ingest_local, open_linker
from newsweave.model import Document
from newsweave.pipeline import Pipeline, build_pipeline, ensure_loaded
from newsweave.stages.ingest import iter_items, to_document
from newsweave.synthetic import write_corpus

REPO = Path(__file__).resolve().parent.parent


def timed(label: str, n_expected: int, fn: Callable[[], Any], url: str) -> None:
    t0 = time.perf_counter()
    rep = fn()
    dt = time.perf_counter() - t0
    store = api.open_db(url)
    n = store.count("documents")
    store.close()
    print(f"{label:<34} {n:>6} docs in {dt:8.1f}s = {n / dt:7.1f} docs/s"
          f"  (report: {rep.ingested} new, {len(rep.rejected)} rejected; expected ~{n_expected})", flush=True)


def warm_up_linking(docs: list[Document]) -> None:
    """Load what the linking step loads on first use (MinHash, the index library, the summary
    model) on a throw-away store, so that the timings below are per document, not first-use."""
    store = api.open_db(":memory:")
    linker = open_linker(store)
    if linker is not None:
        for d in copy.deepcopy(docs[:3]):
            store.write_document(d)
            linker.add(d)
        linker.finish()
    store.close()


def store_costs(docs: list[Document], name: str, url: str) -> None:
    """The store write and the linking step for already enriched documents, ms per document."""
    store = api.open_db(url)
    try:
        t0 = time.perf_counter()
        for d in docs:
            store.write_document(d)
        dt = time.perf_counter() - t0
        print(f"  {'write':<9} {1000 * dt / max(1, len(docs)):8.2f} ms/doc ({name}, one transaction per document)")
        linker = open_linker(store)
        if linker is None:
            return
        t0 = time.perf_counter()
        for d in docs:
            linker.add(d)
        add = time.perf_counter() - t0
        t0 = time.perf_counter()
        linker.finish()
        fin = time.perf_counter() - t0
        print(f"  {'link':<9} {1000 * add / max(1, len(docs)):8.2f} ms/doc online + finish "
              f"{1000 * fin / max(1, len(docs)):.2f} ms/doc (summaries, stories; {name})")
    finally:
        store.close()


def stage_costs(paths: list[str], label: str, tmp: Path, pg: Callable[[], str] | None, batch: int = 32) -> None:
    docs: list[Document] = [to_document(x) for x in iter_items(paths) if not isinstance(x, Exception)]
    pipe = build_pipeline()
    t0 = time.perf_counter()
    for st in pipe.stages:
        ensure_loaded(st)
    pipe.run(copy.deepcopy(docs))  # warm-up: stages load per-language models on first use
    load = time.perf_counter() - t0
    print(f"\nper-stage cost on {label} ({len(docs)} docs, batches of {batch}; models loaded and warmed up in {load:.1f}s):")
    chars = sum(len(d.raw_text or d.raw) for d in docs) / max(1, len(docs))
    for st in pipe.stages:
        one = Pipeline([st], available=frozenset(Document.__dataclass_fields__))
        t0 = time.perf_counter()
        out: list[Document] = []
        for i in range(0, len(docs), batch):
            out += one.run(docs[i : i + batch])
        dt = time.perf_counter() - t0
        docs = out
        print(f"  {st.name:<9} {1000 * dt / max(1, len(docs)):8.2f} ms/doc")
    warm_up_linking(docs)
    store_costs(docs, "SQLite", str(tmp / f"stages-{label.split()[0]}.db"))
    if pg is not None:
        store_costs(copy.deepcopy(docs), "PostgreSQL", pg())
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  (mean raw size {chars:.0f} characters; peak RSS of this process {rss:.0f} MB)")


def start_pg() -> Any:
    sys.path.insert(0, str(REPO / "tests"))
    from pg_server import start_server

    return start_server()


def start_ray(workers: int, address: str | None) -> None:
    """Ray first, before this process runs any stage: started late in a process that has run
    them, Ray's core has aborted with ``std::regex_error`` on this machine."""
    import logging

    import ray

    if address:
        ray.init(address=address, include_dashboard=False, logging_level=logging.WARNING, log_to_driver=False)
    else:
        ray.init(num_cpus=workers, include_dashboard=False, logging_level=logging.WARNING, log_to_driver=False)


def create_database(server_url: str, name: str) -> str:
    """A fresh database beside the one ``server_url`` names (needs CREATE DATABASE rights)."""
    import psycopg

    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE template0 ENCODING \'UTF8\'')
    return server_url.rsplit("/", 1)[0] + "/" + name


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--synthetic", type=int, default=10000, help="synthetic documents besides the sample corpus")
    ap.add_argument("--workers", type=int, default=2, help="Ray actors")
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--pg-url", help="postgresql:// URL of a server database with CREATE DATABASE rights; "
                    "the runs create nw_bench_0, nw_bench_1, ... beside it (else a server is started)")
    ap.add_argument("--address", help="a Ray cluster to join (else a local one with --workers CPUs)")
    ap.add_argument("--stages-only", action="store_true", help="only the per-stage costs")
    ap.add_argument("--stage-docs", type=int, default=500, help="synthetic documents for the per-stage costs")
    ap.add_argument("--skip", default="", help="comma-separated runs to skip: sqlite,pg,ray,stages")
    ap.add_argument("--no-link", action="store_true", help="skip the events/stories step in the ingest runs")
    args = ap.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    tmp = Path(tempfile.mkdtemp(prefix="nw-bench-engines-"))
    srv = None
    made = iter(range(1_000_000))

    def new_pg() -> str:
        """A fresh PostgreSQL database: beside --pg-url, or on a server started for this run."""
        nonlocal srv
        if args.pg_url:
            return create_database(args.pg_url, f"nw_bench_{next(made)}")
        if srv is None:
            srv = start_pg()
        return str(srv.create_database())

    try:
        if "ray" not in skip and not args.stages_only:
            start_ray(args.workers, args.address)
        sample = api.sample_paths()
        if "stages" not in skip:
            pg = None if "pg" in skip else new_pg
            stage_costs(sample, "sample corpus", tmp, pg)
            write_corpus(tmp / "stage-syn", args.stage_docs, seed=2)
            stage_costs([str(tmp / "stage-syn")], f"synthetic x{args.stage_docs}", tmp, pg)
        if args.stages_only:
            return
        write_corpus(tmp / "syn", args.synthetic, seed=1)
        paths = [str(tmp / "syn"), *sample]
        expected = args.synthetic + 46
        print(f"\ningest of {args.synthetic} synthetic + sample documents, batch size {args.batch_size}:")
        link = not args.no_link
        what = "with linking" if link else "no linking"
        if "sqlite" not in skip:
            db = str(tmp / "local.db")
            timed(f"local  sqlite   ({what})", expected,
                  lambda: ingest_local(db, paths, batch_size=args.batch_size, link=link), db)
        if "pg" not in skip:
            url = new_pg()
            timed(f"local  postgres ({what})", expected,
                  lambda: ingest_local(url, paths, batch_size=args.batch_size, link=link), url)
        if "ray" not in skip:
            from newsweave.engines.ray_engine import ingest_ray

            url = new_pg()
            timed(f"ray x{args.workers} postgres ({what})", expected,
                  lambda: ingest_ray(url, paths, batch_size=args.batch_size, workers=args.workers,
                                     num_cpus=args.workers, address=args.address, link=link), url)
    finally:
        if "ray" not in skip and not args.stages_only:
            import ray

            ray.shutdown()
        if srv is not None:
            srv.stop("immediate")
            shutil.rmtree(srv.root, ignore_errors=True)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
