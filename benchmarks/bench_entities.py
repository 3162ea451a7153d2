"""Throughput of NER + linking + quotes (the entities and quotes stages) in articles per second.

usage: python benchmarks/bench_entities.py [--n 200] [--lang de|en|both] [--batch 64]

Articles: the seed corpus and PolNeAR dev texts from the shared data folder (cycled to --n),
else a built-in synthetic article. Model loading is timed separately and not counted.
"""

from __future__ import annotations

import argparse
import time

from newsweave.model import DateInfo, Document, Source
from newsweave.paths import shared_dir
from newsweave.stages.entities import EntitiesStage
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--lang", default="both", choices=["de", "en", "both"])
    ap.add_argument("--batch", type=int, default=64)
    a = ap.parse_args()
    pool = articles(a.lang)
    docs = [
        Document(raw=b"", format="text", sources=[Source(f"bench{i}")], text=t, lang=lang,
                 published=DateInfo("2022-06-03", "2022-06-03", "2022-06-03"))
        for i, (t, lang) in enumerate(pool[i % len(pool)] for i in range(a.n))
    ]
    ents, quotes = EntitiesStage(batch_size=a.batch), QuotesStage()
    t0 = time.perf_counter()
    ents.load()
    for lang in {d.lang for d in docs}:
        ents._ner(lang)
    load = time.perf_counter() - t0
    t1 = time.perf_counter()
    for i in range(0, len(docs), a.batch):
        ents.batch(docs[i : i + a.batch])
    t2 = time.perf_counter()
    quotes.batch(docs)
    t3 = time.perf_counter()
    chars = sum(len(d.text) for d in docs)
    total = t3 - t1
    print(f"{len(docs)} articles ({chars / len(docs):.0f} chars on average), models loaded in {load:.1f}s")
    print(f"entities (NER + linking): {len(docs) / (t2 - t1):.1f} articles/s")
    print(f"quotes:                   {len(docs) / (t3 - t2):.1f} articles/s")
    print(f"NER + linking + quotes:   {len(docs) / total:.1f} articles/s ({chars / total / 1000:.0f}k chars/s)")


if __name__ == "__main__":
    main()
