"""Speed of the time stage's parts on one core: tagging (sentences/s, articles/s) and
content-based dating (articles/s).

    .venv/bin/python benchmarks/bench_time.py [--n 300] [--lang en]

Texts: Timeline17 articles from the shared data when present (English news, ~3-4k characters
each), else the German dev texts repeated.
"""

from __future__ import annotations

import argparse
import json
import time

from newsweave.dating import infer_published
from newsweave.paths import PACKAGE_DIR, shared_dir
from newsweave.timex import sentence_spans, tag
from newsweave.timex.timeml import read_dir


def texts(n: int) -> tuple[list[str], str]:
    sd = shared_dir()
    tl = sd / "data" / "timelines" / "timeline17" if sd else None
    if tl is not None and tl.is_dir():
        out: list[str] = []
        for f in sorted(tl.glob("*/articles.json")):
            out += [a["text"] for a in json.loads(f.read_text(encoding="utf-8"))]
        return out[:n], "en"
    docs = read_dir(PACKAGE_DIR / "eval" / "data" / "time_de")
    return [d.text for d in docs] * (n // len(docs) + 1), "de"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=300)
    args = ap.parse_args()
    arts, lang = texts(args.n)
    arts = arts[: args.n]
    spans = [sentence_spans(t) for t in arts]
    n_sent = sum(len(s) for s in spans)
    n_chars = sum(len(t) for t in arts)
    tag(arts[0], lang)  # compile rules, load lexicon
    infer_published(arts[0], lang)  # load offices and anchors
    t0 = time.perf_counter()
    for t, s in zip(arts, spans, strict=True):
        tag(t, lang, sentences=s)
    dt = time.perf_counter() - t0
    print(f"{len(arts)} articles ({lang}), {n_sent} sentences, {n_chars / len(arts):.0f} chars/article")
    print(f"tagging:  {n_sent / dt:8.0f} sentences/s  {len(arts) / dt:7.1f} articles/s")
    t0 = time.perf_counter()
    for t in arts:
        infer_published(t, lang)
    dt2 = time.perf_counter() - t0
    print(f"dating (tagging + inference): {len(arts) / dt2:7.1f} articles/s")


if __name__ == "__main__":
    main()
