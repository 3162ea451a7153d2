"""Ranking quality of hybrid search on the sample corpus and the seeds, with and without leaving
out common words (``search/postings.py``: ``COMMON``, ``COMMON_FLOOR``).

    python benchmarks/search_quality.py                     # builds the corpus in a temporary folder
    python benchmarks/search_quality.py --keep /tmp/nw-quality.db
    python benchmarks/search_quality.py --bench-db /tmp/nw-bench/bench-1000000.db   # a bench_search corpus

The corpus is the bundled sample corpus plus the five seeds (when ``../shared`` is there),
ingested by the real pipeline. Queries with known answers, from the truth files:

- ``acceptance``: "Stoltenberg Biden Russia dialogue" must find seed 004 (German) in the top 3;
- ``labels``: each sample event's label (English) -> the documents of that event, any language;
- ``titles``: each sample document's title (its own language) -> the other documents of its event.

Each set is scored by MRR@10, recall@10 and nDCG@10 (binary relevance), for the text rankers
alone (``bm25``, ``stems``) and for the whole fusion, under three settings: ``exact`` (every word
ranked), ``pruned`` (common words left out as a large corpus would: the size floor set to 0, so
a word in more than 25% of these ~50 documents is left out beside rarer ones; a harsh test, since
in a small corpus many topic words pass that share) and ``default`` (what this corpus gets).

With ``--bench-db`` (a corpus ``bench_search.py --keep`` built, large enough for the default to
leave words out), each benchmark query's top 10 by the text rankers is compared with the top 10
when every word is ranked: the share of documents both hold (overlap@10), and both latencies.
"""

from __future__ import annotations

import argparse
import json
import math
import tempfile
from pathlib import Path
from typing import Any

from newsweave import api, sample
from newsweave.paths import shared_dir
from newsweave.search import hybrid, hybrid_search, postings

ACCEPTANCE = ("Stoltenberg Biden Russia dialogue", "004_91db5c4eda242435.txt")
TEXT = ("bm25", "stems")
ALL = hybrid.RANKERS


def build(db: Path) -> Any:
    store = api.open_db(db)
    if store.count("documents") == 0:
        seeds = sorted(str(p) for p in (shared_dir() / "corpus" / "seeds").glob("*.txt")) if shared_dir() else []
        api.ingest(store, [*seeds, *api.sample_paths()])
    return store


def doc_ids_by_key(store: Any) -> dict[str, str]:
    """Truth keys (paths relative to the corpus, ``file#N``) and seed file names -> document ids."""
    out: dict[str, str] = {}
    for r in store.iter_records("documents"):
        for s in r["sources"]:
            src = s["source"].replace("\\", "/")
            out[src.rsplit("/", 1)[-1]] = r["id"]
    return out


def queries(store: Any) -> dict[str, list[tuple[str, set[str]]]]:
    exp = sample.expected()
    ids = doc_ids_by_key(store)
    by_event: dict[str, set[str]] = {}
    for key, d in exp["documents"].items():
        if key in ids and d.get("event"):
            by_event.setdefault(d["event"], set()).add(ids[key])
    labels = [(ev["label"], by_event[k]) for k, ev in exp["events"].items() if by_event.get(k)]
    titles = []
    for key, d in exp["documents"].items():
        rel = by_event.get(d.get("event", ""), set()) - {ids.get(key, "")}
        if key in ids and rel:
            titles.append((d["title"], rel))
    out = {"labels": labels, "titles": titles}
    if ACCEPTANCE[1] in ids:
        out["acceptance"] = [(ACCEPTANCE[0], {ids[ACCEPTANCE[1]]})]
    return out


def scores(ranked: list[str], relevant: set[str], k: int = 10) -> tuple[float, float, float]:
    top = ranked[:k]
    rr = next((1 / (i + 1) for i, d in enumerate(top) if d in relevant), 0.0)
    recall = len(set(top) & relevant) / len(relevant)
    dcg = sum(1 / math.log2(i + 2) for i, d in enumerate(top) if d in relevant)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(k, len(relevant))))
    return rr, recall, dcg / ideal


def run(store: Any, qs: dict[str, list[tuple[str, set[str]]]], setting: str) -> list[dict[str, Any]]:
    out = []
    for name, items in qs.items():
        for label, rankers in (("text", TEXT), ("hybrid", ALL)):
            rows = []
            for q, rel in items:
                ranked = [h["id"] for h in hybrid_search(store, q, limit=10, rankers=rankers)["hits"]]
                rows.append(scores(ranked, rel))
                if name == "acceptance":
                    out.append({"setting": setting, "set": name, "rankers": label, "query": q,
                                "rank_of_004": ranked.index(next(iter(rel))) + 1 if next(iter(rel)) in ranked else None})
            n = len(rows)
            out.append({"setting": setting, "set": name, "rankers": label, "queries": n,
                        "mrr@10": round(sum(r[0] for r in rows) / n, 3),
                        "recall@10": round(sum(r[1] for r in rows) / n, 3),
                        "ndcg@10": round(sum(r[2] for r in rows) / n, 3)})
    return out


def bench_overlap(db: Path) -> None:
    import time

    from bench_search import QUERIES

    store = api.open_db(db)
    common = postings.COMMON
    for q in QUERIES:
        top, ms = {}, {}
        for setting, c in (("exact", 2.0), ("default", common)):
            postings.COMMON = c
            hybrid_search(store, q, rankers=TEXT)  # warm
            t = time.perf_counter()
            top[setting] = [h["id"] for h in hybrid_search(store, q, rankers=TEXT)["hits"]]
            ms[setting] = round(1000 * (time.perf_counter() - t), 1)
        postings.COMMON = common
        both = len(set(top["exact"]) & set(top["default"])) / max(len(top["exact"]), 1)
        print(json.dumps({"query": q, "overlap@10": round(both, 2), "exact_ms": ms["exact"], "default_ms": ms["default"]}),
              flush=True)
    store.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--keep", help="the corpus database, built on first use and reused")
    ap.add_argument("--bench-db", help="a bench_search.py corpus: overlap@10 of the default with every word ranked")
    args = ap.parse_args()
    if args.bench_db:
        bench_overlap(Path(args.bench_db))
        return
    with tempfile.TemporaryDirectory(prefix="nw-quality-") as tmp:
        store = build(Path(args.keep) if args.keep else Path(tmp) / "corpus.db")
        qs = queries(store)
        floor, common = postings.COMMON_FLOOR, postings.COMMON
        for setting, (c, f) in {"exact": (2.0, 10**9), "pruned": (common, 0), "default": (common, floor)}.items():
            postings.COMMON, postings.COMMON_FLOOR = c, f
            for row in run(store, qs, setting):
                print(json.dumps(row), flush=True)
        postings.COMMON, postings.COMMON_FLOOR = common, floor
        store.close()


if __name__ == "__main__":
    main()
