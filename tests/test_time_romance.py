"""French, Spanish and Italian time expressions (lexicons in timex/lang/fr|es|it.json)."""

from __future__ import annotations

from datetime import date

import pytest

from newsweave.timex import tag

ANCHOR = date(2024, 7, 15)  # a Monday


def values(text: str, lang: str) -> dict[str, str | None]:
    return {t.text: t.value for t in tag(text, lang, anchor=ANCHOR)}


@pytest.mark.parametrize(
    ("lang", "text", "span", "value"),
    [
        ("fr", "Le 4 avril 2023, la Finlande a rejoint l'OTAN.", "4 avril 2023", "2023-04-04"),
        ("fr", "Le sommet a eu lieu le 1er mai.", "1er mai", "2024-05-01"),
        ("fr", "Il a parlé mardi dernier.", "mardi dernier", "2024-07-09"),
        ("fr", "Le texte a été adopté la semaine dernière.", "semaine dernière", "2024-W28"),
        ("fr", "Le fonds avait été créé il y a deux ans.", "il y a deux ans", "2022"),
        ("fr", "Le document date du 12/03/2021.", "12/03/2021", "2021-03-12"),
        ("es", "España ganó el 14 de julio de 2024.", "14 de julio de 2024", "2024-07-14"),
        ("es", "Se firmó en mayo de 2022.", "mayo de 2022", "2022-05"),
        ("es", "Lo anunció hace dos años.", "hace dos años", "2022"),
        ("es", "El año pasado hubo elecciones.", "año pasado", "2023"),
        ("it", "Il 22 ottobre 2022 Meloni ha giurato.", "22 ottobre 2022", "2022-10-22"),
        ("it", "Due anni fa era all'opposizione.", "Due anni fa", "2022"),
        ("it", "L'anno scorso il governo è caduto.", "anno scorso", "2023"),
        ("it", "Si voterà tra due settimane.", "tra due settimane", "2024-W31"),
    ],
)
def test_romance_expressions(lang: str, text: str, span: str, value: str) -> None:
    assert values(text, lang).get(span) == value


def test_weekday_alone_follows_the_tense() -> None:
    assert values("La Finlande a officiellement rejoint l'OTAN mardi.", "fr")["mardi"] == "2024-07-09"
    assert values("El presidente llegará el jueves.", "es")["jueves"] == "2024-07-18"


def test_impossible_dates_get_no_value() -> None:
    assert values("Le 32 mai 2023 n'existe pas.", "fr").get("32 mai 2023") is None
    assert "2021-13-45" not in {v for v in values("el 45/13/2021", "es").values()}


def test_lowercase_month_words_are_dates_only_in_romance_languages() -> None:
    assert values("Elle est arrivée en juin.", "fr")["juin"] == "2024-06"
    assert "may" not in {t.text for t in tag("you may go", "en", anchor=ANCHOR)}
