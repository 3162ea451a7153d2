"""Scale benchmark for online event clustering: time per new document at 10k, 100k, 1M documents.

    .venv/bin/python benchmarks/bench_events.py --sizes 10000,100000,1000000 [--new 1000]
    .venv/bin/python benchmarks/bench_events.py --geometry flat        # the structureless worst case
    .venv/bin/python benchmarks/bench_events.py --calibrate newsweave.db   # real cosines vs synthetic

For each size N a fresh SQLite store is filled with N synthetic documents (a vector, an entity
set and an event date each) by bulk SQL, and the ANN index is built from them (timed). Then
``--new`` further documents (70 % from existing events, 30 % opening new ones) go through
``store.write_document`` + ``Linker.add``; only ``Linker.add`` (the clustering step: MinHash
probe, ANN search, candidate features, decision, event write) is timed. Printed per size: mean /
median / p95 ms per new document (wall clock, and the CPU time of the linking thread, which a
machine shared with other jobs does not inflate), the share placed in their true event, the index's search beam at that size and its recall
against exact search for the same queries (recall@k, and of the neighbours above the linker's
candidate cosine, the ones that decide), the index's own memory and the process RSS after the
timed documents and right after the index was opened (both also hold the generator's state:
about 2 kB per synthetic event). Flat means median and p95 at the largest size are at most
twice those at the smallest.

Geometries (``--geometry``):

- ``topics`` (default): a document vector is the sum of a part every article shares, its broad
  topic, its story, its event and its own wording, weighted so that cosines match what the
  default encoder gives on the sample corpus (``--calibrate`` prints both): same event ~0.77,
  same story ~0.57, unrelated ~0.16. Stories have actors that all their events share and run
  over months, so same-story events are real competitors for a new document.
- ``flat``: every event an independent random direction, documents almost copies of it
  (cosine ~0.97 within an event, ~0 across). Nothing like news, and the worst case for a
  graph index: with no gradient between events the search finds an event only by walking
  into it.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import sqlite3
import statistics
import tempfile
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from newsweave.link import Linker, LinkParams
from newsweave.link.dedup import NUM_PERM, band_buckets, minhash
from newsweave.link.index import VectorIndex
from newsweave.link.synthetic import make_document
from newsweave.model import stable_id
from newsweave.store import open_store

WORDS = [f"w{i}" for i in range(5000)]
N_ENTITIES = 20000
N_TOPICS = 300
TYPES = ["PER", "ORG", "LOC"]
TYPE_WEIGHT = {"PER": 1.0, "ORG": 0.8, "LOC": 0.5}
# squared weights of a document vector's parts (see the module docstring; they sum to 1)
PARTS = {"common": 0.16, "topic": 0.19, "story": 0.22, "event": 0.20, "own": 0.23}


def release_freed_memory() -> None:
    """Hand memory freed by the bulk fill back to the system (glibc keeps it otherwise), so that
    the RSS printed is what the linking step holds, not what filling the store once needed."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def rss_mb() -> float:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@dataclass
class Story:
    vec: np.ndarray
    actors: list[int]
    start: date
    span: int  # days


@dataclass
class Event:
    centre: np.ndarray  # topics: topic + story + event parts, unnormalised; flat: unit
    day: date
    entities: list[int]
    story: int  # index into World.stories (flat: -1)


class World:
    """Synthetic events in one of the two geometries; ``doc(e)`` draws one article about event ``e``."""

    def __init__(self, dim: int, seed: int = 0, geometry: str = "topics") -> None:
        if geometry not in ("topics", "flat"):
            raise ValueError(f"unknown geometry {geometry!r}: topics or flat")
        self.dim, self.geometry = dim, geometry
        self.rng = np.random.default_rng(seed)
        self.py = random.Random(seed)
        self.events: list[Event] = []
        self.stories: list[Story] = []
        self.start = date(2019, 1, 1)
        ranks = np.arange(1, N_ENTITIES + 1)
        self.ent_p = (1 / ranks) / (1 / ranks).sum()
        self.common = self._unit()
        self.topics = [self._unit() for _ in range(N_TOPICS)]
        t_ranks = np.arange(1, N_TOPICS + 1) ** -0.8
        self.topic_p = t_ranks / t_ranks.sum()

    def _unit(self) -> np.ndarray:
        v = self.rng.normal(size=self.dim).astype(np.float32)
        return v / np.linalg.norm(v)

    def _entities(self, lo: int, hi: int) -> list[int]:
        return sorted(set(self.rng.choice(N_ENTITIES, size=int(self.rng.integers(lo, hi)), p=self.ent_p).tolist()))

    def _day(self, lo: int, hi: int) -> date:
        return self.start + timedelta(days=int(self.rng.integers(lo, hi)))

    def new_event(self) -> int:
        if self.geometry == "flat":
            self.events.append(Event(self._unit(), self._day(0, 5 * 365), self._entities(3, 7), -1))
            return len(self.events) - 1
        if self.stories and self.py.random() < 0.6:  # a new turn of a story already told
            si = self.py.randrange(len(self.stories))
        else:
            topic = self.topics[int(self.rng.choice(N_TOPICS, p=self.topic_p))]
            st_vec = np.sqrt(PARTS["topic"]) * topic + np.sqrt(PARTS["story"]) * self._unit()
            st = Story(st_vec, self._entities(2, 4), self._day(0, 5 * 365), min(900, int(self.py.expovariate(1 / 120))))
            self.stories.append(st)
            si = len(self.stories) - 1
        st = self.stories[si]
        centre = st.vec + np.sqrt(PARTS["event"]) * self._unit()  # the common part is added per document
        day = st.start + timedelta(days=self.py.randint(0, st.span))
        ents = sorted(set(st.actors) | set(self._entities(1, 4)))
        self.events.append(Event(centre.astype(np.float32), day, ents, si))
        return len(self.events) - 1

    def doc(self, e: int) -> tuple[np.ndarray, date, list[int], str]:
        ev = self.events[e]
        noise = self._unit()
        if self.geometry == "flat":
            v = ev.centre + 0.45 * noise * np.sqrt(self.dim)
            v = 0.85 * ev.centre + 0.15 * v / np.linalg.norm(v)
            ents = ev.entities
        else:
            # articles differ in how much they share with all news and add of their own
            common, own = self.py.uniform(0.06, 0.26), self.py.uniform(0.03, 0.43)
            rest = 1 - PARTS["common"] - PARTS["own"]  # the squared norm of the centre
            v = np.sqrt(common) * self.common + np.sqrt((1 - common - own) / rest) * ev.centre + np.sqrt(own) * noise
            ents = [j for j in ev.entities if self.py.random() < 0.85] or ev.entities[:1]
        d = ev.day + timedelta(days=int(self.rng.integers(0, 2)))
        text = " ".join(self.py.choices(WORDS, k=60))
        return (v / np.linalg.norm(v)).astype(np.float32), d, ents, text


def ent_key(i: int) -> tuple[str, str]:
    t = TYPES[i % 3]
    return t, f"{t}:entity-{i}"


def fill(db: Path, world: World, n: int, batch: int = 20000) -> int:
    """Bulk-insert ``n`` documents in synthetic events straight into the store's tables, dated, with
    event records and near-duplicate state (MinHash signature, LSH buckets) as the linker would
    have left them; returns how many events were made."""
    store = open_store(db)
    store.close()
    con = sqlite3.connect(db, isolation_level=None)
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA cache_size=-1000000")  # 1 GB: the LSH index takes random inserts
    con.execute("BEGIN")
    for i in range(N_ENTITIES):
        t, key = ent_key(i)
        con.execute("INSERT INTO entities (id, key, name, type) VALUES (?,?,?,?)", (stable_id("entity", key), key, key, t))
    con.execute("COMMIT")
    done = 0
    while done < n:
        docs: list[tuple[object, ...]] = []
        ments: list[tuple[object, ...]] = []
        vecs: list[tuple[object, ...]] = []
        evs: list[tuple[object, ...]] = []
        sigs: list[tuple[object, ...]] = []
        lsh: list[tuple[object, ...]] = []
        while len(docs) < batch and done < n:
            e = world.new_event()
            size = min(n - done, int(world.rng.integers(1, 13)))
            eid = stable_id("event", "bench", e)
            prof: dict[str, float] = {}
            days = []
            for _ in range(size):
                v, d, ents, _text = world.doc(e)
                did = stable_id("doc", "bench", done)
                day = d.isoformat()
                pub = json.dumps({"value": day, "earliest": day, "latest": day, "source": "metadata", "confidence": 1.0})
                evd = json.dumps({"value": day, "earliest": day, "latest": day, "source": "inferred", "confidence": 0.8})
                docs.append((did, "x", b"", "text", "", "", None, "en", 1.0, "[]", "{}", "[]", "[]", pub, day,
                             evd, eid, None, "{}"))
                for j in ents:
                    t, key = ent_key(j)
                    eidn = stable_id("entity", key)
                    ments.append((stable_id("mention", did, j), did, 0, 1, key, t, eidn, None, 1.0))
                    prof[eidn] = prof.get(eidn, 0.0) + TYPE_WEIGHT[t]
                vecs.append((did, "synthetic", world.dim, v.tobytes()))
                # the near-duplicate state of an article of random words: a random signature
                sig = world.rng.integers(0, 2**63, size=NUM_PERM, dtype=np.uint64)
                sigs.append((did, sig.tobytes()))
                lsh += [(b, h, did) for b, h in band_buckets(sig)]
                days.append(day)
                done += 1
            meta = {"entities": prof, "days": days, "sure_days": days, "n": size, "open": True}
            evs.append((eid, "", sorted(days)[(len(days) - 1) // 2], min(days), max(days), None, "[]", "", None,
                        json.dumps(meta)))
        con.execute("BEGIN")
        con.executemany("INSERT INTO documents (id, raw_sha, raw, format, raw_text, text, title, lang, lang_confidence,"
                        " removed, meta, paragraphs, sentences, published, published_value, event_date, event_id,"
                        " story_id, stage_versions) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", docs)
        con.executemany("INSERT INTO mentions VALUES (?,?,?,?,?,?,?,?,?)", ments)
        con.executemany("INSERT INTO vectors VALUES (?,?,?,?)", vecs)
        con.executemany("INSERT INTO events VALUES (?,?,?,?,?,?,?,?,?,?)", evs)
        con.executemany("INSERT INTO link_minhash VALUES (?,?)", sigs)
        con.executemany("INSERT INTO link_lsh VALUES (?,?,?)", lsh)
        con.execute("COMMIT")
    con.close()
    return len(world.events)


def exact_neighbours(db: Path, queries: np.ndarray, k: int, chunk: int = 50000) -> tuple[np.ndarray, np.ndarray]:
    """The exact ``k`` nearest stored vectors of each query (row ids into ``ids``, cosines), by a
    scan over the whole vectors table in chunks: the reference the index's recall is measured on."""
    con = sqlite3.connect(db)
    best_s = np.full((len(queries), 0), -2.0, np.float32)
    best_i = np.zeros((len(queries), 0), np.int64)
    ids: list[str] = []
    cur = con.execute("SELECT doc_id, vec FROM vectors")
    while rows := cur.fetchmany(chunk):
        mat = np.frombuffer(b"".join(r[1] for r in rows), dtype="<f4").reshape(len(rows), -1)
        sims = queries @ mat.T
        base = len(ids)
        ids.extend(r[0] for r in rows)
        s = np.concatenate([best_s, sims], axis=1)
        i = np.concatenate([best_i, np.broadcast_to(np.arange(base, base + len(rows)), sims.shape)], axis=1)
        top = np.argpartition(-s, k - 1, axis=1)[:, :k] if s.shape[1] > k else np.argsort(-s, axis=1)
        best_s, best_i = np.take_along_axis(s, top, 1), np.take_along_axis(i, top, 1)
    order = np.argsort(-best_s, axis=1)
    best_s, best_i = np.take_along_axis(best_s, order, 1), np.take_along_axis(best_i, order, 1)
    con.close()
    return np.asarray(ids, dtype=object)[best_i], best_s


def recall(db: Path, index: VectorIndex, queries: list[tuple[str, np.ndarray]], k: int, floor: float) -> dict[str, float]:
    """Recall of the index against exact search for the same queries (the query document itself
    left out): of the exact top ``k``, and of the exact neighbours with cosine ≥ ``floor``."""
    q = np.stack([v for _, v in queries])
    ids, sims = exact_neighbours(db, q, k + 1)
    got_all = got_above = want_all = want_above = 0
    t0 = time.perf_counter()
    found = [{d for d, _ in index.search(v, k + 1)} for _, v in queries]
    search_ms = (time.perf_counter() - t0) * 1000 / len(queries)
    for (did, _), row, srow, hits in zip(queries, ids, sims, found, strict=True):
        keep = [(d, s) for d, s in zip(row, srow, strict=True) if d != did][:k]
        want_all += len(keep)
        got_all += sum(d in hits for d, _ in keep)
        above = [d for d, s in keep if s >= floor]
        want_above += len(above)
        got_above += sum(d in hits for d in above)
    return {"recall_k": got_all / max(1, want_all), "recall_above": got_above / max(1, want_above),
            "search_ms": search_ms}


def run(n: int, args: argparse.Namespace, index_opts: dict[str, Any]) -> dict[str, float]:
    world = World(args.dim, seed=n, geometry=args.geometry)
    tmp = Path(tempfile.mkdtemp(prefix=f"nw-bench-{n}-"))
    db = tmp / "bench.db"
    try:
        t0 = time.perf_counter()
        n_events = fill(db, world, n)
        t_fill = time.perf_counter() - t0
        release_freed_memory()
        store = open_store(db)
        t0 = time.perf_counter()
        index = VectorIndex.open(store, **index_opts)
        t_index = time.perf_counter() - t0
        rss_open = rss_mb()
        params = LinkParams(summaries=False)
        linker = Linker(store, params, index=index)
        minhash("warm up: the copy detector's library loads on first use")
        times: list[float] = []
        cpu: list[float] = []  # CPU time of this thread: what the step costs, whatever else runs
        right = 0
        landed: dict[int, str] = {}  # synthetic event opened in this run -> where its first document went
        queries: list[tuple[str, np.ndarray]] = []
        for i in range(args.new):
            e = world.py.randrange(len(world.events)) if world.py.random() < 0.7 else world.new_event()
            v, d, ents, text = world.doc(e)
            doc = make_document(text, day=d.isoformat(), vector=v,
                                entities=[(ent_key(j)[0], f"entity-{j}") for j in ents],
                                doc_id=stable_id("doc", "bench-new", n, i))
            store.write_document(doc)
            t, c = time.perf_counter(), time.thread_time()
            dec = linker.add(doc)
            times.append((time.perf_counter() - t) * 1000)
            cpu.append((time.thread_time() - c) * 1000)
            queries.append((doc.id, v))
            if e < n_events:  # joined its true event?
                right += dec.event_id == stable_id("event", "bench", e)
            elif e in landed:  # joined the event its first document opened (a mistake counts once)
                right += dec.event_id == landed[e]
            else:  # the first document of a new happening: opened an event of its own?
                right += dec.event_id is None
                landed[e] = str(store.get_document(doc.id)["event_id"])
        rss_end = rss_mb()  # before the exact scan below, which reads every vector
        rec = recall(db, index, queries, params.events.k, params.events.candidate_min)
        mem = float(getattr(index._index, "memory_usage", 0)) / 2**20
        out = {"n": n, "fill_s": t_fill, "index_s": t_index, "mean_ms": statistics.mean(times),
               "median_ms": statistics.median(times), "p95_ms": float(np.percentile(times, 95)),
               "cpu_median_ms": statistics.median(cpu), "cpu_p95_ms": float(np.percentile(cpu, 95)),
               "placed_right": right / args.new, "index_mb": mem, "rss_open_mb": rss_open, "rss_mb": rss_end,
               "beam": index.beam, **rec}
        store.close()
        return out
    finally:
        if args.keep:
            print(f"kept {db}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def cosine_groups(vecs: np.ndarray, events: list[Any], stories: list[Any]) -> dict[str, np.ndarray]:
    """Cosines of all document pairs, split into same event / same story, other event / unrelated."""
    s = vecs @ vecs.T
    iu = np.triu_indices(len(vecs), 1)
    ev, st = np.asarray(events, dtype=object), np.asarray(stories, dtype=object)
    same_ev = ev[iu[0]] == ev[iu[1]]
    same_st = (st[iu[0]] == st[iu[1]]) & (st[iu[0]] != None) & ~same_ev  # noqa: E711 - elementwise
    return {"same event": s[iu][same_ev], "same story": s[iu][same_st], "unrelated": s[iu][~same_ev & ~same_st]}


def calibrate(db: str, dim: int) -> None:
    """Pairwise cosines of an ingested corpus (its events and stories as the linker made them)
    beside those of the synthetic world, to check the generator against the real encoder."""
    con = sqlite3.connect(db)
    rows = con.execute("SELECT d.event_id, d.story_id, v.vec FROM documents d JOIN vectors v ON v.doc_id = d.id").fetchall()
    con.close()
    if not rows:
        raise SystemExit(f"{db} holds no vectors: ingest a corpus into it first")
    real = cosine_groups(np.stack([np.frombuffer(r[2], dtype="<f4") for r in rows]), [r[0] for r in rows],
                         [r[1] for r in rows])
    world = World(dim, seed=1)
    docs = []
    while len(docs) < 2000:
        e = world.new_event()
        docs += [(world.doc(e)[0], e, world.events[e].story) for _ in range(int(world.rng.integers(1, 13)))]
    syn = cosine_groups(np.stack([d[0] for d in docs]), [d[1] for d in docs], [d[2] for d in docs])
    print(f"{'pairs':<11} {db + ' (mean, sd)':>30} {'synthetic topics (mean, sd)':>30}")
    for name in real:
        a, b = real[name], syn[name]
        print(f"{name:<11} {f'{a.mean():.3f} {a.std():.3f} ({len(a)})':>30} {f'{b.mean():.3f} {b.std():.3f} ({len(b)})':>30}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10000,100000", help="comma-separated corpus sizes (e.g. 10000,100000,1000000)")
    ap.add_argument("--dim", type=int, default=512, help="vector dimension (512 = the default encoder's)")
    ap.add_argument("--new", type=int, default=1000, help="new documents timed at each size")
    ap.add_argument("--geometry", default="topics", choices=["topics", "flat"], help="how the synthetic vectors lie")
    ap.add_argument("--dtype", help="index storage (f32, f16, bf16, i8); default: the index's")
    ap.add_argument("--connectivity", type=int, help="index graph degree; default: the index's")
    ap.add_argument("--expansion-search", type=int, help="index search beam; default: the index's")
    ap.add_argument("--keep", action="store_true", help="keep the temporary databases")
    ap.add_argument("--calibrate", metavar="DB", help="compare the generator's cosines with an ingested SQLite corpus")
    args = ap.parse_args()
    if args.calibrate:
        calibrate(args.calibrate, args.dim)
        return
    opts = {k: v for k, v in (("dtype", args.dtype), ("connectivity", args.connectivity),
                              ("expansion_search", args.expansion_search)) if v}
    rows = []
    print(f"geometry {args.geometry}, {args.new} new documents per size, index {opts or 'defaults'}")
    print(f"{'docs':>9} {'fill s':>7} {'index s':>8} {'mean ms':>8} {'median':>7} {'p95':>7} {'cpu med':>7} "
          f"{'cpu p95':>7} {'right':>6} "
          f"{'beam':>5} {'rec@k':>6} {'rec>=c':>6} {'ann ms':>6} {'idx MB':>7} {'RSS MB':>7} {'at open':>7}")
    for n in [int(s) for s in args.sizes.split(",") if s]:
        r = run(n, args, opts)
        rows.append(r)
        print(f"{n:>9} {r['fill_s']:>7.1f} {r['index_s']:>8.1f} {r['mean_ms']:>8.2f} {r['median_ms']:>7.2f} "
              f"{r['p95_ms']:>7.2f} {r['cpu_median_ms']:>7.2f} {r['cpu_p95_ms']:>7.2f} {r['placed_right']:>6.3f} {r['beam']:>5} {r['recall_k']:>6.3f} {r['recall_above']:>6.3f} "
              f"{r['search_ms']:>6.2f} {r['index_mb']:>7.0f} {r['rss_mb']:>7.0f} {r['rss_open_mb']:>7.0f}", flush=True)
    if len({r["n"] for r in rows}) > 1:  # smallest against largest size (a size may be run twice)
        a, b = min(rows, key=lambda r: r["n"]), max(rows, key=lambda r: r["n"])
        for key in ("median_ms", "p95_ms", "cpu_median_ms", "cpu_p95_ms"):
            ratio = b[key] / a[key]
            print(f"{key[:-3].replace('_', ' ')} ms per new document, {b['n']} vs {a['n']}: {ratio:.2f}x "
                  f"({'flat' if ratio <= 2 else 'NOT flat'}: the bar is 2x)")


if __name__ == "__main__":
    main()
