"""Search latency (p50/p95) on synthetic corpora, on SQLite and PostgreSQL, and API requests/s.

    python benchmarks/bench_search.py                          # SQLite at 10k and 100k documents
    python benchmarks/bench_search.py --sizes 1000000 --keep /tmp/nw-bench   # reuse a built corpus
    python benchmarks/bench_search.py --pg --sizes 100000      # PostgreSQL: a temporary server
    python benchmarks/bench_search.py --db postgresql://me@host/empty_db --sizes 100000

Documents are synthetic (random sentences over a mixed English/German vocabulary with topic words,
dated over five years, 512-d unit vectors clustered by topic), bulk-written into a fresh store
(one SQLite transaction, or COPY on PostgreSQL; the pipeline is not what is measured here), then
the search indexes are built (SQLite: the posting index; PostgreSQL: GIN over the tsvector and
pgvector HNSW). Figures per size:

- ``full``   hybrid_search end to end, the query embedded by the real model (USE), uncached;
- ``index``  the same with the query vector precomputed (what the store and the indexes cost);
- ``embed``  the query embedding alone;
- ``filtered`` hybrid_search with a language and a date filter, vector precomputed;
- ``text``   hybrid_search with the text rankers only (BM25 over words and stems, phrases,
  entities; no vector index needed, so it is measured at any size);
- ``phrase`` the same for queries with the search syntax: phrases, a prefix, an exclusion;
- ``source`` the same with a source filter: an outlet (a sixth of the corpus) or a folder; a
  narrow filter's documents are kept between searches until a write (``search/scope.py``), so
  ``source_cold`` measures the same with them forgotten before every query;
- ``store_text`` the store's own full-text search alone (``store.search_text``: FTS5 or tsvector).

``--no-vector`` measures only the figures that need no vector index (``text``, ``phrase``,
``source``, ``store_text``): building the ANN index of a million vectors takes over an hour on
a busy two-core machine.

Every query runs once before timing (index load, model load; reported as ``first_ms``). Each
figure has wall-clock p50/p95 and the CPU time of this process per query (``cpu_p50_ms``): on a
shared machine the wall clock includes waiting for a core. PostgreSQL's own CPU time is not in
the latter (the server is another process).
Then a real uvicorn server answers ``GET /api/v1/documents/{id}`` and ``GET /api/v1/search`` in
a loop from 4 client threads for a few seconds each (SQLite only).
"""

from __future__ import annotations

import argparse
import io
import json
import random
import sys
import tempfile
import threading
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from newsweave import api
from newsweave.model import stable_id
from newsweave.search import hybrid_search
from newsweave.search.scope import forget_kept
from newsweave.store import DocFilter

COMMON_EN = ["the", "of", "and", "to", "in", "a", "said", "on", "for", "with", "was", "that", "at", "by", "from", "government", "officials", "minister", "talks", "report", "week", "city", "people", "country", "meeting", "president", "new", "after", "plan", "year", "support", "vote"]
COMMON_DE = ["der", "die", "das", "und", "in", "zu", "den", "mit", "von", "sagte", "am", "für", "auf", "ist", "nach", "Regierung", "Minister", "Gespräche", "Woche", "Stadt", "Land", "Treffen", "Präsident", "neue", "Plan", "Jahr", "Unterstützung", "Abstimmung"]
TOPICS = [
    ("harbour ferry timetable port shipping Hafen Fähre Fahrplan", "Harbourline"),
    ("election ballot parliament coalition Wahl Parlament Koalition", "Meridian"),
    ("drought harvest farmers water Dürre Ernte Bauern Wasser", "Rheinblick"),
    ("rail strike train drivers union Bahn Streik Zug Gewerkschaft", "Coastwire"),
    ("vaccine hospital doctors clinic Impfstoff Krankenhaus Ärzte Klinik", "Nordpost"),
    ("satellite launch rocket orbit Satellit Start Rakete Umlaufbahn", "Skyline"),
]
QUERIES = ["ferry timetable", "Wahl Koalition", "drought harvest farmers", "train drivers strike",
           "hospital vaccine", "rocket launch orbit", "Minister Gespräche Hafen", "parliament vote plan"]
SYNTAX_QUERIES = ['"ferry timetable"', '"Wahl Koalition" Parlament', '"train drivers" strike', 'hosp* vaccine',
                  "drought harvest -farmers", '"rocket launch" orbit', 'Minister "Gespräche Hafen"',
                  '"parliament vote" plan']
SOURCES = ["Harbourline", "bench/Skyline/12"]  # an outlet (a sixth of the corpus), a narrow folder prefix
DIM = 512


def synthetic(n: int, seed: int = 7) -> Iterator[dict[str, Any]]:
    """The corpus, one document a dict; the same for every backend and run."""
    rng = random.Random(seed)
    nrng = np.random.default_rng(seed)
    centroids = nrng.normal(size=(len(TOPICS), DIM)).astype("float32")
    for i in range(n):
        t = rng.randrange(len(TOPICS))
        lang = "en" if rng.random() < 0.55 else "de"
        common = COMMON_EN if lang == "en" else COMMON_DE
        topic = TOPICS[t][0].split()
        words = [rng.choice(topic) if rng.random() < 0.15 else rng.choice(common) for _ in range(rng.randint(80, 220))]
        day = f"{rng.randint(2020, 2024)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        v = centroids[t] + nrng.normal(scale=1.5, size=DIM).astype("float32")
        yield {"id": stable_id("bench", i), "text": " ".join(words).capitalize() + f". Item {i}.",
               "title": " ".join(rng.choice(topic) for _ in range(5)).capitalize(), "lang": lang, "day": day,
               "source": f"bench/{TOPICS[t][1]}/{i}.txt", "outlet": TOPICS[t][1], "vec": v / np.linalg.norm(v)}


def _published(day: str) -> str:
    return json.dumps({"value": day, "earliest": day, "latest": day, "source": "metadata", "evidence": []})


def make_sqlite(path: Path, n: int) -> None:
    store: Any = api.open_db(path)
    c = store.conn
    c.execute("BEGIN")
    for d in synthetic(n):
        did, text = d["id"], d["text"]
        c.execute(
            "INSERT INTO documents (id, raw_sha, raw, format, raw_text, text, title, lang, published, published_value)"
            " VALUES (?,?,?,?,?,?,?,?,?,?)",
            (did, did, zlib.compress(text.encode()), "text", text, text, d["title"], d["lang"], _published(d["day"]),
             d["day"]))
        c.execute("INSERT INTO sources (doc_id, source, raw_sha, outlet, seq) VALUES (?,?,?,?,1)",
                  (did, d["source"], did, d["outlet"]))
        c.execute("INSERT INTO vectors VALUES (?,?,?,?)", (did, "bench", DIM, d["vec"].astype("<f4").tobytes()))
    c.execute("COMMIT")
    store.close()


def make_postgres(url: str, n: int) -> None:
    """COPY the corpus into an empty PostgreSQL database, then build the HNSW index and analyse."""
    import psycopg

    from newsweave.store.pg_schema import hnsw_index_sql

    store: Any = api.open_db(url)  # the schema, and the vector column as pgvector's type
    if store.count("documents"):
        raise SystemExit(f"{url} is not empty; give the benchmark an empty database")
    store.close()
    with psycopg.connect(url) as conn:
        with conn.cursor() as cur:
            with cur.copy("COPY documents (id, raw_sha, raw, format, raw_text, text, title, lang, published, "
                          "published_value, ts_config) FROM STDIN") as cp:
                for d in synthetic(n):
                    cp.write_row((d["id"], d["id"], zlib.compress(d["text"].encode()), "text", d["text"], d["text"],
                                  d["title"], d["lang"], _published(d["day"]), d["day"],
                                  "english" if d["lang"] == "en" else "german"))
            with cur.copy("COPY sources (doc_id, source, raw_sha, outlet, seq) FROM STDIN") as cp:
                for d in synthetic(n):
                    cp.write_row((d["id"], d["source"], d["id"], d["outlet"], 1))
            with cur.copy("COPY vectors (doc_id, model, dim, vec) FROM STDIN") as cp:
                for d in synthetic(n):
                    buf = io.StringIO()
                    np.savetxt(buf, d["vec"][None, :], fmt="%.6f", delimiter=",", newline="")
                    cp.write_row((d["id"], "bench", DIM, f"[{buf.getvalue()}]"))
            cur.execute("INSERT INTO fts_configs VALUES ('english'), ('german') ON CONFLICT DO NOTHING")
        conn.commit()
        conn.execute("SET maintenance_work_mem = '2GB'")
        conn.execute(hnsw_index_sql(DIM))
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE")


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(p / 100 * (len(xs) - 1)))]


def timed(fn: Any, queries: list[str]) -> dict[str, float]:
    """Wall-clock latency, and the CPU time this process spent per query (on a shared machine the
    wall clock also counts the time other processes held the cores; the CPU time does not)."""
    t0 = time.perf_counter()
    fn(queries[0])
    first = (time.perf_counter() - t0) * 1000
    out, cpu = [], []
    for q in queries[1:]:
        t, c = time.perf_counter(), time.process_time()
        fn(q)
        out.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    return {"first_ms": round(first, 1), "p50_ms": round(pct(out, 50), 1), "p95_ms": round(pct(out, 95), 1),
            "cpu_p50_ms": round(pct(cpu, 50), 1), "cpu_p95_ms": round(pct(cpu, 95), 1)}


def _queries(base: list[str], n: int) -> list[str]:
    """``n`` queries cycling through ``base``, each new one with a number (a word of one document)."""
    return [base[i % len(base)] + ("" if i < len(base) else f" {i}") for i in range(n)]


def bench_store(store: Any, n_queries: int, *, vector: bool = True) -> dict[str, Any]:
    queries = _queries(QUERIES, n_queries)
    text = ("bm25", "stems", "phrase", "entity")
    runs: dict[str, Any] = {}
    if vector:
        from newsweave.stages.embed import embed_query  # uncached: every query pays for its embedding

        vecs = {q: embed_query(q) for q in queries}  # also loads the model
        flt = DocFilter(lang="de", date_from="2023-01-01")
        runs = {
            "index": lambda q: hybrid_search(store, q, embedder=lambda s: vecs[s], min_cosine=-1.0),
            "full": lambda q: hybrid_search(store, q, embedder=embed_query, min_cosine=-1.0),
            "embed": embed_query,
            "filtered": lambda q: hybrid_search(store, q, flt, embedder=lambda s: vecs[s], min_cosine=-1.0),
        }
    runs["text"] = lambda q: hybrid_search(store, q, rankers=text)
    runs["store_text"] = lambda q: store.search_text(q, limit=10)
    out = {name: timed(fn, queries) for name, fn in runs.items()}
    out["phrase"] = timed(lambda q: hybrid_search(store, q, rankers=text), _queries(SYNTAX_QUERIES, n_queries))
    for src in SOURCES:
        out[f"source:{src}"] = timed(lambda q, src=src: hybrid_search(store, q, DocFilter(source=src), rankers=text),
                                     queries)

        def cold(q: str, src: str = src) -> Any:
            forget_kept(store)  # the filter's documents fetched again, as on its first use after a write
            return hybrid_search(store, q, DocFilter(source=src), rankers=text)

        out[f"source_cold:{src}"] = timed(cold, queries)
    return out


def bench_sqlite(n: int, n_queries: int, workdir: Path, *, vector: bool = True) -> dict[str, Any]:
    from newsweave.search.postings import PostingIndex

    db = workdir / f"bench-{n}.db"
    res: dict[str, Any] = {"backend": "sqlite", "docs": n}
    store: Any = api.open_db(db) if db.exists() else None
    if store is None or store.count("documents") != n:
        if store is not None:
            store.close()
            for f in workdir.glob(f"bench-{n}.db*"):
                f.unlink()
        t = time.perf_counter()
        make_sqlite(db, n)
        res["build_s"] = round(time.perf_counter() - t, 1)
        store = api.open_db(db)
    t = time.perf_counter()
    idx = PostingIndex.for_store(store)
    assert idx is not None
    idx.sync()
    res["posting_index_s"] = round(time.perf_counter() - t, 1)
    res.update(bench_store(store, n_queries, vector=vector))
    store.close()
    return res


def bench_postgres(url: str, n: int, n_queries: int) -> dict[str, Any]:
    res: dict[str, Any] = {"backend": "postgresql", "docs": n}
    t = time.perf_counter()
    make_postgres(url, n)
    res["build_s"] = round(time.perf_counter() - t, 1)
    store: Any = api.open_db(url)
    res.update(bench_store(store, n_queries))
    store.close()
    return res


def bench_api(db: Path, seconds: float = 5.0, threads: int = 4) -> list[dict[str, Any]]:
    import socket

    import httpx
    import uvicorn

    from newsweave.rest import create_app

    store: Any = api.open_db(db)
    ids = [r[0] for r in store._q("SELECT id FROM documents ORDER BY id LIMIT 1000")]
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    server = uvicorn.Server(uvicorn.Config(create_app(store), host="127.0.0.1", port=port, log_level="warning"))
    th = threading.Thread(target=server.run, daemon=True)
    th.start()
    while not server.started:
        time.sleep(0.05)
    out = []
    paths = {"GET /api/v1/documents/{id}": lambda k: f"/api/v1/documents/{ids[k % len(ids)]}",
             "GET /api/v1/search?q=": lambda k: f"/api/v1/search?q={QUERIES[k % len(QUERIES)]}+{k}&limit=10"}
    for name, path in paths.items():
        counts = [0] * threads
        stop = time.perf_counter() + seconds

        def worker(k: int, path: Any = path, stop: float = stop, counts: list[int] = counts) -> None:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as c:
                while time.perf_counter() < stop:
                    r = c.get(path(counts[k] * threads + k))
                    assert r.status_code == 200, r.text
                    counts[k] += 1

        ws = [threading.Thread(target=worker, args=(k,)) for k in range(threads)]
        t = time.perf_counter()
        for w in ws:
            w.start()
        for w in ws:
            w.join()
        elapsed = time.perf_counter() - t
        out.append({"endpoint": name, "clients": threads, "requests": sum(counts),
                    "requests_per_s": round(sum(counts) / elapsed, 1)})
    server.should_exit = True
    th.join(timeout=10)
    store.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--queries", type=int, default=60)
    ap.add_argument("--api-seconds", type=float, default=5.0, help="0 skips the API figures")
    ap.add_argument("--keep", help="folder for the SQLite corpora, reused by later runs (default: a temporary one)")
    ap.add_argument("--db", help="a postgresql:// URL of an empty database to benchmark PostgreSQL on (one size)")
    ap.add_argument("--pg", action="store_true", help="start a temporary PostgreSQL 15 server and benchmark on it")
    ap.add_argument("--no-vector", action="store_true", help="only the figures that need no vector index")
    args = ap.parse_args()
    sizes = [int(x) for x in args.sizes.split(",")]
    if args.db or args.pg:
        bench_pg(args, sizes)
        return
    with tempfile.TemporaryDirectory(prefix="nw-bench-") as tmp:
        work = Path(args.keep or tmp)
        work.mkdir(parents=True, exist_ok=True)
        for n in sizes:
            print(json.dumps(bench_sqlite(n, args.queries, work, vector=not args.no_vector)), flush=True)
        if args.api_seconds > 0:
            for r in bench_api(work / f"bench-{sizes[-1]}.db", args.api_seconds):
                print(json.dumps(r), flush=True)


def bench_pg(args: argparse.Namespace, sizes: list[int]) -> None:
    if args.db:
        if len(sizes) != 1:
            raise SystemExit("--db takes one size (the database must be empty)")
        print(json.dumps(bench_postgres(args.db, sizes[0], args.queries)), flush=True)
        return
    import shutil

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    from pg_server import start_server  # the test suite's real, temporary server

    srv = start_server()
    try:
        for n in sizes:
            url = srv.create_database()
            print(json.dumps(bench_postgres(url, n, args.queries)), flush=True)
            srv.drop_database(url)
    finally:
        srv.stop("immediate")
        shutil.rmtree(srv.root, ignore_errors=True)


if __name__ == "__main__":
    main()
