"""Dating the bundled sample corpus: for every document whose date the corpus does not give, the
inferred range contains the true date and the best day is close to it for a large majority.

The truth is read from ``newsweave/sample/expected.json``; there are no per-file cases.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from newsweave import api, sample
from newsweave.store import open_store

CLOSE_DAYS = 31
MIN_CLOSE_SHARE = 0.9  # measured: 23 of 23 undated documents (median error 0 days)


@pytest.fixture(scope="module")
def dated() -> dict[str, dict[str, Any]]:
    store = open_store(":memory:")
    api.ingest(store, api.sample_paths(), until="time")
    out: dict[str, dict[str, Any]] = {}
    for r in store.iter_records("documents"):
        for s in r["sources"]:
            out[s["source"].split("/corpus/", 1)[-1]] = r
    return out


def _undated() -> dict[str, dict[str, Any]]:
    return {k: v for k, v in sample.expected()["documents"].items() if v["published"]["given"] == "none"}


@pytest.mark.slow
def test_every_undated_document_is_dated_by_inference(dated: dict[str, dict[str, Any]]) -> None:
    undated = _undated()
    assert len(undated) >= 20
    for key in undated:
        assert key in dated, key
        assert dated[key]["published"]["source"] == "inferred", key


@pytest.mark.slow
def test_inferred_range_contains_the_true_date(dated: dict[str, dict[str, Any]]) -> None:
    wrong = []
    for key, exp in _undated().items():
        p = dated[key]["published"]
        true = exp["published"]["true"]
        if not ((p["earliest"] is None or p["earliest"] <= true) and (p["latest"] is None or true <= p["latest"])):
            wrong.append((key, true, p["earliest"], p["latest"]))
    assert wrong == []


@pytest.mark.slow
def test_best_day_is_close_to_the_truth_for_most(dated: dict[str, dict[str, Any]]) -> None:
    undated = _undated()
    close, far = 0, []
    for key, exp in undated.items():
        value = dated[key]["published"]["value"]
        true = date.fromisoformat(exp["published"]["true"])
        if value and abs((date.fromisoformat(value[:10]) - true).days) <= CLOSE_DAYS:
            close += 1
        else:
            far.append((key, str(true), value))
    assert close / len(undated) >= MIN_CLOSE_SHARE, far


@pytest.mark.slow
def test_given_dates_are_kept(dated: dict[str, dict[str, Any]]) -> None:
    for key, exp in sample.expected()["documents"].items():
        if exp["published"]["given"] in ("metadata", "html", "byline") and key in dated:
            assert dated[key]["published"]["value"][:10] == exp["published"]["true"], key


@pytest.mark.slow
def test_every_best_day_lies_in_its_expected_days(dated: dict[str, dict[str, Any]]) -> None:
    """Each document's day (given or inferred) lies in the days ``must_lie_in`` allows: a report
    of a conference's final agreement is from its last days, not its opening day."""
    wrong = []
    for key, exp in sample.expected()["documents"].items():
        lo, hi = exp["published"]["must_lie_in"]
        value = (dated[key]["published"]["value"] or "")[:10]
        if not lo <= value <= hi:
            wrong.append((key, value, lo, hi))
    assert wrong == []
