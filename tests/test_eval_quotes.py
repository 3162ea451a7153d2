"""``eval quotes`` on brat standoff (PolNeAR layout): reading, matching, floors."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsweave.errors import EvalError
from newsweave.eval import floors, quotes

TEXT = "Smith said that the plan will fail soon. “We are ready for it,” Jones told reporters.\n"


def _corpus(tmp_path: Path) -> Path:
    (tmp_path / "text").mkdir()
    (tmp_path / "attributions").mkdir()
    (tmp_path / "text" / "doc1.txt").write_text(TEXT, encoding="utf-8")
    s = TEXT.index
    ann = [
        f"T1\tSource {s('Smith')} {s('Smith') + 5}\tSmith",
        f"T2\tCue {s('said')} {s('said') + 4}\tsaid",
        f"T3\tContent {s('the plan')} {s('soon') + 4}\tthe plan will fail soon",
        f"T4\tAttribution {s('said')} {s('said') + 4}\tsaid",
        "E1\tAttribution:T4 Content:T3 Cue:T2 Source:T1",
        f"T5\tSource {s('Jones')} {s('Jones') + 5}\tJones",
        f"T6\tCue {s('told')} {s('told') + 4}\ttold",
        f"T7\tContent {s('We are')} {s('for it') + 6}\tWe are ready for it",
        f"T8\tAttribution {s('told')} {s('told') + 4}\ttold",
        "E2\tAttribution:T8 Content:T7 Cue:T6 Source:T5",
    ]
    (tmp_path / "attributions" / "doc1_abcd.ann").write_text("\n".join(ann) + "\n", encoding="utf-8")
    return tmp_path


def test_read_ann(tmp_path: Path) -> None:
    rels = quotes.read_ann(_corpus(tmp_path) / "attributions" / "doc1_abcd.ann")
    assert len(rels) == 2
    c = rels[0]["content"]
    assert c is not None and TEXT[c[0] : c[1]] == "the plan will fail soon"


def test_evaluate_small_corpus(tmp_path: Path) -> None:
    m = quotes.evaluate(_corpus(tmp_path))
    assert m["files"] == 1 and m["content"]["gold"] == 2
    assert m["content"]["overlap"]["f1"] == 1.0  # both quotes found
    assert m["cue"]["exact"]["r"] == 1.0
    assert "content" in quotes.format_report(m)


def test_bad_layout_is_an_eval_error(tmp_path: Path) -> None:
    with pytest.raises(EvalError):
        quotes.evaluate(tmp_path)


@pytest.mark.slow
def test_polnear_dev_floor(shared: Path) -> None:
    m = quotes.evaluate(shared / "data" / "quotes" / "polnear" / "dev")
    fl = floors("quotes")["polnear_dev"]
    for kind, modes in fl.items():
        for mode, f1 in modes.items():
            assert m[kind][mode]["f1"] >= f1, quotes.format_report(m)
