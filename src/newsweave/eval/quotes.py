"""``eval quotes``: attribution (content, source, cue) on PolNeAR-style brat standoff.

``data`` is a folder with ``text/<name>.txt`` and ``attributions/<name>_<annotator>.ann`` (a split
of PolNeAR, e.g. ``../shared/data/quotes/polnear/dev``), or the folder above the splits (then
``dev``). Each ``.ann`` file is scored against the system's quotes on its text: the entities
stage (English NER, linking) and the quotes stage run as in the pipeline.

Metrics per span kind (content = quote span, source = speaker span, cue): *exact* — the spans are
equal after trimming whitespace, quotation marks and edge punctuation; *overlap* — the spans share
at least one character. Matching is one-to-one, greedy in text order. P = matched / predicted,
R = matched / gold.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

from ..errors import EvalError

KINDS = ("content", "source", "cue")
_TRIM = " \t\n\"'„“”»«‚‘’.,;:"


def read_ann(path: Path) -> list[dict[str, tuple[int, int] | None]]:
    """Attribution relations of one brat file: [{content: (s, e), source: ..., cue: ...}]."""
    spans: dict[str, tuple[int, int]] = {}
    rels: list[dict[str, tuple[int, int] | None]] = []
    events: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("T"):
            cols = line.split("\t")
            if len(cols) < 2:
                continue
            offsets = cols[1].partition(" ")[2]
            nums = [int(x) for x in re.findall(r"\d+", offsets)]
            if nums:
                spans[cols[0]] = (min(nums), max(nums))
        elif line.startswith("E"):
            events.append(line)
    for ev in events:
        parts: dict[str, str] = {}
        for p in ev.split("\t")[1].split():
            role, _, ref = p.partition(":")
            parts[role] = ref
        rels.append({k: spans.get(parts.get(k.capitalize(), "")) for k in KINDS})
    return rels


def _norm(text: str, span: tuple[int, int]) -> tuple[int, int]:
    s, e = span
    while s < e and text[s] in _TRIM:
        s += 1
    while e > s and text[e - 1] in _TRIM:
        e -= 1
    return s, e


def _match(text: str, gold: list[tuple[int, int]], pred: list[tuple[int, int]], exact: bool) -> int:
    used: set[int] = set()
    hits = 0
    for g in sorted(gold):
        gn = _norm(text, g)
        for i, p in enumerate(pred):
            if i in used:
                continue
            ok = _norm(text, p) == gn if exact else (p[0] < g[1] and g[0] < p[1])
            if ok:
                used.add(i)
                hits += 1
                break
    return hits


def _prf(tp_p: int, tp_g: int, n_pred: int, n_gold: int) -> dict[str, float]:
    p = tp_p / n_pred if n_pred else 0.0
    r = tp_g / n_gold if n_gold else 0.0
    return {"p": round(p, 4), "r": round(r, 4), "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0}


def evaluate(data: Path, *, limit: int | None = None, **_: Any) -> dict[str, Any]:
    from ..model import Document, Source
    from ..stages.entities import EntitiesStage
    from ..stages.quotes import find_quotes

    data = Path(data)
    if (data / "dev" / "attributions").is_dir():
        data = data / "dev"
    ann_dir, text_dir = data / "attributions", data / "text"
    if not ann_dir.is_dir() or not text_dir.is_dir():
        raise EvalError(f"{data}: expected PolNeAR layout with attributions/*.ann and text/*.txt")
    anns = sorted(ann_dir.glob("*.ann"))
    if limit:
        anns = anns[: int(limit)]
    if not anns:
        raise EvalError(f"{ann_dir}: no .ann files")
    texts: dict[str, str] = {}
    for a in anns:
        name = re.sub(r"_[0-9a-f]{4}$", "", a.stem)
        t = text_dir / f"{name}.txt"
        if not t.is_file():
            raise EvalError(f"{a}: no text file {t.name} beside it")
        texts.setdefault(name, t.read_text(encoding="utf-8"))
    stage = EntitiesStage()
    t0 = time.perf_counter()
    docs = {n: Document(raw=b"", format="text", sources=[Source(n)], text=tx, lang="en") for n, tx in texts.items()}
    stage.batch(list(docs.values()))
    predicted = {n: find_quotes(d.text, "en", d.mentions) for n, d in docs.items()}
    seconds = time.perf_counter() - t0
    hits = {(k, mode): 0 for k in KINDS for mode in ("exact", "overlap")}
    n_gold = dict.fromkeys(KINDS, 0)
    n_pred = dict.fromkeys(KINDS, 0)
    for a in anns:
        name = re.sub(r"_[0-9a-f]{4}$", "", a.stem)
        text = texts[name]
        gold_rels = read_ann(a)
        qs = predicted[name]
        pred: dict[str, list[tuple[int, int]]] = {
            "content": [(q.start, q.end) for q in qs],
            "source": [(q.speaker_start, q.speaker_end) for q in qs
                       if q.speaker_start is not None and q.speaker_end is not None],
            "cue": [(q.cue_start, q.cue_end) for q in qs if q.cue_start is not None and q.cue_end is not None],
        }
        for k in KINDS:
            gold = [span for r in gold_rels if (span := r[k]) is not None]
            n_gold[k] += len(gold)
            n_pred[k] += len(pred[k])
            for mode in ("exact", "overlap"):
                hits[(k, mode)] += _match(text, gold, pred[k], mode == "exact")
    out: dict[str, Any] = {"data": str(data), "files": len(anns), "texts": len(texts), "seconds": round(seconds, 2)}
    for k in KINDS:
        out[k] = {mode: _prf(hits[(k, mode)], hits[(k, mode)], n_pred[k], n_gold[k]) for mode in ("exact", "overlap")}
        out[k]["gold"], out[k]["pred"] = n_gold[k], n_pred[k]
    return out


def format_report(m: dict[str, Any]) -> str:
    lines = [f"quotes on {m['data']} ({m['files']} annotation files, {m['texts']} texts, {m['seconds']:.1f}s)",
             f"  {'span':<8} {'exact P':>8} {'R':>6} {'F1':>6}   {'overlap P':>9} {'R':>6} {'F1':>6} {'gold':>6} {'pred':>6}"]
    for k in KINDS:
        e, o = m[k]["exact"], m[k]["overlap"]
        lines.append(f"  {k:<8} {e['p']:8.3f} {e['r']:6.3f} {e['f1']:6.3f}   {o['p']:9.3f} {o['r']:6.3f} {o['f1']:6.3f}"
                     f" {m[k]['gold']:6d} {m[k]['pred']:6d}")
    return "\n".join(lines)
