"""Ingest throughput: ingest+clean+language+segment in documents/s on the sample corpus and on
synthetic documents, the full pipeline on the sample corpus, and HTML ingest side by side with
bare ``trafilatura.extract`` on the same pages.

    python benchmarks/bench_ingest.py [--synthetic 10000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from newsweave import api
from newsweave.synthetic import write_corpus


def timed_ingest(paths: list[str], until: str | None, db: Path) -> tuple[int, float]:
    store = api.open_db(db)
    t0 = time.perf_counter()
    rep = api.ingest(store, paths, until=until)
    dt = time.perf_counter() - t0
    store.close()
    return rep.ingested + rep.duplicates, dt


def html_side_by_side(pages: list[Path], rounds: int) -> tuple[float, float]:
    import trafilatura

    from newsweave.stages.clean import CleanStage
    from newsweave.stages.ingest import iter_items, to_document

    clean = CleanStage()
    items = [it for it in iter_items([str(p) for p in pages]) if not isinstance(it, Exception)]
    htmls = [p.read_text(encoding="utf-8") for p in pages]
    clean(to_document(items[0]))  # warm up both
    trafilatura.extract(htmls[0])
    t0 = time.perf_counter()
    for _ in range(rounds):
        for it in items:
            clean(to_document(it))
    ours = time.perf_counter() - t0
    t0 = time.perf_counter()
    for _ in range(rounds):
        for h in htmls:
            trafilatura.extract(h)
    bare = time.perf_counter() - t0
    return ours, bare


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--synthetic", type=int, default=10000)
    args = ap.parse_args()
    sample = api.sample_paths()
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        n, dt = timed_ingest(sample, "segment", t / "a.db")
        print(f"sample corpus, until segment:   {n} docs in {dt:.2f}s = {n / dt:.1f} docs/s")
        n, dt = timed_ingest(sample, None, t / "b.db")
        print(f"sample corpus, full pipeline:   {n} docs in {dt:.2f}s = {n / dt:.1f} docs/s")
        write_corpus(t / "syn", args.synthetic, seed=1)
        n, dt = timed_ingest([str(t / "syn")], "segment", t / "c.db")
        print(f"synthetic {args.synthetic}, until segment: {n} docs in {dt:.2f}s = {n / dt:.1f} docs/s")
        pages = sorted(Path(sample[0]).glob("*.htm*"))
        if pages:
            ours, bare = html_side_by_side(pages, rounds=20)
            print(f"HTML clean stage vs bare trafilatura.extract on {len(pages)} pages x20: "
                  f"{ours:.2f}s vs {bare:.2f}s = {ours / bare:.2f}x")


if __name__ == "__main__":
    main()
