"""``eval ner``: entity-level exact-match P/R/F1 (conlleval semantics), overall and per type.

``data`` is a file in CoNLL-2003 columns or GermEval 2014 TSV (detected; GermEval is scored on
its outer chunks, OTH, -deriv and -part as MISC, see :mod:`newsweave.ner.readers`), or the
shared ``data/ner`` folder: then German is scored on the fixed held-out 10 % of the training
sentences (the CI floor) and English on CoNLL-2003 eng.testa. Options: ``lang`` (de|en),
``model`` (a spaCy pipeline folder; default: the one the entities stage uses), ``limit`` (first N
sentences), ``holdout`` (with the folder and German: a whole set held out, for models trained
with that hold-out).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from ..errors import EvalError
from ..ner.readers import TaggedSentence, read_any
from ..ner.scoring import gold_spans, predict_spans, score


def _sentences(data: Path, lang: str, holdout: str | None) -> tuple[list[TaggedSentence], str]:
    if data.is_dir():
        from ..ner.train import split

        _, dev = split(lang, holdout=holdout)
        name = "eng.testa" if lang == "en" else (f"held-out set {holdout}" if holdout else "held-out 10%")
        return dev, name
    return read_any(data), data.name


def evaluate(data: Path, *, lang: str = "de", model: str | None = None, limit: int | None = None,
             holdout: str | None = None, **_: Any) -> dict[str, Any]:
    from ..ner.models import load_ner, load_pipeline, model_name

    sentences, name = _sentences(Path(data), lang, holdout)
    if limit:
        sentences = sentences[: int(limit)]
    if not sentences:
        raise EvalError(f"{data}: no sentences to score")
    nlp = load_pipeline(model) if model else load_ner(lang)
    t0 = time.perf_counter()
    pred = predict_spans(nlp, sentences)
    seconds = time.perf_counter() - t0
    metrics = score(gold_spans(sentences), pred)
    metrics.update({
        "data": name, "lang": lang, "model": model or model_name(lang), "sentences": len(sentences),
        "tokens": sum(len(s.tokens) for s in sentences), "seconds": round(seconds, 2),
    })
    return metrics


def format_report(m: dict[str, Any]) -> str:
    lines = [
        f"ner on {m['data']} ({m['lang']}, {m['sentences']} sentences, {m['tokens']} tokens, model {m['model']})",
        f"  {'type':<6} {'P':>6} {'R':>6} {'F1':>6} {'gold':>6} {'pred':>6}",
    ]
    for t, v in sorted(m["per_type"].items()):
        lines.append(f"  {t:<6} {v['p']:6.3f} {v['r']:6.3f} {v['f1']:6.3f} {v['gold']:6d} {v['pred']:6d}")
    lines.append(f"  {'all':<6} {m['p']:6.3f} {m['r']:6.3f} {m['f1']:6.3f} {m['gold']:6d} {m['pred']:6d}")
    lines.append(f"  {m['seconds']:.2f}s, {m['tokens'] / max(m['seconds'], 1e-9):.0f} tokens/s")
    return "\n".join(lines)
