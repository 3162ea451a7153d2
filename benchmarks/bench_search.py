"""Search latency (p50/p95) at 10k and 100k synthetic documents, and API requests/s for a typical read.

    python benchmarks/bench_search.py                 # 10k and 100k
    python benchmarks/bench_search.py --sizes 10000 --queries 100

Documents are synthetic (random sentences over a mixed English/German vocabulary with topic words,
dated over five years, 512-d unit vectors clustered by topic), bulk-written into a fresh SQLite
store in one transaction (the pipeline is not what is measured here). Three figures per size:

- ``full``   hybrid_search end to end, the query embedded by the real model (USE);
- ``index``  the same with the query vector precomputed (what the store and the indexes cost);
- ``bm25``   the store's FTS5 ranking alone.

The first query of each kind (index build, model load) is excluded and reported separately.
Then a real uvicorn server answers ``GET /api/v1/documents/{id}`` in a loop for a few seconds.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import threading
import time
import zlib
from pathlib import Path
from typing import Any

import numpy as np

from newsweave import api
from newsweave.model import stable_id
from newsweave.search import hybrid_search
from newsweave.search.stems import StemIndex

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


def make_corpus(path: Path, n: int, dim: int = 512, seed: int = 7) -> None:
    rng = random.Random(seed)
    nrng = np.random.default_rng(seed)
    centroids = nrng.normal(size=(len(TOPICS), dim)).astype("float32")
    store: Any = api.open_db(path)
    c = store.conn
    c.execute("BEGIN")
    for i in range(n):
        t = rng.randrange(len(TOPICS))
        lang = "en" if rng.random() < 0.55 else "de"
        common = COMMON_EN if lang == "en" else COMMON_DE
        topic = TOPICS[t][0].split()
        words = [rng.choice(topic) if rng.random() < 0.15 else rng.choice(common) for _ in range(rng.randint(80, 220))]
        text = " ".join(words).capitalize() + f". Item {i}."
        title = " ".join(rng.choice(topic) for _ in range(5)).capitalize()
        did = stable_id("bench", i)
        day = f"{rng.randint(2020, 2024)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        pub = json.dumps({"value": day, "earliest": day, "latest": day, "source": "metadata", "evidence": []})
        c.execute(
            "INSERT INTO documents (id, raw_sha, raw, format, raw_text, text, title, lang, published, published_value)"
            " VALUES (?,?,?,?,?,?,?,?,?,?)",
            (did, did, zlib.compress(text.encode()), "text", text, text, title, lang, pub, day))
        c.execute("INSERT INTO sources (doc_id, source, raw_sha, outlet, seq) VALUES (?,?,?,?,1)",
                  (did, f"bench/{TOPICS[t][1]}/{i}.txt", did, TOPICS[t][1]))
        c.execute("INSERT INTO documents_fts (doc_id, title, text) VALUES (?,?,?)", (did, title, text))
        v = centroids[t] + nrng.normal(scale=1.5, size=dim).astype("float32")
        v /= np.linalg.norm(v)
        c.execute("INSERT INTO vectors VALUES (?,?,?,?)", (did, "bench", dim, v.astype("<f4").tobytes()))
    c.execute("COMMIT")
    store.close()


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(p / 100 * (len(xs) - 1)))]


def timed(fn: Any, queries: list[str]) -> tuple[float, list[float]]:
    t0 = time.perf_counter()
    fn(queries[0])
    first = (time.perf_counter() - t0) * 1000
    out = []
    for q in queries[1:]:
        t = time.perf_counter()
        fn(q)
        out.append((time.perf_counter() - t) * 1000)
    return first, out


def bench_size(n: int, n_queries: int, workdir: Path) -> dict[str, Any]:
    db = workdir / f"bench-{n}.db"
    t = time.perf_counter()
    make_corpus(db, n)
    build_s = time.perf_counter() - t
    store: Any = api.open_db(db)
    t = time.perf_counter()
    stems = StemIndex.for_store(store)
    assert stems is not None
    stems.sync()
    stem_s = time.perf_counter() - t
    from newsweave.search.vectors import default_embedder
    from newsweave.stages.embed import embed_query  # uncached: every query pays for its embedding

    embed = default_embedder()
    queries = [QUERIES[i % len(QUERIES)] + ("" if i < len(QUERIES) else f" {i}") for i in range(n_queries)]
    vecs = {q: list(embed(q)) for q in queries}  # also warms the model
    res: dict[str, Any] = {"docs": n, "build_s": round(build_s, 1), "stem_index_s": round(stem_s, 1)}
    runs = {
        "index": lambda q: hybrid_search(store, q, embedder=lambda s: vecs[s], min_cosine=-1.0),
        "full": lambda q: hybrid_search(store, q, embedder=embed_query, min_cosine=-1.0),
        "bm25": lambda q: store.search_text(q, limit=10),
    }
    for name, fn in runs.items():
        first, lat = timed(fn, queries)
        res[name] = {"first_ms": round(first, 1), "p50_ms": round(pct(lat, 50), 1), "p95_ms": round(pct(lat, 95), 1)}
    store.close()
    return res


def bench_api(db: Path, seconds: float = 5.0, threads: int = 4) -> dict[str, Any]:
    import httpx
    import uvicorn

    from newsweave.rest import create_app

    store: Any = api.open_db(db)
    ids = [r[0] for r in store._q("SELECT id FROM documents ORDER BY id LIMIT 1000")]
    if ids:
        import socket

        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        server = uvicorn.Server(uvicorn.Config(create_app(store), host="127.0.0.1", port=port, log_level="warning"))
        th = threading.Thread(target=server.run, daemon=True)
        th.start()
        while not server.started:
            time.sleep(0.05)
        counts = [0] * threads
        stop = time.perf_counter() + seconds

        def worker(k: int) -> None:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}") as c:
                while time.perf_counter() < stop:
                    r = c.get(f"/api/v1/documents/{ids[counts[k] % len(ids)]}")
                    assert r.status_code == 200
                    counts[k] += 1

        ws = [threading.Thread(target=worker, args=(k,)) for k in range(threads)]
        t = time.perf_counter()
        for w in ws:
            w.start()
        for w in ws:
            w.join()
        elapsed = time.perf_counter() - t
        server.should_exit = True
        th.join(timeout=10)
    store.close()
    return {"endpoint": "GET /api/v1/documents/{id}", "clients": threads, "requests": sum(counts),
            "requests_per_s": round(sum(counts) / elapsed, 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--queries", type=int, default=60)
    ap.add_argument("--api-seconds", type=float, default=5.0)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="nw-bench-") as tmp:
        work = Path(tmp)
        last = None
        for n in (int(x) for x in args.sizes.split(",")):
            r = bench_size(n, args.queries, work)
            print(json.dumps(r), flush=True)
            last = work / f"bench-{n}.db"
        if last is not None:
            print(json.dumps(bench_api(last, args.api_seconds)), flush=True)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
