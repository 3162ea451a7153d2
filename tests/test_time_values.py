"""Value normalisation classes fixed for TempEval-3 (issue 4): tense from the verb before the
expression, yearless months, fiscal spans, reported quarters, fractions, seasons, sets."""

from __future__ import annotations

from datetime import date

import pytest

from newsweave.timex import tag
from newsweave.timex.calendar import duration

DCT = date(1989, 10, 30)  # a Monday in the fourth quarter


def values(text: str, anchor: date = DCT) -> dict[str, str | None]:
    return {t.text: t.value for t in tag(text, "en", anchor=anchor)}


@pytest.mark.parametrize(
    "text, span, value",
    [
        # the verb before wins over a participle after ("will be named ... in December")
        ("Collins will be named commander for a mission in December.", "December", "1989-12"),
        ("He was charged Thursday in state and federal complaints.", "Thursday", "1989-10-26"),
        ("The king will meet Bush on Thursday, officials said.", "Thursday", "1989-11-02"),
        # no tense: the nearest such month
        ("The split would be paid on a date in January to holders.", "January", "1990-01"),
        # "the year ended June 30" is a span, "the year" alone is this year
        ("Net income for the year ended Aug. 31 rose.", "the year", "P1Y"),
        ("Profit rose 5% in the year.", "the year", "1989"),
        # quarters with a year in front
        ("Net fell in the year-ago third quarter, it said.", "the year-ago third quarter", "1988-Q3"),
        ("Sales rose from the 1988 second quarter.", "the 1988 second quarter", "1988-Q2"),
        ("Sales in next year's first quarter will rise.", "next year's first quarter", "1990-Q1"),
        # plural units after "recent"/"past"
        ("Prices fell in recent days.", "recent days", "PXD"),
        # seasons: the latest one before the current season
        ("Sales slowed this past spring.", "past spring", "1989-SP"),
        ("It snowed last winter.", "last winter", "1988-WI"),
        # sets naming a weekday or a month
        ("Flights leave each Thursday.", "each Thursday", "XXXX-WXX-4"),
        # decades ago are years
        ("A decade ago, it was different.", "A decade ago", "1979"),
    ],
)
def test_values(text, span, value):
    got = values(text)
    assert got.get(span) == value, got


def test_reported_quarter_follows_the_quarter_named_before():
    text = (
        "The company said its fiscal first quarter profit rose. Net income in the quarter was "
        "$5 million, up from $4 million a year earlier."
    )
    got = values(text)
    assert got["the quarter"] == "1989-Q1", got
    assert got["a year earlier"] == "1988-Q1", got


def test_fractional_durations_use_the_smaller_unit():
    assert duration(2.5, "Y") == "P2Y6M"
    assert duration(5.5, "H") == "PT5H30M"
    assert duration(1.5, "D") == "P1DT12H"
    assert duration(3, "Y") == "P3Y"
    assert values("It lasted 2 1/2 years.")["2 1/2 years"] == "P2Y6M"
