"""Name keys, transliteration, inflection, the entity knowledge base, roles at a date."""

from __future__ import annotations

import re
from datetime import date

import pytest

from newsweave.linking import Linker, load_kb, name_key, to_english
from newsweave.linking.names import inflection_variants, slugify
from newsweave.model import DateInfo


@pytest.mark.parametrize(
    ("german", "english"),
    [
        ("Maria Sacharowa", "Maria Zakharova"),
        ("Wladimir Putin", "Vladimir Putin"),
        ("Wolodymyr Selenskyj", "Volodymyr Zelenskyy"),
        ("Boris Jelzin", "Boris Yeltsin"),
        ("Sergej Lawrow", "Sergey Lavrov"),
        ("Dmitri Peskow", "Dmitry Peskov"),
        ("Konstantin Tschernenko", "Konstantin Chernenko"),
    ],
)
def test_transliterations_share_a_key(german: str, english: str) -> None:
    assert name_key(german) == name_key(english)


def test_different_people_keep_different_keys() -> None:
    keys = {name_key(n) for n in ("Jens Stoltenberg", "Mark Rutte", "Antony Blinken", "Olaf Scholz", "Maria Zakharova")}
    assert len(keys) == 5


def test_to_english_rewrites_german_transliteration_only() -> None:
    assert to_english("Maria Sacharowa", "de") == "Maria Zakharova"
    assert to_english("Sergej Lawrow", "de") == "Sergej Lavrov" or to_english("Sergej Lawrow", "de") == "Sergey Lavrov"
    assert to_english("Olaf Scholz", "de") is None  # a German name stays as it is
    assert to_english("Maria Sacharowa", "en") is None


def test_inflection_variants() -> None:
    assert "Stoltenberg" in inflection_variants("Stoltenbergs", "de")
    assert "NATO-Russland-Rat" in inflection_variants("NATO-Russland-Rates", "de")
    assert inflection_variants("Russia's", "en") == ["Russia"]
    assert slugify("Jens Stoltenberg") == "jens-stoltenberg"


def test_knowledge_base_exonyms_acronyms_compounds() -> None:
    kb = load_kb()
    assert kb.by_alias("Brüssel", "de")[0] == "LOC:brussels"
    assert kb.by_alias("Moskau", "de")[0] == "LOC:moscow"
    assert kb.by_alias("Kiew", "de")[0] == "LOC:kyiv"
    assert kb.by_alias("Nato", "de")[0] == kb.by_alias("NATO", "en")[0] == "ORG:nato"
    assert kb.by_alias("NATO-Russland-Rates", "de")[0] == "ORG:nato-russia-council"
    assert kb.context_alias("Bündnis", "de") == "ORG:nato"
    assert kb.by_alias("Bündnis", "de") == []  # only a context alias, never linked on its own


def test_persons_come_from_the_office_knowledge() -> None:
    kb = load_kb()
    if kb.offices is None:
        pytest.skip("office knowledge unavailable")
    assert kb.person_by_name("Wladimir Putin") == ["PER:vladimir-putin"]
    assert kb.person_by_name("Maria Sacharowa") == ["PER:maria-zakharova"]


def _link(text: str, lang: str, ner: list[tuple[str, str]], day: str | None):
    spans = []
    for surface, typ in ner:
        i = text.index(surface)
        spans.append((i, i + len(surface), typ))
    pub = DateInfo(day, day, day) if day else None
    return Linker(load_kb()).link(text, lang, spans, pub)


def test_role_resolves_to_the_holder_at_the_date() -> None:
    kb = load_kb()
    if kb.offices is None:
        pytest.skip("office knowledge unavailable")
    text = "Gestern sprach der Nato-Chef in Brüssel."
    for day, who in (("2021-06-07", "PER:jens-stoltenberg"), ("2024-12-04", "PER:mark-rutte")):
        mentions, entities = _link(text, "de", [("Brüssel", "LOC")], day)
        role = next(m for m in mentions if m.type == "ROLE")
        assert (role.text, role.role, role.entity_key) == ("Nato-Chef", "nato.secretary_general", who)
        assert who in entities


def test_appositive_name_wins_and_surname_links_to_full_name() -> None:
    text = "US-Außenminister Antony Blinken kam an. Später sprach Blinken mit Reportern in Washington."
    mentions, _ = _link(text, "de", [("Antony Blinken", "PER"), ("Washington", "LOC")], None)
    role = next(m for m in mentions if m.type == "ROLE")
    assert role.text == "US-Außenminister" and role.entity_key == "PER:antony-blinken"
    later = [m for m in mentions if m.text == "Blinken"]
    assert later and later[0].entity_key == "PER:antony-blinken"


def test_unknown_person_gets_the_same_key_in_both_languages() -> None:
    de, _ = _link("Die Aktivistin Jekaterina Dunzowa sprach.", "de", [("Jekaterina Dunzowa", "PER")], None)
    en, _ = _link("The activist Yekaterina Duntsova spoke.", "en", [("Yekaterina Duntsova", "PER")], None)
    kd = next(m.entity_key for m in de if m.type == "PER")
    ke = next(m.entity_key for m in en if m.type == "PER")
    assert kd == ke


def test_context_alias_needs_its_entity_named() -> None:
    with_nato, _ = _link("Die NATO tagt. Das Bündnis ist einig.", "de", [], None)
    assert any(m.text == "Bündnis" and m.entity_key == "ORG:nato" for m in with_nato)
    without, _ = _link("Das Bündnis der Bauern ist einig.", "de", [], None)
    assert not any(m.text == "Bündnis" for m in without)


def test_nationality_description_takes_the_salient_person() -> None:
    kb = load_kb()
    if kb.offices is None:
        pytest.skip("office knowledge unavailable")
    text = "Jens Stoltenberg traf Mark Rutte. Stoltenberg sprach zuerst.\nDer norwegische Politiker lobte Rutte."
    mentions, _ = _link(text, "de", [("Jens Stoltenberg", "PER"), ("Mark Rutte", "PER")], "2021-06-07")
    role = next(m for m in mentions if m.type == "ROLE")
    assert role.text == "Der norwegische Politiker" and role.entity_key == "PER:jens-stoltenberg"


def test_dates_from_range_when_value_missing() -> None:
    from newsweave.linking.roles import doc_dates

    d = DateInfo(None, "2024-11-06", "2025-01-20")
    got = doc_dates(d)
    assert got[0] == date(2024, 11, 6) and got[-1] < date(2025, 1, 20)
    assert doc_dates(None) == []


def test_ner_spans_are_trimmed_to_names() -> None:
    text = "Sie will alles Notwendige tun. The United States and Wladimir Putin mit Führern reden."
    mentions, _ = _link(text, "en", [("alles Notwendige", "MISC"), ("The United States", "LOC"),
                                     ("Wladimir Putin mit Führern", "PER")], None)
    texts = {m.text: m.entity_key for m in mentions}
    assert "alles Notwendige" not in texts
    assert texts.get("United States") == "LOC:united-states"
    assert "Wladimir Putin" in texts


def test_many_roles_and_names_stay_fast() -> None:
    import time

    text = "der Präsident Joe Biden traf Brüssel und " * 2000
    ner = [(m.start(), m.start() + 9) for m in re.finditer("Joe Biden", text)]
    t0 = time.perf_counter()
    mentions, _ = Linker(load_kb()).link(text, "de", [(s, e, "PER") for s, e in ner], None)
    assert time.perf_counter() - t0 < 20
    assert sum(m.type == "ROLE" for m in mentions) == 2000
