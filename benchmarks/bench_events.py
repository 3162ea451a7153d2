"""Scale benchmark for online event clustering: time per new document at 10k, 100k, 1M documents.

    .venv/bin/python benchmarks/bench_events.py --sizes 10000,100000 [--dim 512] [--new 300]

For each size N a fresh SQLite store is filled with N synthetic documents (a vector, an entity
set and an event date each, grouped into synthetic events of 1-12 documents) by bulk SQL, and
the ANN index is built from them. Then ``--new`` further documents (70 % from existing events,
30 % opening new ones) go through ``store.write_document`` + ``Linker.add``; only ``Linker.add``
(the clustering step: MinHash probe, ANN search, candidate features, decision, event write) is
timed. Printed per size: mean / median / p95 ms per new document, the share placed in their true
event, and the process RSS. Flat means the ms per document at 1M is at most twice that at 10k.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sqlite3
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from newsweave.link import Linker, LinkParams
from newsweave.link.index import VectorIndex
from newsweave.link.synthetic import make_document
from newsweave.model import stable_id
from newsweave.store import open_store

WORDS = [f"w{i}" for i in range(5000)]
N_ENTITIES = 20000
TYPES = ["PER", "ORG", "LOC"]


def rss_mb() -> float:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class World:
    """Synthetic events: a centre vector, a date, a few entities (Zipf-popular), a place."""

    def __init__(self, dim: int, seed: int = 0) -> None:
        self.dim = dim
        self.rng = np.random.default_rng(seed)
        self.py = random.Random(seed)
        self.events: list[tuple[np.ndarray, date, list[int]]] = []
        self.start = date(2019, 1, 1)
        ranks = np.arange(1, N_ENTITIES + 1)
        self.ent_p = (1 / ranks) / (1 / ranks).sum()

    def new_event(self) -> int:
        c = self.rng.normal(size=self.dim).astype(np.float32)
        day = self.start + timedelta(days=int(self.rng.integers(0, 5 * 365)))
        ents = sorted(set(self.rng.choice(N_ENTITIES, size=int(self.rng.integers(3, 7)), p=self.ent_p).tolist()))
        self.events.append((c / np.linalg.norm(c), day, ents))
        return len(self.events) - 1

    def doc(self, e: int) -> tuple[np.ndarray, date, list[int], str]:
        c, day, ents = self.events[e]
        v = c + 0.45 * self.rng.normal(size=self.dim).astype(np.float32) / np.sqrt(self.dim) * np.sqrt(self.dim)
        v = 0.85 * c + 0.15 * v / np.linalg.norm(v)
        d = day + timedelta(days=int(self.rng.integers(0, 2)))
        text = " ".join(self.py.choices(WORDS, k=60))
        return (v / np.linalg.norm(v)).astype(np.float32), d, ents, text


def ent_key(i: int) -> tuple[str, str]:
    t = TYPES[i % 3]
    return t, f"{t}:entity-{i}"


def fill(db: Path, world: World, n: int, batch: int = 20000) -> tuple[list[str], list[int]]:
    """Bulk-insert ``n`` documents in synthetic events straight into the store's tables."""
    store = open_store(db)
    store.close()
    con = sqlite3.connect(db, isolation_level=None)
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("BEGIN")
    for i in range(N_ENTITIES):
        t, key = ent_key(i)
        con.execute("INSERT INTO entities (id, key, name, type) VALUES (?,?,?,?)", (stable_id("entity", key), key, key, t))
    con.execute("COMMIT")
    ids: list[str] = []
    truth: list[int] = []
    done = 0
    while done < n:
        docs: list[tuple[object, ...]] = []
        ments: list[tuple[object, ...]] = []
        vecs: list[tuple[object, ...]] = []
        evs: list[tuple[object, ...]] = []
        while len(docs) < batch and done < n:
            e = world.new_event()
            size = min(n - done, int(world.rng.integers(1, 13)))
            eid = stable_id("event", "bench", e)
            prof: dict[str, float] = {}
            days = []
            for _ in range(size):
                v, d, ents, _text = world.doc(e)
                did = stable_id("doc", "bench", done)
                dj = json.dumps({"value": d.isoformat(), "earliest": d.isoformat(), "latest": d.isoformat()})
                docs.append((did, "x", b"", "text", "", "", None, "en", 1.0, "[]", "{}", "[]", "[]", dj, d.isoformat(),
                             dj, eid, None, "{}"))
                for j in ents:
                    t, key = ent_key(j)
                    eidn = stable_id("entity", key)
                    ments.append((stable_id("mention", did, j), did, 0, 1, key, t, eidn, None, 1.0))
                    prof[eidn] = prof.get(eidn, 0.0) + {"PER": 1.0, "ORG": 0.8, "LOC": 0.5}[t]
                vecs.append((did, "synthetic", world.dim, v.tobytes()))
                days.append(d.isoformat())
                ids.append(did)
                truth.append(e)
                done += 1
            meta = {"entities": prof, "days": days, "n": size, "open": True}
            evs.append((eid, "", min(days), min(days), max(days), None, "[]", "", None, json.dumps(meta)))
        con.execute("BEGIN")
        con.executemany("INSERT INTO documents (id, raw_sha, raw, format, raw_text, text, title, lang, lang_confidence,"
                        " removed, meta, paragraphs, sentences, published, published_value, event_date, event_id,"
                        " story_id, stage_versions) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", docs)
        con.executemany("INSERT INTO mentions VALUES (?,?,?,?,?,?,?,?,?)", ments)
        con.executemany("INSERT INTO vectors VALUES (?,?,?,?)", vecs)
        con.executemany("INSERT INTO events VALUES (?,?,?,?,?,?,?,?,?,?)", evs)
        con.execute("COMMIT")
    con.close()
    return ids, truth


def run(n: int, dim: int, n_new: int, keep: bool) -> dict[str, float]:
    world = World(dim, seed=n)
    tmp = Path(tempfile.mkdtemp(prefix=f"nw-bench-{n}-"))
    db = tmp / "bench.db"
    t0 = time.perf_counter()
    fill(db, world, n)
    t_fill = time.perf_counter() - t0
    store = open_store(db)
    t0 = time.perf_counter()
    index = VectorIndex.open(store)
    t_index = time.perf_counter() - t0
    linker = Linker(store, LinkParams(summaries=False), index=index)
    times, right = [], 0
    for i in range(n_new):
        e = world.py.randrange(len(world.events)) if world.py.random() < 0.7 else world.new_event()
        v, d, ents, text = world.doc(e)
        doc = make_document(text, day=d.isoformat(), vector=v, entities=[(ent_key(j)[0], f"entity-{j}") for j in ents],
                            doc_id=stable_id("doc", "bench-new", n, i))
        store.write_document(doc)
        t = time.perf_counter()
        dec = linker.add(doc)
        times.append((time.perf_counter() - t) * 1000)
        want = stable_id("event", "bench", e)
        # right: joined its true event, or opened a new one for a new synthetic event
        right += dec.event_id == want or (dec.event_id is None and store.get_event(want) is None)
    out = {"n": n, "fill_s": t_fill, "index_s": t_index, "mean_ms": statistics.mean(times),
           "median_ms": statistics.median(times), "p95_ms": float(np.percentile(times, 95)),
           "placed_right": right / n_new, "rss_mb": rss_mb()}
    store.close()
    if not keep:
        for p in tmp.iterdir():
            p.unlink()
        os.rmdir(tmp)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="10000,100000", help="comma-separated corpus sizes (e.g. 10000,100000,1000000)")
    ap.add_argument("--dim", type=int, default=512, help="vector dimension (512 = the default encoder's)")
    ap.add_argument("--new", type=int, default=300, help="new documents timed at each size")
    ap.add_argument("--keep", action="store_true", help="keep the temporary databases")
    args = ap.parse_args()
    rows = []
    print(f"{'docs':>9} {'fill s':>7} {'index s':>8} {'mean ms':>8} {'median':>7} {'p95':>7} {'right':>6} {'RSS MB':>7}")
    for n in [int(s) for s in args.sizes.split(",") if s]:
        r = run(n, args.dim, args.new, args.keep)
        rows.append(r)
        print(f"{n:>9} {r['fill_s']:>7.1f} {r['index_s']:>8.1f} {r['mean_ms']:>8.2f} {r['median_ms']:>7.2f} "
              f"{r['p95_ms']:>7.2f} {r['placed_right']:>6.2f} {r['rss_mb']:>7.0f}", flush=True)
    if len(rows) > 1:
        ratio = rows[-1]["median_ms"] / rows[0]["median_ms"]
        print(f"median ms per new document, {rows[-1]['n']} vs {rows[0]['n']}: {ratio:.2f}x "
              f"({'flat' if ratio <= 2 else 'NOT flat'}: the bar is 2x)")


if __name__ == "__main__":
    main()
