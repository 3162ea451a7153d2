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


WORDS = ["Anna", "Berg", "flew", "to", "Oslo", "."]
TAGS = ["B-PER", "I-PER", "O", "O", "B-LOC", "O"]


def _tiny_model(path, bio_hidden: int = 0, seed: int = 0, tags: list[str] = TAGS):  # type: ignore[no-untyped-def]
    """A width-32 tok2vec + BIO decoder fitted to one sentence, saved to ``path``."""
    import spacy
    from spacy.tokens import Doc
    from spacy.training import Example

    from newsweave.ner.train import Recipe, config_text

    spacy.util.fix_random_seed(seed)
    cfg = spacy.util.load_config_from_str(config_text("en", Recipe(width=32, decoder="bio", bio_hidden=bio_hidden)))
    nlp = spacy.util.load_model_from_config(cfg, auto_fill=True, validate=True)
    examples = [Example.from_dict(Doc(nlp.vocab, words=WORDS), {"tags": tags})]
    nlp.initialize(lambda: examples)
    optimizer = nlp.create_optimizer()
    rng = random.Random(seed)
    for _ in range(60):
        rng.shuffle(examples)
        nlp.update(examples, sgd=optimizer)
    nlp.to_disk(path)
    return path


@pytest.mark.parametrize("bio_hidden", [0, 32])  # a linear softmax, or a maxout layer before it
def test_component_trains_saves_and_writes_entities(tmp_path, bio_hidden: int) -> None:  # type: ignore[no-untyped-def]
    from spacy.tokens import Doc

    from newsweave.ner.models import load_pipeline

    loaded = load_pipeline(_tiny_model(tmp_path / "m", bio_hidden))
    doc = loaded(Doc(loaded.vocab, words=WORDS))
    assert [(e.text, e.label_) for e in doc.ents] == [("Anna Berg", "PER"), ("Oslo", "LOC")]
    assert all(not t.tag_ for t in doc)  # entities only; token tags are left alone
    # outside training the output layer gives raw scores; Viterbi gets probabilities
    pipe = loaded.get_pipe("bio_ner")
    (probs,) = pipe._probabilities(pipe.model.predict([loaded.get_pipe("tok2vec")(Doc(loaded.vocab, words=WORDS))]))
    assert np.allclose(probs.sum(axis=1), 1.0, atol=1e-5) and (probs >= 0).all()


def test_ensemble_averages_its_members_probabilities(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from spacy.tokens import Doc

    from newsweave.errors import EvalError
    from newsweave.ner.bio import ENSEMBLE_KEY
    from newsweave.ner.models import load_pipeline
    from newsweave.ner.train import assemble

    members = [_tiny_model(tmp_path / f"m{i}", bio_hidden=32 * i, seed=i) for i in range(3)]
    singles = []
    for m in members:
        nlp = load_pipeline(m)
        doc = nlp.get_pipe("tok2vec")(Doc(nlp.vocab, words=WORDS))
        pipe = nlp.get_pipe("bio_ner")
        singles.append(pipe._probabilities(pipe.model.predict([doc]))[0])
    assemble(members, tmp_path / "ens")
    ens = load_pipeline(tmp_path / "ens")
    assert ens.pipe_names == ["bio_ner_0", "bio_ner_1", "bio_ner"]
    assert [ens.get_pipe(n).cfg["ensemble"] for n in ens.pipe_names] == ["add", "add", "decode"]
    doc = ens(Doc(ens.vocab, words=WORDS))
    assert [(e.text, e.label_) for e in doc.ents] == [("Anna Berg", "PER"), ("Oslo", "LOC")]
    assert ENSEMBLE_KEY not in doc.user_data  # the running sum is gone once decoded
    # what the last member decodes is the mean of the three members' own probabilities
    docs = [Doc(ens.vocab, words=WORDS)]
    for name in ens.pipe_names[:-1]:
        pipe = ens.get_pipe(name)
        pipe.set_annotations(docs, pipe.predict(docs))
    total, n = docs[0].user_data[ENSEMBLE_KEY]
    last = ens.get_pipe("bio_ner")
    mean = (total + last._probabilities(last.model.predict(docs))[0]) / (n + 1)
    assert n == 2 and np.allclose(mean, np.mean(singles, axis=0), atol=1e-5)
    empty = ens(Doc(ens.vocab, words=[]))
    assert list(empty.ents) == []
    other = _tiny_model(tmp_path / "other", tags=["B-ORG", "I-ORG", "O", "O", "B-LOC", "O"])
    with pytest.raises(EvalError, match="different labels"):
        assemble([members[0], other])
