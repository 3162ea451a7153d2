"""``eval quotes`` on brat standoff (PolNeAR layout) and REDEWIEDERGABE token tables: reading,
matching, floors."""

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


RW_HEAD = "tok\tnormtok\tlemma\tpos\trfpos\tsentstart\tstwr\tframe\tspeaker\tintexpr\tnote"
RW_ROWS = [  # token, stwr, frame, speaker
    ("»", "direct.speech.1", "-", "-"), ("Komm", "direct.speech.1", "-", "-"), ("her", "direct.speech.1", "-", "-"),
    ("!", "direct.speech.1", "-", "-"), ("«", "direct.speech.1", "-", "-"), (",", "-", "-", "-"),
    ("sagte", "-", "frame.1", "-"), ("die", "-", "frame.1", "speaker.1_2"), ("Mutter", "-", "frame.1", "speaker.1_2"),
    (".", "-", "-", "-"), ("Sie", "-", "-", "-"), ("dachte", "-", "-", "-"),
    ("an", "indirect.thought.2", "-", "-"), ("nichts", "indirect.thought.2", "-", "-"), (".", "-", "-", "-"),
]


def _rw_corpus(tmp_path: Path) -> Path:
    rows = [RW_HEAD] + [f"{t}\t{t}\t{t}\tX\tX\tno\t{a}\t{b}\t{c}\t-\t-" for t, a, b, c in RW_ROWS]
    (tmp_path / "rwk_test_1-1.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (tmp_path / "metadata.tsv").write_text("file\tfictional\nrwk_test_1-1.tsv\tyes\n", encoding="utf-8")
    return tmp_path


def test_read_redewiedergabe_rebuilds_text_and_gold(tmp_path: Path) -> None:
    text, rels = quotes.read_redewiedergabe(_rw_corpus(tmp_path) / "rwk_test_1-1.tsv")
    assert text == "»Komm her!«, sagte die Mutter. Sie dachte an nichts."
    assert len(rels) == 1  # thought is not speech: not scored
    got = {k: text[v[0] : v[1]] for k, v in rels[0].items() if v}
    assert got == {"content": "»Komm her!«", "cue": "sagte die Mutter", "source": "die Mutter"}


def test_evaluate_redewiedergabe(tmp_path: Path) -> None:
    m = quotes.evaluate(_rw_corpus(tmp_path))
    assert m["format"] == "redewiedergabe" and m["lang"] == "de" and m["files"] == 1
    assert m["content"]["overlap"]["f1"] == 1.0 and m["source"]["exact"]["f1"] == 1.0
    assert m["cue"]["overlap"]["r"] == 1.0
    assert "token tables" in quotes.format_report(m)


def test_bad_redewiedergabe_table_is_an_eval_error(tmp_path: Path) -> None:
    (tmp_path / "rwk_bad.tsv").write_text("word\tlabel\nEier\tx\n", encoding="utf-8")
    with pytest.raises(EvalError, match="not a REDEWIEDERGABE table"):
        quotes.evaluate(tmp_path)


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


@pytest.mark.slow
def test_redewiedergabe_floor(shared: Path) -> None:
    m = quotes.evaluate(shared / "data" / "quotes" / "redewiedergabe_de")
    assert m["files"] == 838 and set(m["groups"]) == {"fiction", "non-fiction"}
    fl = floors("quotes")["redewiedergabe_de"]
    for kind, modes in fl.items():
        for mode, f1 in modes.items():
            assert m[kind][mode]["f1"] >= f1, quotes.format_report(m)
