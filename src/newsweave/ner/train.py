"""Train a small CNN spaCy NER pipeline from the shared labelled sets, reproducibly.

``train("de", out_dir)`` rebuilds the German model shipped in ``newsweave/models/ner_de``:
GermEval 2014 dev + CoNLL-2003 German testa + Europarl-NER train, outer chunks, OTH→MISC. A fixed
10 % of the sentences (seeded shuffle) is held out; the best epoch on it is kept and its score is
the CI floor's reference. ``holdout="europarl"`` (or another set name) instead holds out a whole
set, for an honest cross-set figure. ``train("en", out_dir)`` trains on CoNLL-2003 eng.train and
selects on eng.testa.

Training is plain spaCy (tok2vec CNN with hash embeddings, no vectors, no transformer), one thread,
stopping after ``max_epochs`` or ``max_minutes``, whichever comes first.
"""

from __future__ import annotations

import json
import logging
import random
import time
from pathlib import Path
from typing import Any

from ..errors import EvalError, ModelUnavailable
from ..paths import shared_dir
from .readers import TaggedSentence, read_any
from .scoring import gold_spans, predict_spans, score

log = logging.getLogger(__name__)

# name -> path under shared/data/ner
SETS = {
    "de": {
        "germeval": "germeval2014/NER-de-dev.tsv",
        "conll": "conll2003_de/deuutf.testa",
        "europarl": "europarl_de/train.tsv",
    },
    "en": {"conll_train": "conll2003_en/eng.train", "conll_testa": "conll2003_en/eng.testa"},
}

CONFIG = """
[nlp]
lang = "{lang}"
pipeline = ["tok2vec","ner"]
batch_size = 256

[components]

[components.tok2vec]
factory = "tok2vec"

[components.tok2vec.model]
@architectures = "spacy.Tok2Vec.v2"

[components.tok2vec.model.embed]
@architectures = "spacy.MultiHashEmbed.v2"
width = {width}
attrs = ["NORM","PREFIX","SUFFIX","SHAPE"]
rows = [10000,3000,5000,1000]
include_static_vectors = false

[components.tok2vec.model.encode]
@architectures = "spacy.MaxoutWindowEncoder.v2"
width = {width}
depth = 4
window_size = 1
maxout_pieces = 3

[components.ner]
factory = "ner"

[components.ner.model]
@architectures = "spacy.TransitionBasedParser.v2"
state_type = "ner"
extra_state_tokens = false
hidden_width = 64
maxout_pieces = 2
use_upper = true

[components.ner.model.tok2vec]
@architectures = "spacy.Tok2VecListener.v1"
width = {width}
upstream = "*"
"""


def load_sets(lang: str) -> dict[str, list[TaggedSentence]]:
    base = shared_dir()
    if base is None:
        raise EvalError("the shared data folder (../shared or $NEWSWEAVE_SHARED) is missing")
    if lang not in SETS:
        raise EvalError(f"no training data for language {lang!r}; valid: {', '.join(SETS)}")
    return {name: read_any(base / "data" / "ner" / rel) for name, rel in SETS[lang].items()}


def split(lang: str, *, seed: int = 0, holdout: str | None = None) -> tuple[list, list]:
    """(train, held-out) sentences. German default: a seeded 10 % of all sentences."""
    sets = load_sets(lang)
    if lang == "en":
        return sets["conll_train"], sets["conll_testa"]
    if holdout:
        if holdout not in sets:
            raise EvalError(f"unknown held-out set {holdout!r}; valid: {', '.join(sets)}")
        train_s = [s for n, ss in sets.items() if n != holdout for s in ss]
        return train_s, sets[holdout]
    every = [s for ss in sets.values() for s in ss]
    rng = random.Random(seed)
    order = list(range(len(every)))
    rng.shuffle(order)
    n_dev = len(every) // 10
    dev_idx = set(order[:n_dev])
    return [s for i, s in enumerate(every) if i not in dev_idx], [every[i] for i in sorted(dev_idx)]


def _examples(nlp: Any, sentences: list[TaggedSentence]) -> list:
    from spacy.tokens import Doc
    from spacy.training import Example, iob_to_biluo

    out = []
    for s in sentences:
        doc = Doc(nlp.vocab, words=s.tokens)
        out.append(Example.from_dict(doc, {"entities": iob_to_biluo(s.tags)}))
    return out


def train(
    lang: str,
    out_dir: Path,
    *,
    seed: int = 0,
    max_minutes: float = 25.0,
    max_epochs: int = 30,
    holdout: str | None = None,
    width: int = 128,
    dropout: float = 0.2,
) -> dict:
    """Train and save the best epoch to ``out_dir``; returns the held-out scores and run facts."""
    try:
        import spacy
        from spacy.util import compounding, fix_random_seed, minibatch
    except ImportError as exc:  # pragma: no cover - spacy is a core dependency
        raise ModelUnavailable("spaCy is needed to train: pip install 'spacy>=3.8,<3.9'") from exc

    fix_random_seed(seed)
    train_s, dev_s = split(lang, seed=seed, holdout=holdout)
    cfg = spacy.util.load_config_from_str(CONFIG.format(lang=lang, width=width))
    nlp = spacy.util.load_model_from_config(cfg, auto_fill=True, validate=True)
    train_ex = _examples(nlp, train_s)
    nlp.initialize(lambda: train_ex)
    optimizer = nlp.create_optimizer()
    gold = gold_spans(dev_s)
    rng = random.Random(seed)
    t0 = time.monotonic()
    best: dict[str, Any] = {"f1": -1.0}
    history = []
    out_dir = Path(out_dir)
    for epoch in range(max_epochs):
        rng.shuffle(train_ex)
        losses: dict[str, float] = {}
        for batch in minibatch(train_ex, size=compounding(8.0, 64.0, 1.001)):
            nlp.update(batch, drop=dropout, sgd=optimizer, losses=losses)
        with nlp.use_params(optimizer.averages):
            metrics = score(gold, predict_spans(nlp, dev_s))
            minutes = (time.monotonic() - t0) / 60
            history.append({"epoch": epoch, "loss": round(float(losses.get("ner", 0.0)), 1),
                            "f1": metrics["f1"], "minutes": round(minutes, 1)})
            log.warning("epoch %d loss %.1f held-out F1 %.4f (%.1f min)", epoch,
                        losses.get("ner", 0.0), metrics["f1"], minutes)
            if metrics["f1"] > best["f1"]:
                best = {**metrics, "epoch": epoch}
                nlp.to_disk(out_dir)
        if (time.monotonic() - t0) / 60 > max_minutes:
            break
    result = {
        "lang": lang, "seed": seed, "holdout": holdout or ("eng.testa" if lang == "en" else "10%"),
        "train_sentences": len(train_s), "heldout_sentences": len(dev_s), "width": width, "dropout": dropout,
        "best": best, "history": history, "spacy": spacy.__version__,
    }
    (out_dir / "training.json").write_text(json.dumps(result, indent=1), encoding="utf-8")
    return result


def main() -> None:  # pragma: no cover - command-line use: python -m newsweave.ner.train de OUT
    import argparse

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("lang")
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--max-minutes", type=float, default=25.0)
    ap.add_argument("--max-epochs", type=int, default=30)
    ap.add_argument("--holdout")
    ap.add_argument("--width", type=int, default=128)
    ap.add_argument("--dropout", type=float, default=0.2)
    a = ap.parse_args()
    r = train(a.lang, a.out_dir, seed=a.seed, max_minutes=a.max_minutes, max_epochs=a.max_epochs,
              holdout=a.holdout, width=a.width, dropout=a.dropout)
    print(json.dumps(r["best"], indent=1))


if __name__ == "__main__":  # pragma: no cover
    main()
