"""NER data readers, tag normalisation, conlleval scoring, model loading."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsweave.errors import EvalError, ModelUnavailable
from newsweave.ner.readers import detect_format, normalise_tags, read_any, spans_from_bio
from newsweave.ner.scoring import map_label, score

GERMEVAL = (
    "#\thttp://example.org/a\t[2010-01-01]\n"
    "1\tDie\tO\tO\n2\tEU-Staaten\tB-ORGpart\tO\n3\tund\tO\tO\n4\tdeutsche\tB-LOCderiv\tO\n"
    "5\tAngela\tB-PER\tO\n6\tMerkel\tI-PER\tO\n7\tim\tO\tO\n8\tBundestag\tB-ORG\tO\n"
    "9\tzu\tO\tO\n10\tBerlin\tB-LOC\tO\n11\tund\tO\tO\n12\tder\tO\tO\n13\tTatort\tB-OTH\tO\n\n"
    "#\thttp://example.org/b\t[2010-01-02]\n1\tNein\tO\tO\n\n"
)
CONLL_IOB1 = (
    "-DOCSTART- -X- O O\n\n"
    "EU NNP I-NP I-ORG\nrejects VBZ I-VP O\nGerman JJ I-NP I-MISC\ncall NN I-NP O\n\n"
    "Peter NNP I-NP I-PER\nBlackburn NNP I-NP I-PER\nand CC O O\nJohn NNP I-NP I-PER\n"
    "Smith NNP I-NP B-PER\n\n"
)


def test_germeval_outer_chunks_and_mapping(tmp_path: Path) -> None:
    p = tmp_path / "g.tsv"
    p.write_text(GERMEVAL, encoding="utf-8")
    assert detect_format(p) == "germeval"
    sents = read_any(p)
    assert len(sents) == 2
    s = sents[0]
    # -part (a compound holding a name) -> MISC, as CoNLL-2003 German and Europarl tag such words
    assert s.tokens[1] == "EU-Staaten" and s.tags[1] == "B-MISC"
    assert s.tags[3] == "B-MISC"  # -deriv -> MISC
    assert spans_from_bio(s.tags) == {(1, 2, "MISC"), (3, 4, "MISC"), (4, 6, "PER"), (7, 8, "ORG"), (9, 10, "LOC"),
                                      (12, 13, "MISC")}


def test_conll_iob1_to_bio(tmp_path: Path) -> None:
    p = tmp_path / "c.txt"
    p.write_text(CONLL_IOB1, encoding="utf-8")
    assert detect_format(p) == "conll"
    a, b = read_any(p)
    assert a.tags == ["B-ORG", "O", "B-MISC", "O"]
    # I-PER I-PER and I-PER B-PER: a B- after the same type starts a new entity
    assert spans_from_bio(b.tags) == {(0, 2, "PER"), (3, 4, "PER"), (4, 5, "PER")}


def test_latin1_file_is_read(tmp_path: Path) -> None:
    p = tmp_path / "l.txt"
    p.write_bytes("Müller NN I-NC I-PER\n\n".encode("latin-1"))
    assert read_any(p)[0].tokens == ["Müller"]


def test_bad_files_raise_eval_error(tmp_path: Path) -> None:
    with pytest.raises(EvalError):
        read_any(tmp_path / "missing.txt")
    p = tmp_path / "empty.txt"
    p.write_text("\n\n", encoding="utf-8")
    with pytest.raises(EvalError):
        read_any(p)


def test_normalise_tags_handles_stray_inside_tags() -> None:
    assert normalise_tags(["O", "I-LOC", "I-LOC", "I-ORG"]) == ["O", "B-LOC", "I-LOC", "B-ORG"]


def test_score_exact_match_per_type() -> None:
    gold = [{(0, 2, "PER"), (3, 4, "LOC")}, {(1, 2, "ORG")}]
    pred = [{(0, 2, "PER"), (3, 5, "LOC")}, {(1, 2, "ORG"), (4, 5, "MISC")}]
    m = score(gold, pred)
    assert (m["gold"], m["pred"]) == (3, 4)
    assert m["p"] == 0.5 and round(m["r"], 3) == 0.667
    assert m["per_type"]["PER"]["f1"] == 1.0 and m["per_type"]["LOC"]["f1"] == 0.0


def test_ontonotes_labels_map_to_conll_types() -> None:
    assert [map_label(x) for x in ("PERSON", "GPE", "FAC", "NORP", "ORG", "DATE")] == ["PER", "LOC", "LOC", "MISC", "ORG", ""]


def test_unknown_language_has_no_model() -> None:
    from newsweave.ner.models import load_ner

    with pytest.raises(ModelUnavailable):
        load_ner("xx")


def test_german_model_is_shipped_small_and_tags_names() -> None:
    from newsweave.ner.models import load_ner, model_path

    path = model_path("de")
    size = sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
    assert size < 30 * 2**20, f"German model is {size / 2**20:.1f} MB"
    nlp = load_ner("de")
    # the shipped design: pretrained piece vectors and an ensemble of two BIO decoders, each
    # with its own tok2vec inside (see its model card)
    assert nlp.pipe_names == ["bio_ner_0", "bio_ner"] and nlp.meta["vectors"]["name"] == "usem3-pieces"
    assert [nlp.get_pipe(n).cfg["ensemble"] for n in nlp.pipe_names] == ["add", "decode"]
    doc = nlp("Bundeskanzlerin Angela Merkel traf am Montag in Paris den französischen Präsidenten.")
    labels = {(e.text, e.label_) for e in doc.ents}
    assert ("Angela Merkel", "PER") in labels
    assert ("Paris", "LOC") in labels


def test_split_is_fixed(shared: Path) -> None:
    from newsweave.ner.train import split

    tr1, dev1 = split("de", seed=0)
    _, dev2 = split("de", seed=0)
    assert [s.tokens for s in dev1] == [s.tokens for s in dev2]
    assert len(dev1) == (len(tr1) + len(dev1)) // 10
    # a partition: every sentence is in exactly one side
    ids = {id(s) for s in tr1} | {id(s) for s in dev1}
    assert len(ids) == len(tr1) + len(dev1)
    assert split("de", seed=1)[1][0].tokens != dev1[0].tokens  # the seed decides the split
    _, europarl = split("de", holdout="europarl")
    assert europarl and all(s.source == "train.tsv" for s in europarl)
    with pytest.raises(EvalError):
        split("de", holdout="nonsense")
