"""Throughput of NER + linking + quotes (the entities and quotes stages) in articles per second,
and of the bare NER models in words per second.

usage: python benchmarks/bench_entities.py [--n 200] [--lang de|en|both] [--batch 64] [--repeat 2] [--workers 2]

Articles: the seed corpus and PolNeAR dev texts from the shared data folder (cycled to --n),
else a built-in synthetic article. Model loading is timed separately and not counted. Each
figure is the best of ``--repeat`` runs, as wall-clock rate and as rate per CPU-second of this
process: on a shared machine the second is the steadier one (the load average is printed too).
``--workers N`` also runs NER + linking + quotes in N forked processes (models loaded once, before
the fork), as the Ray engine runs one worker per core, and reports that wall-clock rate.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import time
from collections.abc import Callable

from newsweave.model import DateInfo, Document, Source
from newsweave.paths import shared_dir
from newsweave.stages.entities import EntitiesStage, chunks
from newsweave.stages.quotes import QuotesStage

SYNTHETIC = {
    "de": "Der Außenminister traf am Montag in Brüssel seine Amtskollegen. „Wir stehen zusammen“, sagte er. " * 20,
    "en": "The foreign minister met colleagues in Brussels on Monday. “We stand together,” he said. " * 20,
}


def articles(lang: str) -> list[tuple[str, str]]:
    base = shared_dir()
    out: list[tuple[str, str]] = []
    if base is not None:
        for p in sorted((base / "corpus" / "seeds").glob("*.txt")):
            text = p.read_text(encoding="utf-8")
            guess = "en" if " the " in text else "de"
            if lang in (guess, "both"):
                out.append((text, guess))
        if lang in ("en", "both"):
            for p in sorted((base / "data" / "quotes" / "polnear" / "dev" / "text").glob("*.txt"))[:40]:
                out.append((p.read_text(encoding="utf-8"), "en"))
    if not out:
        out = [(SYNTHETIC[x], x) for x in (("de", "en") if lang == "both" else (lang,))]
    return out


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """(best wall seconds, best CPU seconds) of ``repeat`` calls."""
    wall, cpu = float("inf"), float("inf")
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        fn()
        wall, cpu = min(wall, time.perf_counter() - t), min(cpu, time.process_time() - c)
    return wall, cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--lang", default="both", choices=["de", "en", "both"])
    ap.add_argument("--batch", type=int, default=64, help="documents per stage call")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--workers", type=int, default=1, help="also time this many forked worker processes")
    a = ap.parse_args()
    pool = articles(a.lang)

    def fresh() -> list[Document]:
        return [
            Document(raw=b"", format="text", sources=[Source(f"bench{i}")], text=t, lang=lang,
                     published=DateInfo("2022-06-03", "2022-06-03", "2022-06-03"))
            for i, (t, lang) in enumerate(pool[i % len(pool)] for i in range(a.n))
        ]

    docs = fresh()
    ents, quotes = EntitiesStage(), QuotesStage()
    t0 = time.perf_counter()
    ents.load()
    langs = sorted({d.lang for d in docs})
    nlps = {lang: ents._ner(lang) for lang in langs}
    load = time.perf_counter() - t0
    ents.batch(fresh()[:4])  # warm caches the way a running pipeline has them

    def run_entities() -> None:
        for i in range(0, len(docs), a.batch):
            ents.batch(docs[i : i + a.batch])

    def run_bare_ner() -> None:
        for lang, nlp in nlps.items():
            pieces = [p for d in docs if d.lang == lang for _, p in chunks(d.text or "")]
            for _ in nlp.pipe(pieces, batch_size=ents.batch_size):
                pass

    e_wall, e_cpu = timed(run_entities, a.repeat)
    q_wall, q_cpu = timed(lambda: quotes.batch(docs), a.repeat)
    n_wall, n_cpu = timed(run_bare_ner, a.repeat)
    words = sum(len(nlps[d.lang].make_doc(p)) for d in docs for _, p in chunks(d.text or ""))
    chars = sum(len(d.text or "") for d in docs)
    n = len(docs)
    print(f"{n} articles ({chars / n:.0f} chars, {words / n:.0f} words on average; {', '.join(langs)}), "
          f"models loaded in {load:.1f}s, load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'':26}{'wall':>10}{'per CPU-s':>12}")
    print(f"{'entities (NER + linking)':26}{n / e_wall:10.1f}{n / e_cpu:12.1f}  articles/s")
    print(f"{'quotes':26}{n / q_wall:10.1f}{n / q_cpu:12.1f}  articles/s")
    tw, tc = e_wall + q_wall, e_cpu + q_cpu
    print(f"{'NER + linking + quotes':26}{n / tw:10.1f}{n / tc:12.1f}  articles/s ({chars / tw / 1000:.0f}k chars/s wall)")
    print(f"{'bare NER (nlp.pipe)':26}{words / n_wall:10.0f}{words / n_cpu:12.0f}  words/s")
    print(f"{'linking (entities - NER)':26}{'':10}{n / max(e_cpu - n_cpu, 1e-9):12.1f}  articles/s")
    if a.workers > 1:
        global _WORK
        _WORK = (ents, quotes, docs, a.batch)
        with multiprocessing.get_context("fork").Pool(a.workers) as pool:
            shares = [list(range(w, n, a.workers)) for w in range(a.workers)]
            pool.map(_run_share, shares)  # warm each worker
            wall, _ = timed(lambda: pool.map(_run_share, shares), a.repeat)
        print(f"{'NER + linking + quotes':26}{n / wall:10.1f}{'':12}  articles/s wall in {a.workers} worker processes "
              f"(load average {os.getloadavg()[0]:.1f})")


_WORK: tuple = ()


def _run_share(indices: list[int]) -> int:
    """A worker's share of the articles through entities and quotes (forked: models inherited)."""
    ents, quotes, docs, batch = _WORK
    mine = [docs[i] for i in indices]
    for i in range(0, len(mine), batch):
        ents.batch(mine[i : i + batch])
    quotes.batch(mine)
    return len(mine)


if __name__ == "__main__":
    main()
