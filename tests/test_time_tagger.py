"""The temporal tagger: spans, types and TIMEX3 values in German and English."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsweave.timex import sentence_spans, tag


def values(text: str, lang: str, anchor: date | None) -> dict[str, tuple[str, str | None]]:
    return {t.text: (t.type, t.value) for t in tag(text, lang, anchor=anchor)}


@pytest.mark.parametrize(
    ("text", "anchor", "expr", "typ", "value"),
    [
        ("Das Treffen fand am 2. Juni 2022 statt.", None, "2. Juni 2022", "DATE", "2022-06-02"),
        ("Der Gipfel ist am 2021-06-07.", None, "2021-06-07", "DATE", "2021-06-07"),
        ("Stoltenberg sagte am Montag, man sei bereit.", date(2021, 6, 9), "Montag", "DATE", "2021-06-07"),
        ("Er will am Montag nach Brüssel reisen.", date(2021, 6, 9), "Montag", "DATE", "2021-06-14"),
        (
            "Stoltenberg bestand an diesem Donnerstag darauf.",
            date(2021, 12, 23),
            "diesem Donnerstag",
            "DATE",
            "2021-12-23",
        ),
        (
            "Letzte Woche schlug Russland ein Abkommen vor.",
            date(2021, 12, 23),
            "Letzte Woche",
            "DATE",
            "2021-W50",
        ),
        ("Das gilt auch im nächsten Jahr.", date(2024, 12, 4), "nächsten Jahr", "DATE", "2025"),
        ("Das Projekt wurde vor zwei Jahren gestoppt.", date(2019, 7, 22), "vor zwei Jahren", "DATE", "2017"),
        ("Der Gipfel im Juli wird wichtig.", date(2024, 3, 1), "Juli", "DATE", "2024-07"),
        ("Der Gipfel im Juli war wichtig.", date(2024, 3, 1), "Juli", "DATE", "2023-07"),
        ("Kürzlich wurde berichtet, dass ...", date(2024, 3, 1), "Kürzlich", "DATE", "PAST_REF"),
        (
            "Die Hilfe soll in den kommenden Monaten steigen.",
            date(2024, 3, 1),
            "kommenden Monaten",
            "DATE",
            "FUTURE_REF",
        ),
        (
            "Die Arbeit der letzten vier Jahre zählt.",
            date(2024, 3, 1),
            "letzten vier Jahre",
            "DURATION",
            "P4Y",
        ),
        ("Die Ausstellung ist täglich geöffnet.", None, "täglich", "SET", "P1D"),
        ("He arrived in Washington on June 1.", date(2022, 6, 3), "June 1", "DATE", "2022-06-01"),
        (
            "ahead of the June 29-30 NATO Summit in Madrid",
            date(2022, 6, 3),
            "June 29-30",
            "DATE",
            "2022-06-29",
        ),
        ("The company reported results yesterday.", date(1989, 11, 2), "yesterday", "DATE", "1989-11-01"),
        ("Sales rose last week.", date(1998, 2, 19), "last week", "DATE", "1998-W07"),
        ("Prices will rise next year.", date(1998, 2, 19), "next year", "DATE", "1999"),
        (
            "It has grown over the past three years.",
            date(1998, 2, 19),
            "the past three years",
            "DURATION",
            "P3Y",
        ),
        ("Profits fell in the third quarter.", date(1989, 11, 2), "the third quarter", "DATE", "1989-Q3"),
        ("The deal closed Jan. 5 , 2010 in New York .", None, "Jan. 5 , 2010", "DATE", "2010-01-05"),
        ("The market is now calm.", date(2000, 1, 1), "now", "DATE", "PRESENT_REF"),
        ("The talks began in late November.", date(1999, 12, 10), "late November", "DATE", "1999-11"),
        (
            "Am Freitag um 14.46 Uhr bebte die Erde.",
            date(2011, 3, 14),
            "14.46 Uhr",
            "TIME",
            "2011-03-11T14:46",
        ),
    ],
)
def test_expression(text, anchor, expr, typ, value):
    lang = (
        "en"
        if any(w in text for w in (" the ", "He ", "The ", "Sales", "Prices", "It ", "Profits", "ahead"))
        else "de"
    )
    got = values(text, lang, anchor)
    assert got.get(expr) == (typ, value), got


def test_offsets_point_into_the_text():
    text = "Nato-Generalsekretär Jens Stoltenberg bestand an diesem Donnerstag darauf."
    (t,) = tag(text, "de", anchor=date(2021, 12, 23))
    assert text[t.start : t.end] == t.text == "diesem Donnerstag"
    assert t.anchor == "2021-12-23"


def test_position_words_become_mods():
    got = {
        t.text: t.mod for t in tag("Er reist Anfang Oktober und Mitte 2024.", "de", anchor=date(2023, 9, 8))
    }
    assert got == {"Anfang Oktober": "START", "Mitte 2024": "MID"}


def test_relative_without_anchor_is_not_guessed():
    got = values("Stoltenberg sagte am Montag, im Juli sei der Gipfel.", "de", None)
    assert got["Montag"] == ("DATE", None)
    assert got["Juli"] == ("DATE", "XXXX-07")


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Das Treffen ist am 32. Mai 2021.", "de"),
        ("The file is dated 2021-13-45.", "en"),
        ("The year 20222 will come.", "en"),
        ("Er kam am 31. Februar.", "de"),
        ("On 02/30/2021 nothing happened.", "en"),
    ],
)
def test_impossible_dates_give_no_value(text, lang):
    for t in tag(text, lang, anchor=date(2021, 6, 1)):
        assert t.value is None or not any(
            x in t.value for x in ("-13-", "-45", "20222", "05-32", "02-31", "02-30")
        ), t


def test_german_die_is_not_a_weekday():
    assert tag("Die Regierung und die Opposition stimmten zu.", "de", anchor=date(2021, 6, 1)) == []


def test_may_the_verb_is_not_a_month():
    assert tag("Prices may rise, officials say.", "en", anchor=date(2021, 6, 1)) == []


def test_sentence_split_keeps_abbreviations_and_ordinals():
    text = "Am 2. Juni 2022 kam er. Er kam Jan. 5 zu Dr. Schmidt. Dann ging er."
    assert [text[a:b].strip() for a, b in sentence_spans(text)] == [
        "Am 2. Juni 2022 kam er.",
        "Er kam Jan. 5 zu Dr. Schmidt.",
        "Dann ging er.",
    ]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.sampled_from([*"0123456789 .-/:,aJMdinuoteärzgb", "Juni ", "Montag ", "May ", "2021", "vor "]),
        max_size=30,
    ).map("".join)
)
def test_never_crashes_and_offsets_hold(text):
    for lang in ("de", "en"):
        for t in tag(text, lang, anchor=date(2021, 6, 7)):
            assert 0 <= t.start < t.end <= len(text)
            assert text[t.start : t.end] == t.text
            assert t.type in ("DATE", "TIME", "DURATION", "SET")
