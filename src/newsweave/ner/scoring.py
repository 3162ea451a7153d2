"""Entity-level exact-match scoring (conlleval semantics) and tagging of pre-tokenised text."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from .readers import LABELS, TaggedSentence, spans_from_bio


def score(gold: Iterable[set[tuple[int, int, str]]], pred: Iterable[set[tuple[int, int, str]]]) -> dict:
    """P/R/F1 overall and per type from parallel lists of span sets (one set per sentence)."""
    tp: Counter[str] = Counter()
    n_gold: Counter[str] = Counter()
    n_pred: Counter[str] = Counter()
    for g, p in zip(gold, pred, strict=True):
        for s in g:
            n_gold[s[2]] += 1
        for s in p:
            n_pred[s[2]] += 1
        for s in g & p:
            tp[s[2]] += 1

    def prf(t: int, ng: int, np_: int) -> dict[str, float]:
        prec = t / np_ if np_ else 0.0
        rec = t / ng if ng else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        return {"p": round(prec, 4), "r": round(rec, 4), "f1": round(f1, 4), "gold": ng, "pred": np_}

    types = sorted(set(n_gold) | set(n_pred) | set(LABELS))
    out: dict[str, Any] = prf(sum(tp.values()), sum(n_gold.values()), sum(n_pred.values()))
    out["per_type"] = {t: prf(tp[t], n_gold[t], n_pred[t]) for t in types}
    return out


def predict_spans(nlp: Any, sentences: list[TaggedSentence], batch_size: int = 256) -> list[set]:
    """Run a spaCy pipeline over pre-tokenised sentences; entity spans in token units."""
    from spacy.tokens import Doc

    docs = (Doc(nlp.vocab, words=s.tokens) for s in sentences)
    out: list[set[tuple[int, int, str]]] = []
    for doc in nlp.pipe(docs, batch_size=batch_size):
        out.append({(e.start, e.end, map_label(e.label_)) for e in doc.ents if map_label(e.label_)})
    return [{s for s in spans if s[2]} for spans in out]


# spaCy's OntoNotes labels (en_core_web_sm) to the four CoNLL types; "" means not scored
ONTONOTES_MAP = {
    "PERSON": "PER", "PER": "PER",
    "ORG": "ORG",
    "GPE": "LOC", "LOC": "LOC", "FAC": "LOC",
    "NORP": "MISC", "EVENT": "MISC", "WORK_OF_ART": "MISC", "LAW": "MISC", "LANGUAGE": "MISC",
    "PRODUCT": "MISC", "MISC": "MISC",
}


def map_label(label: str) -> str:
    return ONTONOTES_MAP.get(label, "")


def gold_spans(sentences: list[TaggedSentence]) -> list[set[tuple[int, int, str]]]:
    return [spans_from_bio(s.tags) for s in sentences]
