"""Reading time expressions in their context: the tense of the clause, the day the passage
talks about, anaphors, holidays, years in words, and what is not a duration. The sentences are
the project's own."""

from __future__ import annotations

from datetime import date

import pytest

from newsweave.timex import sentence_spans, tag
from newsweave.timex.phrases import easter, holiday_day, spelled_year
from newsweave.timex.tagger import rules_for


def values(text: str, lang: str, anchor: date | None) -> dict[str, tuple[str, str | None]]:
    return {t.text: (t.type, t.value) for t in tag(text, lang, anchor=anchor)}


@pytest.mark.parametrize(
    ("text", "lang", "anchor", "expr", "value"),
    [
        # the tense of the clause, not the document date, decides which Monday
        ("Ab Montag gilt der neue Fahrplan.", "de", date(2023, 4, 28), "Montag", "2023-05-01"),
        ("Seit Dienstag gilt der neue Fahrplan.", "de", date(2023, 4, 28), "Dienstag", "2023-04-25"),
        ("Am Dienstag sollen die Spieler in Berlin gefeiert werden.", "de", date(2014, 7, 14), "Dienstag", "2014-07-15"),
        ("The ruling may have been made public on Wednesday.", "en", date(2000, 1, 7), "Wednesday", "2000-01-05"),
        ("The court upheld Wednesday's ruling, lawyers said they would appeal.", "en", date(2000, 1, 7),
         "Wednesday", "2000-01-05"),
        ("The bank extended its loans through January.", "en", date(1989, 10, 30), "January", "1990-01"),
        ("The company agreed to buy the unit in February.", "en", date(1989, 10, 30), "February", "1990-02"),
        ("The reduced dividend is payable Jan. 2.", "en", date(1989, 11, 2), "Jan. 2", "1990-01-02"),
        ("Mr. Smith will succeed him Feb. 1.", "en", date(1989, 10, 26), "Feb. 1", "1990-02-01"),
        ("In January, the firm brought in a new chief who will stay.", "en", date(1989, 10, 27), "January", "1989-01"),
        ("The offer had been scheduled to expire at midnight Friday.", "en", date(1989, 10, 30), "midnight Friday",
         "1989-10-27T24:00"),
        # a clock time or a part of the day is on the day the passage talks about
        ("In Bonn brach am Montagabend ein Feuer aus. Es begann gegen 18.50 Uhr im Keller.", "de",
         date(2019, 4, 16), "18.50 Uhr", "2019-04-15T18:50"),
        ("Die Sitzung dauerte bis Donnerstag. Am Abend wurde abgestimmt.", "de", date(2007, 1, 19), "Abend",
         "2007-01-18TEV"),
        ("Trading will resume at 5 p.m. EST Nov. 9.", "en", date(1989, 11, 2), "5 p.m. EST Nov. 9", "1989-11-09T17:00"),
        ("The shop opened at 4 in the morning.", "en", date(2000, 4, 6), "4 in the morning", "2000-04-06T04:00"),
        # anaphors count from the date the text last named
        ("The plant opened in 1995. The following year it closed.", "en", date(1998, 4, 18), "The following year",
         "1996"),
        ("Prices fell on 20 October 1989. The previous Friday they had risen.", "en", date(1989, 10, 30),
         "previous Friday", "1989-10-13"),
        ("Der Vertrag wurde am 3. Mai 2021 unterzeichnet, am Vortag hatte man verhandelt.", "de", date(2021, 6, 1),
         "Vortag", "2021-05-02"),
        ("In der Nacht zum Donnerstag trat der Fluss über die Ufer.", "de", date(2021, 7, 17), "Nacht zum Donnerstag",
         "2021-07-14TNI"),
        ("Heute vor 30 Jahren fiel die Mauer.", "de", date(2019, 11, 9), "Heute vor 30 Jahren", "1989-11-09"),
        ("Die Regierung will bis Weihnachten stehen.", "de", date(2021, 9, 27), "Weihnachten", "2021-12-25"),
        ("Sales dropped after last Thanksgiving.", "en", date(2000, 1, 7), "last Thanksgiving", "1999-11-25"),
        ("The week of March 6 will be busy.", "en", date(2000, 2, 24), "The week of March 6", "2000-W10"),
        ("It began in mid-1996.", "en", date(1998, 2, 19), "mid-1996", "1996"),
        ("It was founded in nineteen ninety-six.", "en", date(1998, 2, 27), "nineteen ninety-six", "1996"),
        ("They spoke of the year two thousand.", "en", date(1998, 2, 27), "the year two thousand", "2000"),
        ("a decades-long feud", "en", date(2000, 1, 15), "decades-long", "PXY"),
        ("Er lief die Strecke in 2:01:09 Stunden.", "de", date(2022, 9, 25), "2:01:09 Stunden", "PT2H1M9S"),
        ("Die Arbeiten werden Monate dauern.", "de", date(2021, 7, 17), "Monate", "PXM"),
    ],
)
def test_expression_in_context(text, lang, anchor, expr, value):
    got = values(text, lang, anchor)
    assert got.get(expr, (None, None))[1] == value, got


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Mr. Reupke, 52 years old, left.", "en"),  # an age
        ("It saves $500 million a year.", "en"),  # a rate
        ("Four flights a week leave Sydney.", "en"),
        ("The index closed at 2082.1 points.", "en"),  # not a year
        ("More than two thousand years passed.", "en"),  # not the year 2000
    ],
)
def test_what_is_not_a_time_expression(text, lang):
    got = values(text, lang, date(1989, 10, 30))
    assert not any(v in ("P52Y", "P1Y", "P1W", "2082", "2000") for _t, v in got.values()), got


def test_holiday_arithmetic():
    assert easter(2024) == date(2024, 3, 31) and easter(2000) == date(2000, 4, 23) and easter(2019) == date(2019, 4, 21)
    assert holiday_day("4:4:11", 1999) == date(1999, 11, 25)  # Thanksgiving: fourth Thursday of November
    assert holiday_day("-1:1:05", 2023) == date(2023, 5, 29)  # Memorial Day: last Monday of May
    assert holiday_day("1:1:11+1", 1998) == date(1998, 11, 3)  # US Election Day
    assert holiday_day("easter+50", 2024) == date(2024, 5, 20)  # Pfingstmontag
    assert holiday_day("02-30", 2024) is None


def test_years_in_words():
    lex = rules_for("en").lex
    assert spelled_year("nineteen ninety-six", lex) == 1996
    assert spelled_year("two thousand one", lex) == 2001
    assert spelled_year("nineteen oh five", lex) == 1905
    assert spelled_year("nineteen hundred", lex) == 1900


def test_sentences_end_after_numbers_except_german_ordinals():
    en = "The dividend is payable Jan. 2 to holders of record Dec. 15. The split follows."
    assert len(sentence_spans(en, "en")) == 2
    de = "Das Treffen ist am 15. Mai in Bonn. Im Jahr 2021. Danach nicht mehr."
    assert [de[a:b].strip() for a, b in sentence_spans(de, "de")] == [
        "Das Treffen ist am 15. Mai in Bonn.", "Im Jahr 2021.", "Danach nicht mehr."
    ]


def test_without_anchor_an_anaphor_uses_the_text_and_nothing_else():
    got = values("The plant opened in 1995. The following year it closed. Next year it reopens.", "en", None)
    assert got["The following year"] == ("DATE", "1996")
    assert got["Next year"] == ("DATE", None)
