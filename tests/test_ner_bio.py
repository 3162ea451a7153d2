"""The BIO decoder: constrained Viterbi against brute force, and the spaCy component round trip."""

from __future__ import annotations

import itertools
import random

import numpy as np
import pytest

from newsweave.ner.bio import viterbi

LABELS = ("B-LOC", "B-PER", "I-LOC", "I-PER", "O")  # the sorted order spaCy's Tagger keeps


def _well_formed(tags: list[str]) -> bool:
    prev = "O"
    for t in tags:
        if t.startswith("I-") and prev[2:] != t[2:]:
            return False
        prev = t
    return True


def _brute_force(probs: np.ndarray) -> tuple[float, list[str]]:
    best = (-np.inf, [])
    for seq in itertools.product(range(len(LABELS)), repeat=len(probs)):
        tags = [LABELS[i] for i in seq]
        if _well_formed(tags):
            s = float(sum(np.log(probs[t, i]) for t, i in enumerate(seq)))
            if s > best[0]:
                best = (s, tags)
    return best


def test_viterbi_finds_the_best_well_formed_sequence() -> None:
    rng = np.random.default_rng(7)
    docs = [rng.dirichlet(np.ones(len(LABELS)) * 0.4, size=n).astype(np.float32) for n in (1, 2, 4, 6, 5, 3)]
    paths = viterbi(docs, LABELS)  # one batch of different lengths: padding must not matter
    for probs, path in zip(docs, paths, strict=True):
        tags = [LABELS[i] for i in path]
        score, best = _brute_force(probs)
        assert _well_formed(tags), tags
        got = float(sum(np.log(probs[t, i]) for t, i in enumerate(path)))
        assert got == pytest.approx(score, abs=1e-4), (tags, best)


def test_viterbi_repairs_what_argmax_breaks() -> None:
    # argmax says O, I-PER, I-PER: no entity may start inside, so the decoder starts one
    probs = np.array([[0.01, 0.01, 0.01, 0.01, 0.96], [0.01, 0.40, 0.01, 0.57, 0.01], [0.01, 0.01, 0.01, 0.96, 0.01]],
                     dtype=np.float32)
    (path,) = viterbi([probs], LABELS)
    assert [LABELS[i] for i in path] == ["O", "B-PER", "I-PER"]
    assert viterbi([], LABELS) == [] and len(viterbi([np.zeros((0, 5), np.float32)], LABELS)[0]) == 0


@pytest.mark.parametrize("bio_hidden", [0, 32])  # a linear softmax, or a maxout layer before it
def test_component_trains_saves_and_writes_entities(tmp_path, bio_hidden: int) -> None:  # type: ignore[no-untyped-def]
    import spacy
    from spacy.tokens import Doc
    from spacy.training import Example

    from newsweave.ner.models import load_pipeline
    from newsweave.ner.train import Recipe, config_text

    cfg = spacy.util.load_config_from_str(config_text("en", Recipe(width=32, decoder="bio", bio_hidden=bio_hidden)))
    nlp = spacy.util.load_model_from_config(cfg, auto_fill=True, validate=True)
    words = ["Anna", "Berg", "flew", "to", "Oslo", "."]
    tags = ["B-PER", "I-PER", "O", "O", "B-LOC", "O"]
    examples = [Example.from_dict(Doc(nlp.vocab, words=words), {"tags": tags})]
    nlp.initialize(lambda: examples)
    optimizer = nlp.create_optimizer()
    rng = random.Random(0)
    for _ in range(60):
        rng.shuffle(examples)
        nlp.update(examples, sgd=optimizer)
    nlp.to_disk(tmp_path / "m")
    loaded = load_pipeline(tmp_path / "m")
    doc = loaded(Doc(loaded.vocab, words=words))
    assert [(e.text, e.label_) for e in doc.ents] == [("Anna Berg", "PER"), ("Oslo", "LOC")]
    assert all(not t.tag_ for t in doc)  # entities only; token tags are left alone
