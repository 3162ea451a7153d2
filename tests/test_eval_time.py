"""Quality gates: the time and dating evals on fixed dev splits must stay at or above the floors
in src/newsweave/eval/floors/{time,dating}.json (the figures the README quotes)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsweave.errors import EvalError
from newsweave.eval import dating as eval_dating
from newsweave.eval import time as eval_time
from newsweave.paths import PACKAGE_DIR, shared_dir
from newsweave.timex.timeml import read_standoff

FLOORS = PACKAGE_DIR / "eval" / "floors"
GERMAN_DEV = PACKAGE_DIR / "eval" / "data" / "time_de"
GERMAN_HELDOUT = PACKAGE_DIR / "eval" / "data" / "time_de_heldout"
SEED_ANN = Path(__file__).parent / "data" / "time_de" / "seeds.json"


def floors(name: str) -> dict:
    return json.loads((FLOORS / f"{name}.json").read_text(encoding="utf-8"))


def shared(*parts: str) -> Path:
    sd = shared_dir()
    if sd is None or not sd.joinpath(*parts).exists():
        pytest.skip(f"shared data {'/'.join(parts)} not available")
    return sd.joinpath(*parts)


def check(metrics: dict, floor: dict) -> None:
    got = {
        "strict_f1": metrics["strict"]["f1"],
        "relaxed_f1": metrics["relaxed"]["f1"],
        "type_f1": metrics["type_f1"],
        "value_f1": metrics["value_f1"],
    }
    for k, v in floor.items():
        assert got[k] >= v, f"{k} = {got[k]} fell below the floor {v}"


@pytest.mark.slow
def test_tempeval3_dev_split_floors():
    data = shared("data", "time", "tempeval3", "Training", "TBAQ-cleaned")
    m = eval_time.evaluate(data, split="dev")
    assert m["documents"] == 52
    check(m, floors("time")["tempeval3_dev"])


def test_german_dev_set_floors():
    m = eval_time.evaluate(GERMAN_DEV)
    assert m["gold"] >= 46 and m["documents"] >= 20
    check(m, floors("time")["german_dev"])


def test_german_heldout_set_floors():
    m = eval_time.evaluate(GERMAN_HELDOUT)
    assert m["gold"] >= 120 and m["documents"] >= 26
    check(m, floors("time")["german_heldout"])


def test_german_seed_annotation_floors():
    seeds = shared("corpus", "seeds")
    docs = read_standoff(SEED_ANN, seeds)
    import hashlib

    ann = json.loads(SEED_ANN.read_text(encoding="utf-8"))["documents"]
    for d in docs:
        assert hashlib.sha256(d.text.encode()).hexdigest() == ann[d.name]["sha256"], f"{d.name} changed"
    check(eval_time.score(docs), floors("time")["german_seeds"])


@pytest.mark.slow
def test_timeline17_dating_floors():
    data = shared("data", "timelines", "timeline17")
    m = eval_dating.evaluate(data, split="dev")
    f = floors("dating")["timeline17_dev"]
    assert m["median_abs_error_days"] <= f["median_abs_error_days_max"]
    assert m["within_1"] >= f["within_1_min"]
    assert m["range_contains_truth"] >= f["range_contains_truth_min"]


def test_scorer_definitions(tmp_path):
    """Strict = same span, relaxed = overlap; value accuracy over relaxed matches."""
    (tmp_path / "a.tml").write_text(
        '<TimeML><DCT><TIMEX3 tid="t0" type="DATE" value="2021-06-08">x</TIMEX3></DCT><TEXT>'
        'He spoke <TIMEX3 tid="t1" type="DATE" value="2021-06-07">Monday</TIMEX3> and '
        '<TIMEX3 tid="t2" type="DATE" value="2021-W22">last week</TIMEX3>; '
        '<TIMEX3 tid="t3" type="DURATION" value="PXY">ages</TIMEX3>.</TEXT></TimeML>',
        encoding="utf-8",
    )
    m = eval_time.evaluate(tmp_path)
    assert m["gold"] == 3
    # the system finds "Monday" (exact, right value), "last week" (exact) and nothing for
    # "ages" (no rule for it): strict = relaxed recall 2/3
    assert m["relaxed"]["recall"] == pytest.approx(2 / 3, abs=1e-3)
    assert m["strict"]["precision"] == 1.0
    assert m["value_accuracy"] == 1.0
    assert m["value_f1"] == pytest.approx(m["relaxed"]["f1"])
    assert "strict" in eval_time.format_report(m)


def test_timex2_sgml_is_read(tmp_path):
    (tmp_path / "19450508_war.sgml").write_text(
        '<DOC><TEXT>The war ended <TIMEX2 VAL="1945-05-08">on 8 May 1945</TIMEX2>. '
        '<TIMEX2 VAL="1945-05-09">The next day</TIMEX2> came.</TEXT></DOC>',
        encoding="utf-8",
    )
    m = eval_time.evaluate(tmp_path)
    assert m["gold"] == 2 and m["documents"] == 1
    assert m["relaxed"]["recall"] >= 0.5


def test_missing_data_is_an_eval_error(tmp_path):
    with pytest.raises(EvalError):
        eval_time.evaluate(tmp_path / "nope")
    with pytest.raises(EvalError):
        eval_dating.evaluate(tmp_path)
    with pytest.raises(EvalError):
        eval_time.evaluate(GERMAN_DEV, split="weird")


def test_dating_eval_on_a_small_topic(tmp_path):
    topic = tmp_path / "t1"
    topic.mkdir()
    arts = [
        {
            "uid": "1",
            "dct": "2010-01-13",
            "dates": [],
            "text": "Port-au-Prince , Wed Jan 13 , 2010 - The quake hit on Tuesday .",
        },
        {"uid": "2", "dct": "2010-01-20", "dates": [], "text": "The cat sat on the mat ."},
    ]
    (topic / "articles.json").write_text(json.dumps(arts), encoding="utf-8")
    m = eval_dating.evaluate(tmp_path)
    assert m["articles"] == 2 and m["coverage"] == 0.5
    assert m["within_0"] == 0.5 and m["median_abs_error_days"] == 0
    assert "median" in eval_dating.format_report(m)
