"""The office knowledge base: who held which office when, names, labels, user extension."""

from __future__ import annotations

import itertools
import json
from datetime import date

import pytest

from newsweave.knowledge import offices as offices_mod
from newsweave.knowledge.offices import load_offices, parse_day, slug

G20_EU = [
    "ar",
    "au",
    "br",
    "ca",
    "cn",
    "de",
    "fr",
    "gb",
    "id",
    "in",
    "it",
    "jp",
    "kr",
    "mx",
    "ru",
    "sa",
    "tr",
    "us",
    "za",
    "at",
    "be",
    "bg",
    "cy",
    "cz",
    "dk",
    "ee",
    "es",
    "fi",
    "gr",
    "hr",
    "hu",
    "ie",
    "lt",
    "lu",
    "lv",
    "mt",
    "nl",
    "pl",
    "pt",
    "ro",
    "se",
    "si",
    "sk",
]


@pytest.fixture(scope="module")
def kb():
    return load_offices()


@pytest.mark.parametrize(
    ("office", "day", "holder"),
    [
        ("nato.secretary_general", date(2021, 6, 7), "PER:jens-stoltenberg"),
        ("nato.secretary_general", date(2024, 12, 4), "PER:mark-rutte"),
        ("nato.secretary_general", date(2024, 9, 30), "PER:jens-stoltenberg"),
        ("us.president", date(2022, 6, 2), "PER:joe-biden"),
        ("us.head_of_government", date(2018, 1, 1), "PER:donald-trump"),
        ("us.secretary_of_state", date(2021, 12, 23), "PER:antony-blinken"),
        ("de.foreign_minister", date(2021, 12, 23), "PER:annalena-baerbock"),
        ("de.foreign_minister", date(2021, 12, 7), "PER:heiko-maas"),
        ("gb.defence_minister", date(2021, 12, 23), "PER:ben-wallace"),
        ("us.president_elect", date(2024, 12, 4), "PER:donald-trump"),
        ("ru.mfa_spokesperson", date(2021, 6, 7), "PER:maria-zakharova"),
        ("us.national_security_advisor", date(2022, 6, 2), "PER:jake-sullivan"),
        ("gb.head_of_state", date(2023, 1, 1), "PER:charles-iii"),
    ],
)
def test_holders_on_a_day(kb, office, day, holder):
    assert [p.key for p in kb.holders(office, day)] == [holder]


def test_nobody_holds_president_elect_outside_transitions(kb):
    assert kb.holders("us.president_elect", date(2023, 5, 1)) == []


def test_terms_are_ordered_and_half_open(kb):
    terms = kb.terms_of("PER:mark-rutte")
    assert [t.office_key for t in terms] == ["nl.head_of_government", "nato.secretary_general"]
    sg = terms[1]
    assert sg.start == date(2024, 10, 1) and sg.end is None
    assert sg.covers(date(2024, 10, 1)) and not sg.covers(date(2024, 9, 30))


def test_coverage_of_g20_and_eu(kb):
    scopes = {o.scope for o in kb.offices() if kb.terms(o.key)}
    assert set(G20_EU) <= scopes
    for code in ("us", "de", "gb", "fr", "it", "ru", "ua", "cn", "jp", "ca", "in", "br", "tr", "pl", "es"):
        for kind in ("head_of_state", "head_of_government", "foreign_minister", "defence_minister"):
            assert kb.terms(f"{code}.{kind}"), f"{code}.{kind} has no holders"


def test_no_overlapping_terms_within_an_office(kb):
    for o in kb.offices():
        terms = sorted(kb.terms(o.key), key=lambda t: t.start)
        for a, b in itertools.pairwise(terms):
            assert a.end is not None and a.end <= b.start, f"{o.key}: {a} overlaps {b}"


def test_find_person_by_alias_and_transliteration(kb):
    assert [p.key for p in kb.find_person("Wladimir Putin")] == ["PER:vladimir-putin"]
    assert [p.key for p in kb.find_person("maria sacharowa")] == ["PER:maria-zakharova"]
    assert [p.key for p in kb.find_person("Sébastien Lecornu")] == [
        p.key for p in kb.find_person("sebastien lecornu")
    ]
    assert kb.find_person("Nobody Inparticular") == []


def test_person_fields(kb):
    p = kb.person("PER:jens-stoltenberg")
    assert p is not None and p.nationality == "no" and p.born == 1959
    assert kb.person("PER:joe-biden").nationality == "us"


def test_office_labels_and_alias_keys(kb):
    o = kb.office("us.secretary_of_state")
    assert o.key == "us.foreign_minister" and o.scope == "us" and o.kind == "foreign_minister"
    assert "Secretary of State" in o.labels["en"]
    assert "Außenminister" in o.labels["de"]  # generic label of the kind
    with pytest.raises(KeyError):
        kb.office("xx.nothing")


@pytest.mark.parametrize(
    ("label", "office"),
    [
        ("NATO-Generalsekretär", "nato.secretary_general"),
        ("Nato-Chef", "nato.secretary_general"),
        ("US-Außenminister", "us.foreign_minister"),
        ("deutsche Diplomatiechefin", "de.foreign_minister"),
        ("britischer Verteidigungsminister", "gb.defence_minister"),
        ("French foreign minister", "fr.foreign_minister"),
    ],
)
def test_find_offices(kb, label, office):
    assert [o.key for o in kb.find_offices(label)] == [office]


def test_slug_and_parse_day():
    assert slug("Jens Stoltenberg") == "jens-stoltenberg"
    assert slug("Recep Tayyip Erdoğan") == "recep-tayyip-erdogan"
    assert parse_day("2021-12") == date(2021, 12, 1)
    assert parse_day("2021-12", end=True) == date(2022, 1, 1)
    assert parse_day("2021", end=True) == date(2022, 1, 1)


def test_user_knowledge_dir_is_merged(tmp_path, monkeypatch):
    user = {
        "version": "local",
        "offices": {
            "nato.secretary_general": {"labels": {"de": ["Bündnis-Chef"]}},
            "xx.head_of_state": {
                "labels": {"en": ["Ruler of Examplia"]},
                "terms": [["Ann Example", "2020-01-01", None]],
            },
        },
        "persons": [{"name": "Ann Example", "aliases": {"en": ["A. Example"]}, "born": 1970}],
    }
    (tmp_path / "offices.json").write_text(json.dumps(user), encoding="utf-8")
    monkeypatch.setenv(offices_mod.ENV_DIR, str(tmp_path))
    kb = load_offices()
    assert kb.version.endswith("+local")
    assert [p.key for p in kb.holders("xx.head_of_state", date(2021, 1, 1))] == ["PER:ann-example"]
    assert kb.find_person("A. Example")[0].born == 1970
    assert "Bündnis-Chef" in kb.office("nato.secretary_general").labels["de"]
    assert kb.holders("nato.secretary_general", date(2021, 1, 1))[0].key == "PER:jens-stoltenberg"


def test_bad_user_file_is_a_typed_error(tmp_path, monkeypatch):
    from newsweave.errors import InputError

    (tmp_path / "offices.json").write_text("{not json", encoding="utf-8")
    monkeypatch.setenv(offices_mod.ENV_DIR, str(tmp_path))
    with pytest.raises(InputError):
        load_offices()


def test_extra_terms_are_appended(tmp_path, monkeypatch):
    user = {"offices": {"de.head_of_government": {"extra_terms": [["Jane Doe", "2031-05-01", None]]}}}
    (tmp_path / "offices.json").write_text(json.dumps(user), encoding="utf-8")
    monkeypatch.setenv(offices_mod.ENV_DIR, str(tmp_path))
    kb = load_offices()
    assert "Jane Doe" in [p.name for p in kb.holders("de.head_of_government", date(2032, 1, 1))]
    assert kb.holders("de.head_of_government", date(2020, 1, 1))[0].key == "PER:angela-merkel"
