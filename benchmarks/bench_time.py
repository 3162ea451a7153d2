"""Speed of the time stage and its parts on one core (CPU time of this process, so that the
figures do not depend on what else the machine runs).

    .venv/bin/python benchmarks/bench_time.py [--n 300] [--json]

Prints, for the same articles:
- tagging against an anchor (what the stage does for a dated article): sentences/s, articles/s;
- tagging without an anchor (the first pass over an undated article);
- the whole time stage (``stages.time.TimeStage``) on dated articles (their date given as
  metadata) and on undated ones (tagging, content-based dating, re-tagging, event date);
- corpus dating of the undated batch (``stages.time.redate_corpus``, what ingest adds after
  the per-document stages).

Texts: Timeline17 articles from the shared data when present (English news, tokenised, about
6,500 characters and 47 sentences each), else the German dev texts repeated. The creation
dates of Timeline17 serve as the dated articles' metadata.
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import date

from newsweave.model import DateInfo, Document, Sentence, Source
from newsweave.paths import PACKAGE_DIR, shared_dir
from newsweave.stages.time import TimeStage, redate_corpus
from newsweave.timex import sentence_spans, tag
from newsweave.timex.timeml import read_dir


def articles(n: int) -> tuple[list[tuple[str, date]], str]:
    sd = shared_dir()
    tl = sd / "data" / "timelines" / "timeline17" if sd else None
    if tl is not None and tl.is_dir():
        out: list[tuple[str, date]] = []
        for f in sorted(tl.glob("*/articles.json")):
            out += [
                (str(a["text"]), date.fromisoformat(str(a["dct"])[:10]))
                for a in json.loads(f.read_text(encoding="utf-8"))
                if a.get("text") and a.get("dct")
            ]
        # every k-th article, so that a small --n still spans the topics
        step = max(1, len(out) // n)
        return out[::step][:n], "en"
    docs = read_dir(PACKAGE_DIR / "eval" / "data" / "time_de")
    pairs = [(d.text, d.dct or date(2020, 1, 1)) for d in docs]
    return (pairs * (n // len(pairs) + 1))[:n], "de"


def document(text: str, lang: str, spans: list[tuple[int, int]], published: date | None) -> Document:
    doc = Document(raw=text.encode(), format="text", sources=[Source("bench")], text=text, lang=lang)
    doc.sentences = [Sentence(a, b) for a, b in spans]
    if published is not None:
        day = published.isoformat()
        doc.published = DateInfo(day, day, day, "metadata", ["metadata (bench)"], 1.0)
    return doc


def rate(n: int, seconds: float) -> float:
    return n / seconds if seconds else float("inf")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--json", action="store_true", help="last line: the figures as one JSON object")
    args = ap.parse_args()
    arts, lang = articles(args.n)
    spans = [sentence_spans(t, lang) for t, _d in arts]
    n, n_sent = len(arts), sum(len(s) for s in spans)
    stage = TimeStage()
    stage.load()  # compile the rules, read the offices and anchors
    tag(arts[0][0], lang, anchor=arts[0][1])
    out: dict[str, float] = {}

    t0 = time.process_time()
    for (text, day), s in zip(arts, spans, strict=True):
        tag(text, lang, anchor=day, sentences=s)
    dt = time.process_time() - t0
    out["tag_anchor_sentences_per_s"], out["tag_anchor_articles_per_s"] = rate(n_sent, dt), rate(n, dt)

    t0 = time.process_time()
    for (text, _day), s in zip(arts, spans, strict=True):
        tag(text, lang, sentences=s)
    dt = time.process_time() - t0
    out["tag_sentences_per_s"], out["tag_articles_per_s"] = rate(n_sent, dt), rate(n, dt)

    dated = [document(t, lang, s, d) for (t, d), s in zip(arts, spans, strict=True)]
    t0 = time.process_time()
    stage.batch(dated)
    out["stage_dated_articles_per_s"] = rate(n, time.process_time() - t0)

    undated = [document(t, lang, s, None) for (t, _d), s in zip(arts, spans, strict=True)]
    t0 = time.process_time()
    stage.batch(undated)
    out["stage_undated_articles_per_s"] = rate(n, time.process_time() - t0)

    t0 = time.process_time()
    moved = redate_corpus(undated)
    out["corpus_dating_articles_per_s"] = rate(n, time.process_time() - t0)

    chars = sum(len(t) for t, _d in arts) / n
    print(f"{n} articles ({lang}), {n_sent} sentences, {chars:.0f} chars/article; one core")
    print(f"tagging, anchored:      {out['tag_anchor_sentences_per_s']:8.0f} sentences/s  "
          f"{out['tag_anchor_articles_per_s']:7.1f} articles/s")
    print(f"tagging, no anchor:     {out['tag_sentences_per_s']:8.0f} sentences/s  {out['tag_articles_per_s']:7.1f} articles/s")
    print(f"time stage, dated:      {out['stage_dated_articles_per_s']:7.1f} articles/s")
    print(f"time stage, undated:    {out['stage_undated_articles_per_s']:7.1f} articles/s (tag, infer, re-tag, event date)")
    print(f"corpus dating (batch):  {out['corpus_dating_articles_per_s']:7.1f} articles/s ({len(moved)} of {n} re-dated)")
    if args.json:
        print(json.dumps({k: round(v, 1) for k, v in out.items()} | {"articles": n, "sentences": n_sent}))


if __name__ == "__main__":
    main()
