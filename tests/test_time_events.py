"""Dating from known events (the part of a conference a lede reports), time offsets after them, relative expressions next to them and
organisations' member counts (dating/events.py, knowledge/anchors.json)."""

from __future__ import annotations

from datetime import date

from newsweave.dating import infer_event_date, infer_published
from newsweave.dating.anchors import load_anchors
from newsweave.dating.events import from_event_mentions, from_member_counts
from newsweave.timex import tag


def test_event_reported_in_the_lede_dates_the_article_to_its_first_days() -> None:
    text = (
        "Webb shows its first images\n\n"
        "NASA released the first full-colour images of the James Webb Space Telescope on Tuesday. "
        "They show galaxies and nebulae."
    )
    info = infer_published(text, "en")
    assert info.value == "2022-07-12"
    assert info.earliest == "2022-07-12" and info.latest is not None and info.latest <= "2022-07-20"
    assert any("jwst-first-images" in e for e in info.evidence)


def test_event_spoken_of_as_ahead_bounds_from_above() -> None:
    cons = from_event_mentions(
        "Le télescope James Webb a décollé samedi. Les premières images sont attendues pour l'été.",
        "fr",
        load_anchors(),
    )
    ahead = [c for c in cons if "ahead" in c.reason]
    assert ahead and str(ahead[0].hi) == "2022-07-11"


def test_time_after_an_event() -> None:
    text = "Webb erreicht sein Ziel\n\nEinen Monat nach seinem Start hat das James-Webb-Teleskop sein Ziel erreicht."
    offs = [c for c in from_event_mentions(text, "de", load_anchors()) if c.kind == "offset"]
    assert offs and str(offs[0].lo) <= "2022-01-25" <= str(offs[0].hi)


def test_relative_expression_next_to_an_event() -> None:
    text = (
        "Das Parlament stimmte zu.\n\nDie Abgeordneten berieten lange. Schweden war, ebenso wie Finnland, "
        "das bereits im April vergangenen Jahres beigetreten ist, lange neutral."
    )
    rel = [c for c in from_event_mentions(text, "de", load_anchors()) if c.kind == "relative"]
    assert rel and "2023-12-20" <= str(rel[0].lo) <= "2024-01-05"
    assert "2024-12-20" <= str(rel[0].hi) <= "2025-01-07"


def test_member_counts() -> None:
    a = load_anchors()
    (c,) = from_member_counts("Ohne die Zustimmung aller 30 Mitgliedstaaten der Nato geht nichts.", "de", a)
    assert str(c.lo) == "2020-03-27" and str(c.hi) == "2023-04-03"
    (c,) = from_member_counts("Finland flag flies beside those of the 30 other NATO allies.", "en", a)
    assert str(c.lo) == "2023-04-04"
    text = "Ungarn stimmt zu\n\nDamit ist der Weg frei, das 32. Mitglied der Nato zu werden."
    (c,) = from_member_counts(text, "de", a)
    assert str(c.hi) == "2024-03-06"


def test_a_far_future_year_does_not_override_a_sitting_office_holder() -> None:
    info = infer_published(
        "UN-Generalsekretär António Guterres sagte, bis 2050 müsse die Welt klimaneutral sein. "
        "Die Klimakonferenz COP28 in Dubai endete.",
        "de",
    )
    assert info.earliest is not None and info.earliest < "2030"


def test_nothing_known_gives_nothing() -> None:
    assert from_event_mentions("Die Katze schläft. Sie startete nie.", "de", load_anchors()) == []
    assert from_member_counts("Der Verein hat 30 Mitglieder.", "de", load_anchors()) == []


# COP26 in Glasgow ran from Sunday 31 October to Saturday 13 November 2021 (knowledge/anchors.json)
def _day_of(text: str, lang: str, word: str) -> tuple[str | None, str | None]:
    """The article's inferred day and the value of ``word`` tagged against it."""
    info = infer_published(text, lang)
    day = date.fromisoformat(info.value) if info.value else None
    times = {t.text: t.value for t in tag(text, lang, anchor=day)}
    return info.value, times.get(word)


def test_a_lede_reporting_the_outcome_of_a_conference_dates_it_to_its_end() -> None:
    text = (
        "Glasgow: Kompromiss in letzter Minute\n\n"
        "Nach zwei Wochen zäher Verhandlungen haben sich die Delegierten der COP26 am Samstag auf einen "
        "gemeinsamen Text geeinigt. Viele Inselstaaten zeigten sich enttäuscht."
    )
    value, saturday = _day_of(text, "de", "Samstag")
    assert value == "2021-11-13" and saturday == "2021-11-13"
    info = infer_published(text, "de")
    assert any("its outcome" in e for e in info.evidence), info.evidence
    assert info.earliest == "2021-10-31"  # the range stays what the evidence allows


def test_a_lede_reporting_the_opening_dates_it_to_the_first_day() -> None:
    text = (
        "COP26 opens in Glasgow\n\n"
        "World leaders gathered in Glasgow on Sunday as the COP26 climate conference opened with calls for "
        "urgent action on emissions."
    )
    assert _day_of(text, "en", "Sunday") == ("2021-10-31", "2021-10-31")


def test_a_weekday_in_the_lede_falls_within_the_conference() -> None:
    """Without a word for the part of the conference, the weekday chooses the day: the Friday
    is one of the conference's (the first), not the one before it opened."""
    text = (
        "À Glasgow, la jeunesse dans la rue\n\n"
        "Des milliers de jeunes ont manifesté vendredi à Glasgow, en marge de la COP26, pour réclamer des "
        "mesures plus ambitieuses contre le réchauffement."
    )
    value, friday = _day_of(text, "fr", "vendredi")
    assert friday == "2021-11-05", (value, friday)
    assert value is not None and "2021-11-05" <= value <= "2021-11-06"


def test_the_close_of_a_conference_is_its_event_date() -> None:
    text = (
        "COP26 endet mit Abschlusserklärung\n\n"
        "Die Weltklimakonferenz COP26 in Glasgow ist mit einer gemeinsamen Erklärung zu Ende gegangen. "
        "Umweltverbände sprachen von einem mageren Ergebnis."
    )
    info = infer_published(text, "de")
    assert info.value == "2021-11-13", info.evidence
    ev = infer_event_date(text, "de", tag(text, "de", anchor=date(2021, 11, 13)), info)
    assert ev is not None and ev.value == "2021-11-13"


def test_a_close_spoken_of_as_ahead_is_no_close() -> None:
    text = (
        "COP26 in der Schlussphase\n\n"
        "Die Weltklimakonferenz COP26 in Glasgow soll am Freitag mit einer Abschlusserklärung enden. "
        "Noch sind viele Fragen offen."
    )
    (rep,) = [c for c in from_event_mentions(text, "de", load_anchors()) if c.kind == "reported"]
    assert rep.phase is None and rep.event == (date(2021, 10, 31), date(2021, 11, 13))
