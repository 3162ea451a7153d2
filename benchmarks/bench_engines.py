"""Ingest throughput by engine and store, and what each pipeline stage costs per document.

    python benchmarks/bench_engines.py                         # 10k synthetic + the sample corpus
    python benchmarks/bench_engines.py --synthetic 2000 --workers 2
    python benchmarks/bench_engines.py --pg-url postgresql://nw@localhost/postgres   # an existing server
    python benchmarks/bench_engines.py --stages-only --stage-docs 300

Runs, each on a fresh store, over the same inputs (N synthetic text files + the sample corpus):

- ``local  sqlite``   one process, SQLite, the full pipeline including linking (events, stories)
- ``local  postgres`` one process, PostgreSQL, every per-document stage (linking: see below)
- ``ray    postgres`` Ray Data with ``--workers`` actors writing to PostgreSQL, then the driver

Without ``--pg-url`` a throw-away PostgreSQL 15 is started with ``tests/pg_server.py``'s helper.
PostgreSQL runs are without linking while ``engines.local.can_link`` says the linking step does
not run on that store; the output says which. Documents/s counts every stored document, wall
clock from the call to the report (Ray's start-up and the actors' model loading included).

``stages``: each stage timed alone over the same documents in batches (models loaded first, load
time shown apart), then the store write and the online linking step on SQLite: ms per document.
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
from newsweave.engines.local import can_link, ingest_local, open_linker
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


def stage_costs(paths: list[str], label: str, tmp: Path, batch: int = 32) -> None:
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
    store = api.open_db(tmp / f"stages-{label.split()[0]}.db")
    t0 = time.perf_counter()
    for d in docs:
        store.write_document(d)
    dt = time.perf_counter() - t0
    print(f"  {'write':<9} {1000 * dt / max(1, len(docs)):8.2f} ms/doc (SQLite, one transaction per document)")
    linker = open_linker(store)
    if linker is not None:
        t0 = time.perf_counter()
        for d in docs:
            linker.add(d)
        add = time.perf_counter() - t0
        t0 = time.perf_counter()
        linker.finish()
        fin = time.perf_counter() - t0
        print(f"  {'link':<9} {1000 * add / max(1, len(docs)):8.2f} ms/doc online + finish {fin:.1f}s "
              f"(summaries, stories)")
    store.close()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  (mean raw size {chars:.0f} characters; peak RSS of this process {rss:.0f} MB)")


def start_pg() -> Any:
    sys.path.insert(0, str(REPO / "tests"))
    from pg_server import start_server

    return start_server()


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
                    "the runs create nw_bench_local and nw_bench_ray beside it (else a server is started)")
    ap.add_argument("--address", help="a Ray cluster to join (else a local one with --workers CPUs)")
    ap.add_argument("--stages-only", action="store_true", help="only the per-stage costs")
    ap.add_argument("--stage-docs", type=int, default=500, help="synthetic documents for the per-stage costs")
    ap.add_argument("--skip", default="", help="comma-separated runs to skip: sqlite,pg,ray,stages")
    args = ap.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    tmp = Path(tempfile.mkdtemp(prefix="nw-bench-engines-"))
    srv = None
    try:
        sample = api.sample_paths()
        if "stages" not in skip:
            stage_costs(sample, "sample corpus", tmp)
            write_corpus(tmp / "stage-syn", args.stage_docs, seed=2)
            stage_costs([str(tmp / "stage-syn")], f"synthetic x{args.stage_docs}", tmp)
        if args.stages_only:
            return
        write_corpus(tmp / "syn", args.synthetic, seed=1)
        paths = [str(tmp / "syn"), *sample]
        expected = args.synthetic + 46
        print(f"\ningest of {args.synthetic} synthetic + sample documents, batch size {args.batch_size}:")
        if "sqlite" not in skip:
            db = str(tmp / "local.db")
            timed("local  sqlite   (with linking)", expected,
                  lambda: ingest_local(db, paths, batch_size=args.batch_size), db)
        if {"pg", "ray"} - skip:
            if args.pg_url:
                dbs = [create_database(args.pg_url, f"nw_bench_{k}") for k in ("local", "ray")]
            else:
                srv = start_pg()
                dbs = [srv.create_database(), srv.create_database()]
            probe = api.open_db(dbs[0])
            link = can_link(probe)
            probe.close()
            what = "with linking" if link else "no linking"
            if "pg" not in skip:
                timed(f"local  postgres ({what})", expected,
                      lambda: ingest_local(dbs[0], paths, batch_size=args.batch_size, link=link), dbs[0])
            if "ray" not in skip:
                from newsweave.engines.ray_engine import ingest_ray

                timed(f"ray x{args.workers} postgres ({what})", expected,
                      lambda: ingest_ray(dbs[1], paths, batch_size=args.batch_size, workers=args.workers,
                                         num_cpus=args.workers, address=args.address, link=link), dbs[1])
    finally:
        if srv is not None:
            srv.stop("immediate")
            shutil.rmtree(srv.root, ignore_errors=True)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
