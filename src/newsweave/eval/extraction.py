"""``eval extraction``: main-text extraction from HTML, in the layout and with the metric of the
scrapinghub article-extraction-benchmark: a folder with ``ground-truth.json``
(``{id: {"articleBody": ..., "url": ...}}``) and ``html/<id>.html[.gz]``.

The metric: each text becomes word 4-gram shingles (``\\w+`` tokens); per page, TP/FP/FN are the
shingle-count overlaps normalised to sum 1; precision and recall are means over pages (pages
where they are undefined are left out), F1 their harmonic mean. Bare ``trafilatura.extract`` is
scored on the same pages in the same run, for comparison, with both timings.
"""

from __future__ import annotations

import gzip
import json
import re
import statistics
import time
from collections import Counter
from pathlib import Path
from typing import Any

from ..errors import EvalError
from ..model import RawItem, Source

_TOKEN = re.compile(r"\w+", re.UNICODE)


def shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    toks = _TOKEN.findall(text or "")
    if len(toks) < n:
        return Counter([tuple(toks)]) if toks else Counter()
    return Counter(tuple(toks[i : i + n]) for i in range(len(toks) - n + 1))


def page_counts(true: str, pred: str) -> tuple[float, float, float]:
    t, p = shingles(true), shingles(pred)
    tp = sum((t & p).values())
    fp = sum((p - t).values())
    fn = sum((t - p).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def scores(counts: list[tuple[float, float, float]]) -> dict[str, float]:
    def prec(tp: float, fp: float, fn: float) -> float:
        return 1.0 if fp == fn == 0 else (0.0 if tp == fp == 0 else tp / (tp + fp))

    def rec(tp: float, fp: float, fn: float) -> float:
        return 1.0 if fp == fn == 0 else (0.0 if tp == fn == 0 else tp / (tp + fn))

    ps = [prec(*c) for c in counts if c[0] + c[1] > 0]
    rs = [rec(*c) for c in counts if c[0] + c[2] > 0]
    p = statistics.mean(ps) if ps else 0.0
    r = statistics.mean(rs) if rs else 0.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0}


def _load(data: Path) -> list[tuple[str, str, str]]:
    gt_path = data / "ground-truth.json"
    if not gt_path.exists():
        raise EvalError(f"{data}: no ground-truth.json (expected the article-extraction-benchmark layout)")
    try:
        gt = json.loads(gt_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise EvalError(f"{gt_path}: invalid JSON: {exc}") from exc
    pages = []
    for key, rec in sorted(gt.items()):
        for cand in (data / "html" / f"{key}.html.gz", data / "html" / f"{key}.html"):
            if cand.exists():
                raw = gzip.decompress(cand.read_bytes()) if cand.suffix == ".gz" else cand.read_bytes()
                pages.append((key, raw.decode("utf-8", errors="replace"), rec.get("articleBody", "")))
                break
        else:
            raise EvalError(f"{data}: no html/{key}.html[.gz] for ground-truth entry {key}")
    return pages


def evaluate(data: Path, **_: Any) -> dict[str, Any]:
    from ..stages.clean import CleanStage
    from ..stages.ingest import to_document

    pages = _load(Path(data))
    clean = CleanStage()
    clean.load() if hasattr(clean, "load") else None
    ours, bare = [], []
    t0 = time.perf_counter()
    for key, html, _true in pages:
        item = RawItem(source=Source(source=f"{key}.html"), raw=html.encode("utf-8"), format="html", html=html)
        doc = clean(to_document(item))
        ours.append(doc.text)
    t_ours = time.perf_counter() - t0
    import trafilatura

    t0 = time.perf_counter()
    for _key, html, _true in pages:
        bare.append(trafilatura.extract(html) or "")
    t_bare = time.perf_counter() - t0
    m = scores([page_counts(true, pred) for (_, _, true), pred in zip(pages, ours, strict=True)])
    b = scores([page_counts(true, pred) for (_, _, true), pred in zip(pages, bare, strict=True)])
    return {
        "task": "extraction", "pages": len(pages), **m,
        "trafilatura": b, "seconds": round(t_ours, 3), "trafilatura_seconds": round(t_bare, 3),
        "time_ratio": round(t_ours / t_bare, 3) if t_bare else None,
    }


def format_report(m: dict[str, Any]) -> str:
    b = m["trafilatura"]
    return (
        f"extraction on {m['pages']} pages (4-gram shingles, article-extraction-benchmark metric)\n"
        f"  newsweave     P {m['precision']:.3f}  R {m['recall']:.3f}  F1 {m['f1']:.3f}  {m['seconds']:.2f}s\n"
        f"  trafilatura   P {b['precision']:.3f}  R {b['recall']:.3f}  F1 {b['f1']:.3f}  {m['trafilatura_seconds']:.2f}s\n"
        f"  time ratio {m['time_ratio']}"
    )
