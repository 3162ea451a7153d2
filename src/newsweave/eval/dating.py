"""Evaluate dating of undated articles on Timeline17-style topic folders.

Each topic folder holds ``articles.json`` (a list of ``{uid, dct, dates, text}``; the text is
tokenised). The document creation date ``dct`` is hidden from the system: each text is tagged
and dated from its content alone (no clean stage), and the inferred publication date is
compared with ``dct``.

    metrics = evaluate(Path("…/timeline17"), split="dev")
    print(format_report(metrics))

Metrics: how many articles got a value (coverage), median absolute error in days over those,
and the share of all articles within ±0, ±1 and ±7 days (an article without a value counts as
a miss), plus the share whose inferred range contains the true date.
``split``: all (default) | dev (every 5th article of each topic) | rest.
"""

from __future__ import annotations

import json
import statistics
import time
from datetime import date
from pathlib import Path
from typing import Any

from ..dating import infer_published
from ..dating.corpus import CorpusDoc, infer_corpus
from ..errors import EvalError

SPLITS = ("all", "dev", "rest")


def topic_dirs(data: Path) -> list[Path]:
    if (data / "articles.json").is_file():
        return [data]
    dirs = sorted(p.parent for p in data.glob("*/articles.json"))
    if not dirs:
        raise EvalError(f"{data}: no articles.json here or in its subfolders (Timeline17 layout expected)")
    return dirs


def load_articles(topic: Path) -> list[dict[str, Any]]:
    try:
        arts = json.loads((topic / "articles.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise EvalError(f"{topic}/articles.json: {exc}") from exc
    if not isinstance(arts, list):
        raise EvalError(f"{topic}/articles.json: expected a list of articles")
    return [a for a in arts if isinstance(a, dict) and a.get("dct") and a.get("text")]


def _pick(arts: list[dict[str, Any]], split: str) -> list[dict[str, Any]]:
    if split not in SPLITS:
        raise EvalError(f"unknown split {split!r}; valid: {', '.join(SPLITS)}")
    if split == "dev":
        return arts[::5]
    if split == "rest":
        return [a for i, a in enumerate(arts) if i % 5]
    return arts


def evaluate(data: Path, **opts: Any) -> dict[str, Any]:
    """Options: ``split`` (all|dev|rest), ``lang`` (default en), ``limit`` (articles per topic),
    ``corpus`` (default true: date each topic's articles together with ``dating.infer_corpus``,
    all of the topic's articles available, their dct hidden; false: each article alone)."""
    split = str(opts.get("split") or "all")
    lang = str(opts.get("lang") or "en")
    limit = int(opts.get("limit") or 0)
    corpus = str(opts.get("corpus", "true")).lower() not in ("0", "false", "no", "off")
    errors: list[int] = []
    n = covered = in_range = 0
    per_topic: dict[str, dict[str, Any]] = {}
    t0 = time.perf_counter()
    for topic in topic_dirs(Path(data)):
        everything = load_articles(topic)
        arts = _pick(everything, split)
        if limit:
            arts = arts[:limit]
        dated = _date_topic(everything if corpus else arts, lang, corpus)
        errs_t: list[int] = []
        for a in arts:
            truth = date.fromisoformat(str(a["dct"])[:10])
            info = dated[id(a)]
            n += 1
            lo = date.fromisoformat(info.earliest) if info.earliest else date.min
            hi = date.fromisoformat(info.latest) if info.latest else date.max
            in_range += lo <= truth <= hi
            if info.value:
                covered += 1
                e = abs((date.fromisoformat(info.value) - truth).days)
                errors.append(e)
                errs_t.append(e)
        per_topic[topic.name] = {
            "articles": len(arts),
            "median_abs_error_days": statistics.median(errs_t) if errs_t else None,
            "within_1": round(sum(e <= 1 for e in errs_t) / len(arts), 4) if arts else 0.0,
        }
    if not n:
        raise EvalError(f"{data}: no articles with a dct and a text")
    elapsed = time.perf_counter() - t0

    def share(k: int) -> float:
        return round(sum(e <= k for e in errors) / n, 4)

    return {
        "data": str(data),
        "split": split,
        "articles": n,
        "coverage": round(covered / n, 4),
        "median_abs_error_days": statistics.median(errors) if errors else None,
        "within_0": share(0),
        "within_1": share(1),
        "within_7": share(7),
        "range_contains_truth": round(in_range / n, 4),
        "articles_per_s": round(n / elapsed, 1) if elapsed else None,
        "topics": per_topic,
    }


def _date_topic(arts: list[dict[str, Any]], lang: str, corpus: bool) -> dict[int, Any]:
    """Inferred publication dates keyed by ``id(article)``; only the text is passed on (never
    ``dct`` or ``dates``), and the corpus inference does not depend on the articles' order."""
    if not corpus:
        return {id(a): infer_published(str(a["text"]), lang) for a in arts}
    res = infer_corpus([CorpusDoc(str(id(a)), str(a["text"]), lang) for a in arts])
    return {id(a): res[str(id(a))] for a in arts}


def format_report(metrics: dict[str, Any]) -> str:
    rows = [
        f"dating — {metrics['data']} (split {metrics['split']}): {metrics['articles']} articles, "
        f"{metrics['coverage']:.1%} dated",
        f"median absolute error (days): {metrics['median_abs_error_days']}",
        f"within ±0 / ±1 / ±7 days:     {metrics['within_0']:.1%} / {metrics['within_1']:.1%} / {metrics['within_7']:.1%}",
        f"range contains the true date: {metrics['range_contains_truth']:.1%}",
        f"{'topic':22}{'articles':>9}{'median':>8}{'±1':>8}",
    ]
    for name, t in metrics["topics"].items():
        med = "-" if t["median_abs_error_days"] is None else f"{t['median_abs_error_days']:g}"
        rows.append(f"{name:22}{t['articles']:9d}{med:>8}{t['within_1']:8.1%}")
    return "\n".join(rows)
