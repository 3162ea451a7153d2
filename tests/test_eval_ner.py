"""``eval ner``: format detection, scoring through the CLI-facing API, and the CI floors."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsweave.errors import EvalError
from newsweave.eval import floors, ner, run_eval


def test_evaluate_small_conll_file(tmp_path: Path) -> None:
    p = tmp_path / "tiny.conll"
    p.write_text(
        "Angela NN I-NC I-PER\nMerkel NN I-NC I-PER\nbesuchte VVFIN I-VC O\nParis NE I-NC I-LOC\n. $. O O\n\n",
        encoding="utf-8",
    )
    report, m = run_eval("ner", p, lang="de")
    assert m["sentences"] == 1 and m["gold"] == 2
    assert 0.0 <= m["f1"] <= 1.0 and set(m["per_type"]) >= {"PER", "LOC", "ORG", "MISC"}
    assert "PER" in report and "all" in report


def test_empty_file_is_an_eval_error(tmp_path: Path) -> None:
    p = tmp_path / "empty.tsv"
    p.write_text("\n", encoding="utf-8")
    with pytest.raises(EvalError):
        ner.evaluate(p, lang="de")


def test_report_lists_types() -> None:
    m = {"data": "x", "lang": "en", "sentences": 1, "tokens": 3, "model": "m", "seconds": 0.1,
         "p": 0.5, "r": 0.5, "f1": 0.5, "gold": 2, "pred": 2,
         "per_type": {"PER": {"p": 1.0, "r": 1.0, "f1": 1.0, "gold": 1, "pred": 1}}}
    assert "PER     1.000" in ner.format_report(m)


@pytest.mark.slow
def test_german_heldout_floor(shared: Path) -> None:
    m = ner.evaluate(shared / "data" / "ner", lang="de")
    assert m["data"] == "held-out 10%"
    assert m["f1"] >= floors("ner")["de_heldout"]["f1"], ner.format_report(m)


@pytest.mark.slow
def test_english_testa_floor(shared: Path) -> None:
    m = ner.evaluate(shared / "data" / "ner" / "conll2003_en" / "eng.testa", lang="en")
    assert m["f1"] >= floors("ner")["en_testa"]["f1"], ner.format_report(m)


@pytest.mark.slow
def test_german_unseen_europarl_test_floor(shared: Path) -> None:
    m = ner.evaluate(shared / "data" / "ner" / "europarl_de" / "test.tsv", lang="de")
    assert m["sentences"] == 858
    assert m["f1"] >= floors("ner")["de_europarl_test"]["f1"], ner.format_report(m)
