"""A BIO tagger as the NER decoder: one softmax over B-/I- tags per token, decoded with Viterbi.

Why: spaCy's transition-based NER spends about 10 µs per token in its per-step parsing loop
(measured on the 2-core machine the figures come from), as much as the whole tok2vec CNN at
width 64; a softmax over the nine tags O, B-X and I-X costs a fraction of that. What the
transition system guarantees (well-formed entities) the decoder restores: Viterbi over the tag
log-probabilities with the one BIO constraint (I-X only after B-X or I-X), vectorised over the
documents of a batch, so its cost per token is a few array operations per position.

The component is spaCy's ``Tagger`` (training, loss, serialisation unchanged) trained on BIO
strings as tags; it writes ``doc.ents`` and leaves ``token.tag_`` alone. It is registered as
the factory ``newsweave_bio_ner`` when this module is imported (:mod:`newsweave.ner.models`
does that before loading a model).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from spacy.language import Language
from spacy.pipeline.ner import ner_score
from spacy.pipeline.tagger import DEFAULT_TAGGER_MODEL, Tagger
from spacy.tokens import Doc, Span
from spacy.util import registry

from .readers import spans_from_bio

FACTORY = "newsweave_bio_ner"


@registry.architectures("newsweave.BioTagger.v1")
def build_bio_tagger(tok2vec: Any, hidden: int = 64, nO: int | None = None) -> Any:
    """spaCy's tagger model with one maxout layer between the token vectors and the softmax:
    the tags of a name's tokens depend on combinations of features (a capitalised word after
    an article and before a verb) that one linear layer cannot form from the CNN's output; the
    transition parser has such a layer too (``hidden_width``)."""
    from thinc.api import Maxout, Softmax_v2, chain, with_array, zero_init

    t2v_width = tok2vec.get_dim("nO") if tok2vec.has_dim("nO") else None
    output_layer = Softmax_v2(nO, hidden, init_W=zero_init, normalize_outputs=False)
    model: Any = chain(tok2vec, with_array(chain(Maxout(hidden, t2v_width, nP=2, normalize=True), output_layer)))
    model.set_ref("tok2vec", tok2vec)
    model.set_ref("softmax", output_layer)
    model.set_ref("output_layer", output_layer)
    return model


def _layout(labels: tuple[str, ...]) -> tuple[list[int], int, int]:
    """Column order [O-like tags..., B-X..., I-X...] with B-X and I-X of one type at the same
    offset, so the Viterbi step works on two slices; returns (order, first B, first I)."""
    types = sorted(label[2:] for label in labels if label.startswith("I-") and f"B-{label[2:]}" in labels)
    index = {label: i for i, label in enumerate(labels)}
    b = [index[f"B-{t}"] for t in types]
    i = [index[f"I-{t}"] for t in types]
    rest = [k for k in range(len(labels)) if k not in b and k not in i]
    return rest + b + i, len(rest), len(rest) + len(types)


def viterbi(scores: list[np.ndarray], labels: tuple[str, ...]) -> list[np.ndarray]:
    """Best well-formed tag sequence per document from (n_tokens, n_tags) probabilities: an
    I-X tag only after B-X or I-X (an I- tag without its B- never). Vectorised over documents:
    a handful of array operations per position for the whole batch."""
    if not scores:
        return []
    order, b0, i0 = _layout(labels)
    n_tags, n_types = len(labels), i0 - b0
    lengths = [len(s) for s in scores]
    n_docs, t_max = len(scores), max(lengths)
    if t_max == 0:
        return [np.empty(0, dtype=np.int64) for _ in scores]
    # time-major, reordered columns, log-probabilities; padding scores 0 for every tag: past a
    # document's end O or B-X follows any tag at no cost, so the real part stays the best path
    logp = np.zeros((t_max, n_docs, n_tags), dtype=np.float32)
    for d, sc in enumerate(scores):
        if len(sc):
            logp[: len(sc), d] = np.log(np.maximum(np.asarray(sc, dtype=np.float32)[:, order], 1e-12))
    neg = np.float32(-1e9)
    orphan_i = [k for k, col in enumerate(order) if k < b0 and labels[col].startswith("I-")]
    delta = logp[0].copy()
    delta[:, i0:] = neg  # no entity starts inside
    delta[:, orphan_i] = neg
    back = np.empty((t_max, n_docs, n_tags), dtype=np.int8)
    back[0] = 0
    from_b_idx = np.arange(b0, i0, dtype=np.int8)
    from_i_idx = np.arange(i0, i0 + n_types, dtype=np.int8)
    rows = np.arange(n_docs)
    step = from_i_idx - from_b_idx  # I-X's back pointer: B-X, plus this when I-X scored higher
    for t in range(1, t_max):
        best = delta.argmax(axis=1)
        new = logp[t] + delta[rows, best][:, None]
        back[t] = best[:, None]
        fb, fi = delta[:, b0:i0], delta[:, i0:]
        take_i = fi > fb
        new[:, i0:] = np.maximum(fi, fb) + logp[t, :, i0:]
        back[t, :, i0:] = from_b_idx + step * take_i
        if orphan_i:
            new[:, orphan_i] = neg
        delta = new
    # walk back for all documents at once (over the padding too, which changes nothing)
    tags = delta.argmax(axis=1)
    path = np.empty((t_max, n_docs), dtype=np.int64)
    for t in range(t_max - 1, -1, -1):
        path[t] = tags
        tags = back[t, rows, tags]
    original = np.asarray(order)
    return [original[path[:n, d]] for d, n in enumerate(lengths)]


ENSEMBLE_KEY = "newsweave.bio_probs"  # doc.user_data: the tag probabilities summed so far


class BioNer(Tagger):
    """spaCy's Tagger over BIO tags, writing entities (see the module docstring).

    Several of them form an ensemble in one pipeline (:func:`.train.assemble`): each member has
    its own tok2vec inside its model, all but the last (``cfg["ensemble"] == "add"``) add their
    tag probabilities to the doc, the last (``"decode"``) averages them with its own and decodes.
    Averaging the probabilities of models trained from different seeds evens out where each one
    alone is unsure; it is decided per token before Viterbi, so the entities stay well formed."""

    def __init__(self, *args: Any, viterbi: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cfg["viterbi"] = viterbi
        self.cfg.setdefault("ensemble", "")

    def predict(self, docs: Any) -> Any:
        role = self.cfg.get("ensemble", "")
        if not role:
            return super().predict(docs)
        if any(len(doc) for doc in docs):
            probs = self._probabilities(self.model.predict(docs))
        else:
            probs = [np.zeros((0, len(self.labels)), dtype=np.float32) for _ in docs]
        if role == "add":
            return probs
        summed = []
        for doc, p in zip(docs, probs, strict=True):
            total, n = doc.user_data.pop(ENSEMBLE_KEY, (None, 0))
            if total is not None and total.shape != p.shape:
                raise ValueError(f"ensemble member scored {len(total)} tokens, this one {len(p)}")
            summed.append(p if total is None else (total + p) / (n + 1))
        return self._decode(summed)

    def _scores2guesses(self, scores: Any) -> list:
        return self._decode(self._probabilities(scores))

    def _decode(self, probs: list[np.ndarray]) -> list[np.ndarray]:
        """Tag ids per doc: the best well-formed sequence, or (``viterbi`` off) the best tag per token."""
        if self.cfg.get("viterbi", True):
            return viterbi(probs, self.labels)
        return [np.asarray(p).argmax(axis=1) for p in probs]

    def _probabilities(self, scores: Any) -> list[np.ndarray]:
        """Tag probabilities per token: the output layer of a tagger built with ``normalize =
        false`` (spaCy's default) returns raw scores outside training, which Viterbi must not
        read as probabilities."""
        softmax = self.model.get_ref("softmax") if self.model.has_ref("softmax") else None
        if softmax is None or softmax.attrs.get("softmax_normalize", True):
            return list(scores)
        return [self.model.ops.softmax(np.asarray(s, dtype=np.float32)) if len(s) else np.asarray(s, dtype=np.float32)
                for s in scores]

    def set_annotations(self, docs: Any, batch_tag_ids: Any) -> None:
        if isinstance(docs, Doc):
            docs = [docs]
        if self.cfg.get("ensemble") == "add":  # a member before the last: probabilities only
            for doc, p in zip(docs, batch_tag_ids, strict=True):
                total, n = doc.user_data.get(ENSEMBLE_KEY, (None, 0))
                doc.user_data[ENSEMBLE_KEY] = (p if total is None else total + p, n + 1)
            return
        labels = self.labels
        for doc, ids in zip(docs, batch_tag_ids, strict=True):
            tags = [labels[int(i)] for i in ids]
            doc.ents = [Span(doc, s, e, label=t) for s, e, t in sorted(spans_from_bio(tags))]


@Language.factory(
    FACTORY,
    assigns=["doc.ents"],
    default_config={"model": DEFAULT_TAGGER_MODEL, "viterbi": True, "label_smoothing": 0.0},
    default_score_weights={"ents_f": 1.0},
)
def make_bio_ner(nlp: Language, name: str, model: Any, viterbi: bool, label_smoothing: float) -> BioNer:
    return BioNer(nlp.vocab, model, name, viterbi=viterbi, label_smoothing=label_smoothing, scorer=ner_score)
