"""``eval timeline``: date tagging, the news-tls metrics, and the floors on the Timeline17 dev topics."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from newsweave.errors import EvalError
from newsweave.eval import floors, run_eval
from newsweave.eval.timeline import PUBLISHED, align_rouge, date_f1, split_tokenised, tag_dates
from newsweave.paths import shared_dir


def test_tag_dates_resolves_against_the_creation_date() -> None:
    dct = date(2009, 4, 29)  # a Wednesday
    text = "On Monday , officials met ; on April 24 Mexico closed schools and 2 May 2009 was set . Yesterday it rained"
    got = [(text[a:b], d) for a, b, d in tag_dates(text, dct)]
    assert ("Monday", date(2009, 4, 27)) in got
    assert ("April 24", date(2009, 4, 24)) in got
    assert ("2 May 2009", date(2009, 5, 2)) in got
    assert ("Yesterday", date(2009, 4, 28)) in got
    assert tag_dates("you may go", dct) == []
    # a month name far after the creation date is last year's
    assert tag_dates("December 20", date(2010, 1, 5))[0][2] == date(2009, 12, 20)


def test_split_tokenised() -> None:
    assert split_tokenised("A b . C d ? E") == ["A b .", "C d ?", "E"]


def test_alignment_rouge_discounts_by_distance_and_date_f1() -> None:
    gold = {date(2009, 4, 24): "the who declares an emergency"}
    same = align_rouge({date(2009, 4, 24): "the who declares an emergency"}, gold, 1)
    off = align_rouge({date(2009, 4, 25): "the who declares an emergency"}, gold, 1)
    assert same["F"] == pytest.approx(1.0)
    assert off["F"] == pytest.approx(0.5)
    assert align_rouge({}, gold, 2)["F"] == 0.0
    assert date_f1({date(2009, 4, 24), date(2009, 4, 25)}, {date(2009, 4, 24)}) == pytest.approx(2 / 3)


def test_a_folder_without_topics_is_an_eval_error(tmp_path: Path) -> None:
    with pytest.raises(EvalError, match="no Timeline17 topic"):
        run_eval("timeline", tmp_path)


def test_tiny_topic_end_to_end(tmp_path: Path) -> None:
    arts = [
        {"uid": "1", "dct": "2010-01-13", "dates": [], "text": "A strong earthquake hit the capital on Tuesday . Thousands died ."},
        {"uid": "2", "dct": "2010-01-14", "dates": [], "text": "Rescuers searched the rubble on Wednesday . The quake hit on Tuesday ."},
    ]
    (tmp_path / "articles.json").write_text(json.dumps(arts))
    (tmp_path / "t.timeline.json").write_text(json.dumps([{"date": "2010-01-12", "text": "An earthquake hits the capital ."}]))
    report, m = run_eval("timeline", tmp_path)
    assert m["date-F1"] == 1.0 and m["AR1-F"] > 0.3
    assert "DATEWISE" in report


@pytest.mark.slow
def test_dev_topics_beat_datewise_and_the_floors() -> None:
    sd = shared_dir()
    data = sd / "data" / "timelines" / "timeline17" if sd else None
    if data is None or not data.is_dir():
        pytest.skip("Timeline17 dev topics are not in the shared data folder")
    _, m = run_eval("timeline", data)
    assert len(m["topics"]) == 5
    for k, floor in floors("timeline").items():
        if k in PUBLISHED:
            assert m[k] >= floor, f"{k} {m[k]:.3f} fell below its floor {floor}"
            assert m[k] > PUBLISHED[k], f"{k} {m[k]:.3f} does not beat DATEWISE {PUBLISHED[k]}"


def test_clustering_of_topics_ingested_together(tmp_path: Path) -> None:
    """``--opt clustering=1``: two unrelated topics ingested together are not mixed."""
    topics = {
        "quake_a": ["A strong earthquake hit the capital on Tuesday . Thousands of buildings collapsed .",
                    "Rescuers dug through the rubble after the earthquake . Aftershocks shook the capital .",
                    "Aid for the earthquake victims arrived at the capital's airport ."],
        "chess_b": ["The chess champion won the final game of the title match with the black pieces .",
                    "In the title match the challenger resigned the last chess game after forty moves .",
                    "The chess world champion kept the title after the final game of the match ."],
    }
    for name, texts in topics.items():
        folder = tmp_path / name
        folder.mkdir()
        arts = [{"uid": str(i), "dct": f"2010-01-{12 + i}", "dates": [], "text": t} for i, t in enumerate(texts)]
        (folder / "articles.json").write_text(json.dumps(arts))
        (folder / "x.timeline.json").write_text(json.dumps([{"date": "2010-01-12", "text": texts[0]}]))
    report, m = run_eval("timeline", tmp_path, clustering=1)
    c = m["clustering"]
    assert c["documents"] == 6 and c["topics"] == 2
    assert c["event"]["purity"] == 1.0 and c["story"]["purity"] == 1.0
    assert "ingested together" in report
