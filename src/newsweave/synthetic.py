"""Synthetic news-like articles for benchmarks and scale tests (never for quality figures).

Texts are built from templates in German, English and French with random actors, places, dates
and numbers, so that every stage has something to do; a seed makes them reproducible.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

_PEOPLE = ["Anna Keller", "Marc Dubois", "Lena Fischer", "John Carter", "Sofia Rossi", "Paul Martin",
           "Eva Novak", "Tom Becker", "Clara Weiss", "Luis Garcia", "Nora Berg", "Omar Haddad"]
_PLACES = ["Berlin", "Paris", "London", "Madrid", "Wien", "Brüssel", "Lyon", "Hamburg", "Warschau", "Rom"]
_ORGS = ["Stadtrat", "Gewerkschaft", "Zentralbank", "Universität", "Ministerium", "Verband"]
_TOPICS_DE = ["einen neuen Haushalt", "ein Klimaprogramm", "eine Schulreform", "neue Bahnstrecken",
              "höhere Löhne", "ein Gesetz zum Wohnungsbau"]
_TOPICS_EN = ["a new budget", "a climate programme", "a school reform", "new rail lines", "higher wages",
              "a housing bill"]
_TOPICS_FR = ["un nouveau budget", "un programme climatique", "une réforme scolaire", "de nouvelles lignes",
              "des salaires plus élevés", "une loi sur le logement"]
_DAYS_DE = ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag"]
_DAYS_EN = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
_DAYS_FR = ["lundi", "mardi", "mercredi", "jeudi", "vendredi"]
_MONTHS_EN = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
              "November", "December"]


def article(rng: random.Random, i: int) -> tuple[str, str]:
    """One synthetic article (language, text)."""
    p1, p2 = rng.sample(_PEOPLE, 2)
    place = rng.choice(_PLACES)
    n = rng.randint(2, 900)
    year = rng.randint(2015, 2025)
    month = rng.randint(1, 12)
    day = rng.randint(1, 28)
    lang = rng.choice(["de", "de", "en", "en", "fr"])
    k = rng.randrange(len(_TOPICS_EN))
    if lang == "de":
        title = f"{place}: {p1} stellt {_TOPICS_DE[k]} vor"
        body = (
            f"{p1} hat am {rng.choice(_DAYS_DE)} in {place} {_TOPICS_DE[k]} vorgestellt. "
            f"Der {rng.choice(_ORGS)} der Stadt will dafür {n} Millionen Euro ausgeben. "
            f"„Wir haben lange darüber gesprochen“, sagte {p1} nach der Sitzung am {day}. {month}. {year}. "
            f"{p2} kritisierte den Plan und sagte, er sei zu teuer. Eine Entscheidung soll im kommenden Monat fallen. "
            f"Meldung Nummer {i}."
        )
    elif lang == "en":
        title = f"{p1} presents {_TOPICS_EN[k]} in {place}"
        body = (
            f"{p1} presented {_TOPICS_EN[k]} in {place} on {rng.choice(_DAYS_EN)}. "
            f"The plan would cost {n} million euros, officials said on {_MONTHS_EN[month - 1]} {day}, {year}. "
            f"\"We have talked about this for a long time,\" {p1} said after the meeting. "
            f"{p2} said that the plan was too expensive. A decision is expected next month. Report number {i}."
        )
    else:
        title = f"{p1} présente {_TOPICS_FR[k]} à {place}"
        body = (
            f"{p1} a présenté {_TOPICS_FR[k]} à {place} {rng.choice(_DAYS_FR)}. "
            f"Le projet coûterait {n} millions d'euros, selon la mairie, le {day}/{month}/{year}. "
            f"« Nous en parlons depuis longtemps », a déclaré {p1} après la réunion. "
            f"{p2} a estimé que le plan était trop cher. Une décision est attendue le mois prochain. Dépêche {i}."
        )
    return lang, f"{title}\n\n{body}\n"


def articles(n: int, seed: int = 0) -> Iterator[tuple[str, str]]:
    rng = random.Random(seed)
    for i in range(n):
        yield article(rng, i)


def write_corpus(folder: Path, n: int, seed: int = 0) -> list[Path]:
    """Write ``n`` synthetic articles as text files into ``folder`` (sharded into subfolders)."""
    out = []
    for i, (_lang, text) in enumerate(articles(n, seed)):
        sub = folder / f"{i // 1000:03d}"
        sub.mkdir(parents=True, exist_ok=True)
        p = sub / f"synthetic-{i:07d}.txt"
        p.write_text(text, encoding="utf-8")
        out.append(p)
    return out
