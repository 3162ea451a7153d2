"""Evaluate the temporal tagger the way the TempEval-3 scorer does.

    metrics = evaluate(Path("…/tempeval3/Training/TBAQ-cleaned"), split="dev")
    print(format_report(metrics))

Definitions (TempEval-3, UzZaman et al. 2013):
- strict match: system and gold spans identical; relaxed match: the spans overlap.
- precision = matched system expressions / system expressions, recall = matched gold / gold,
  for strict and relaxed matching.
- type and value accuracy: the share of relaxed matches whose type (value) agrees;
  type F1 = relaxed F1 × type accuracy, value F1 = relaxed F1 × value accuracy.

``split``: ``all`` (default), ``dev`` (every 5th file in name order: the fixed dev split the CI
floors use) or ``rest`` (the other files).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from ..errors import EvalError
from ..timex import tag
from ..timex.timeml import AnnotatedDoc, read_dir

SPLITS = ("all", "dev", "rest")


def pick_split(docs: list[AnnotatedDoc], split: str) -> list[AnnotatedDoc]:
    if split not in SPLITS:
        raise EvalError(f"unknown split {split!r}; valid: {', '.join(SPLITS)}")
    docs = sorted(docs, key=lambda d: d.name)
    if split == "dev":
        return docs[::5]
    if split == "rest":
        return [d for i, d in enumerate(docs) if i % 5]
    return docs


def _prf(tp_p: int, n_sys: int, tp_r: int, n_gold: int) -> dict[str, float]:
    p = tp_p / n_sys if n_sys else 0.0
    r = tp_r / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}


def score(docs: list[AnnotatedDoc], lang: str | None = None) -> dict[str, Any]:
    n_sys = n_gold = 0
    strict_p = strict_r = relax_p = relax_r = 0
    type_ok = value_ok = pairs = 0
    errors: list[dict[str, Any]] = []
    t0 = time.perf_counter()
    for doc in docs:
        sys = tag(doc.text, lang or doc.lang, anchor=doc.dct, narrative=doc.fmt == "timex2")
        gold = doc.timexes
        n_sys += len(sys)
        n_gold += len(gold)
        strict_p += sum(1 for s in sys if any(s.start == g.start and s.end == g.end for g in gold))
        strict_r += sum(1 for g in gold if any(s.start == g.start and s.end == g.end for s in sys))
        relax_p += sum(1 for s in sys if any(s.start < g.end and g.start < s.end for g in gold))
        relax_r += sum(1 for g in gold if any(s.start < g.end and g.start < s.end for s in sys))
        for g in gold:
            overl = [s for s in sys if s.start < g.end and g.start < s.end]
            if not overl:
                errors.append({"doc": doc.name, "kind": "missed", "gold": g.text, "value": g.value})
                continue
            s = max(overl, key=lambda s: min(s.end, g.end) - max(s.start, g.start))
            pairs += 1
            type_ok += s.type == g.type
            value_ok += (s.value or "") == (g.value or "")
            if (s.value or "") != (g.value or ""):
                errors.append(
                    {
                        "doc": doc.name,
                        "kind": "value",
                        "gold": g.text,
                        "value": g.value,
                        "sys": s.text,
                        "sys_value": s.value,
                    }
                )
        for s in sys:
            if not any(s.start < g.end and g.start < s.end for g in gold):
                errors.append({"doc": doc.name, "kind": "spurious", "sys": s.text, "sys_value": s.value})
    elapsed = time.perf_counter() - t0
    strict = _prf(strict_p, n_sys, strict_r, n_gold)
    relaxed = _prf(relax_p, n_sys, relax_r, n_gold)
    type_acc = type_ok / pairs if pairs else 0.0
    value_acc = value_ok / pairs if pairs else 0.0
    return {
        "documents": len(docs),
        "gold": n_gold,
        "system": n_sys,
        "strict": strict,
        "relaxed": relaxed,
        "type_accuracy": round(type_acc, 4),
        "value_accuracy": round(value_acc, 4),
        "type_f1": round(relaxed["f1"] * type_acc, 4),
        "value_f1": round(relaxed["f1"] * value_acc, 4),
        "docs_per_s": round(len(docs) / elapsed, 1) if elapsed else None,
        "errors": errors,
    }


def evaluate(data: Path, **opts: Any) -> dict[str, Any]:
    """Tag every annotated file under ``data`` and score it. Options: ``split`` (all|dev|rest),
    ``lang`` (force a language; default from the file, else English), ``errors`` (how many
    error examples to keep; default 0)."""
    docs = pick_split(read_dir(Path(data), opts.get("lang")), str(opts.get("split") or "all"))
    m = score(docs, opts.get("lang"))
    keep = int(opts.get("errors") or 0)
    m["errors"] = m["errors"][:keep] if keep else []
    m["data"] = str(data)
    m["split"] = str(opts.get("split") or "all")
    return m


def format_report(metrics: dict[str, Any]) -> str:
    rows = [
        f"time expressions — {metrics.get('data', '')} (split {metrics.get('split', 'all')}): "
        f"{metrics['documents']} documents, {metrics['gold']} gold, {metrics['system']} system",
        f"{'':10}{'P':>8}{'R':>8}{'F1':>8}",
    ]
    for k in ("strict", "relaxed"):
        m = metrics[k]
        rows.append(f"{k:10}{m['precision']:8.3f}{m['recall']:8.3f}{m['f1']:8.3f}")
    rows.append(f"{'type':10}{'acc':>8}{metrics['type_accuracy']:8.3f}{'F1':>8} {metrics['type_f1']:.3f}")
    rows.append(f"{'value':10}{'acc':>8}{metrics['value_accuracy']:8.3f}{'F1':>8} {metrics['value_f1']:.3f}")
    for e in metrics.get("errors", []):
        rows.append(
            f"  {e['kind']:8} {e['doc']}: gold {e.get('gold')!r}={e.get('value')} sys "
            f"{e.get('sys')!r}={e.get('sys_value')}"
        )
    return "\n".join(rows)
