"""Direct and indirect quotes, their cues and speakers; the seed quote facts."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest

from newsweave.model import Mention
from newsweave.stages.quote_spans import direct_quotes, indirect_quotes
from newsweave.stages.quotes import QuotesStage, find_quotes


def contents(text: str) -> list[str]:
    return [text[q.start : q.end] for q in direct_quotes(text)]


@pytest.mark.parametrize(
    ("text", "inner"),
    [
        ("Er sagte: „Wir sind bereit zum Dialog“ und ging.", "Wir sind bereit zum Dialog"),
        ("He said: “We are ready for talks” and left.", "We are ready for talks"),
        ('He said: "We are ready for talks" and left.', "We are ready for talks"),
        ("Er sagte: »Wir sind bereit zum Dialog« und ging.", "Wir sind bereit zum Dialog"),
        ("Il a dit: «Nous sommes prêts au dialogue» hier.", "Nous sommes prêts au dialogue"),
        ("She said 'we are ready for talks' today.", "we are ready for talks"),
        ("Er sagte: ‚Wir sind bereit zum Dialog‘ und ging.", "Wir sind bereit zum Dialog"),
    ],
)
def test_quote_styles(text: str, inner: str) -> None:
    assert contents(text) == [inner]


def test_broken_doubled_closer_is_one_quote() -> None:
    text = "Sie wollen „offen für den Dialog““ mit Moskau bleiben, sagte er."
    qs = direct_quotes(text)
    assert [text[q.start : q.end] for q in qs] == ["offen für den Dialog"]
    assert text[qs[0].close_end :].startswith(" mit Moskau")


def test_unclosed_quote_ends_at_its_paragraph() -> None:
    text = "He added that “strong deterrence is helping to keep us safe, he said.\nAccording to the press release, more follows."
    qs = direct_quotes(text)
    assert len(qs) == 1 and not qs[0].closed
    assert qs[0].end <= text.index("\nAccording")


def test_apostrophes_are_not_quotes() -> None:
    assert contents("Russia's war and the '90s don't count as quotes, it's said.") == []


def test_unbalanced_marks_everywhere_are_bounded() -> None:
    text = ("„ “ \" « » ' ‚ ” " * 2000 + "\n") * 5
    t0 = time.perf_counter()
    qs = find_quotes(text, "de", [])
    assert time.perf_counter() - t0 < 5
    for q in qs:
        assert "\n" not in text[q.start : q.end]


def test_scare_quotes_are_not_quotes() -> None:
    assert contents("Die NATO will „alles Notwendige“ tun.") == []


def _m(text: str, surface: str, key: str, typ: str = "PER", nth: int = 0) -> Mention:
    starts = [m.start() for m in re.finditer(re.escape(surface), text)]
    s = starts[nth]
    return Mention(s, s + len(surface), surface, typ, key)


def test_speaker_after_quote_by_pronoun_and_role() -> None:
    text = ("Stoltenberg traf Biden. „Wir haben über Russland gesprochen und sind einig“, sagte er.\n"
            "„Der Dialog ist kein Zeichen von Schwäche“, fügte der NATO-Chef hinzu.")
    ments = [_m(text, "Stoltenberg", "PER:jens-stoltenberg"), _m(text, "Biden", "PER:joe-biden"),
             _m(text, "NATO-Chef", "PER:jens-stoltenberg", "ROLE")]
    qs = find_quotes(text, "de", ments)
    assert [q.kind for q in qs] == ["direct", "direct"]
    assert qs[0].cue == "sagte" and qs[0].speaker_text == "er"
    assert qs[0].speaker_key == "PER:joe-biden"  # the most recent person: simple, documented coreference
    assert qs[1].speaker_text == "NATO-Chef" and qs[1].speaker_key == "PER:jens-stoltenberg"


def test_speaker_phrase_and_first_person_after_a_quote() -> None:
    # no mention after the cue: the noun phrase there is the speaker span, with no entity;
    # "ich" is the writer, never the last person named
    text = ("Anna Berg kam herein. »Komm her!«, sagte die alte Mutter. »Gleich«, antwortete ich.\n"
            "“We will not go,” said the senior official in a statement.")
    qs = find_quotes(text, "de", [_m(text, "Anna Berg", "PER:anna-berg")])
    assert [(q.cue, q.speaker_text, q.speaker_key) for q in qs[:2]] == [
        ("sagte", "die alte Mutter", None), ("antwortete", "ich", None)]
    (en,) = find_quotes(text[text.index("“"):], "en", [])
    assert en.cue == "said" and en.speaker_text == "the senior official" and en.speaker_key is None


def test_according_to_attributions() -> None:
    text = ("According to exit polls, the governor holds a ten-point lead among young voters. "
            "Turnout rose by four points in the state, according to the election office.")
    qs = find_quotes(text, "en", [])
    assert [(q.kind, q.cue, q.speaker_text) for q in qs] == [
        ("indirect", "According to", "exit polls"), ("indirect", "according to", "the election office")]
    assert qs[0].text == "the governor holds a ten-point lead among young voters"
    assert qs[1].text == "Turnout rose by four points in the state"


@pytest.mark.parametrize(("text", "content", "cue", "speaker"), [
    ("Laut Blinken haben sich 50 Länder bereit erklärt, Kiew zu unterstützen.",
     "haben sich 50 Länder bereit erklärt, Kiew zu unterstützen", "Laut", "Blinken"),
    ("Nach Angaben der ukrainischen Armee wurden in der Nacht 30 Drohnen abgeschossen.",
     "wurden in der Nacht 30 Drohnen abgeschossen", "Nach Angaben", "der ukrainischen Armee"),
    ("Laut dem Sprecher des Kreml ist die Lage ernst und angespannt.",
     "ist die Lage ernst und angespannt", "Laut", "dem Sprecher des Kreml"),
])
def test_german_source_first_attributions(text: str, content: str, cue: str, speaker: str) -> None:
    (q,) = find_quotes(text, "de", [])
    assert (q.kind, q.text, q.cue, q.speaker_text) == ("indirect", content, cue, speaker)


def test_laut_as_an_adjective_is_no_attribution() -> None:
    assert find_quotes("Laut und deutlich rief er nach Hilfe im Dorf.", "de", []) == []


def test_speaker_before_quote_and_colon_intro() -> None:
    text = ("Austin said at the meeting, “I want to thank you for your leadership.”\n"
            "Rutte spoke later. He thanked the US, as reported:\n“Thanks to American leadership Ukraine has won.”")
    ments = [_m(text, "Austin", "PER:lloyd-austin"), _m(text, "Rutte", "PER:mark-rutte")]
    qs = find_quotes(text, "en", ments)
    assert [(q.kind, q.speaker_key) for q in qs] == [("direct", "PER:lloyd-austin"), ("direct", "PER:mark-rutte")]
    assert qs[0].cue == "said"


def test_german_indirect_speech() -> None:
    text = ("Die Sprecherin Maria Sacharowa sagte am Montag auf ihrem Kanal, dass Moskau bereit sei, zu reden.\n"
            "Jake Sullivan sagte, Biden werde versuchen, Trump zu überzeugen.\n"
            "Er sagte, er gehe jetzt nach Hause und wir wissen das.")
    ments = [_m(text, "Maria Sacharowa", "PER:maria-zakharova"), _m(text, "Jake Sullivan", "PER:jake-sullivan")]
    qs = [q for q in find_quotes(text, "de", ments) if q.kind == "indirect"]
    assert qs[0].text.startswith("Moskau bereit sei") and qs[0].speaker_key == "PER:maria-zakharova"
    assert qs[1].text.startswith("Biden werde") and qs[1].speaker_key == "PER:jake-sullivan"
    assert len(qs) == 3  # "er gehe" is Konjunktiv I too


def test_german_indicative_after_comma_is_not_reported_speech() -> None:
    text = "Er sagte nichts, die Sitzung ist vorbei und alle gehen nach Hause."
    assert indirect_quotes(text, "de") == []


def test_english_reported_speech() -> None:
    text = "Blinken said that the aid will continue next year. He told reporters that Kyiv needs more."
    ments = [_m(text, "Blinken", "PER:antony-blinken")]
    qs = find_quotes(text, "en", ments)
    assert [q.text for q in qs] == ["the aid will continue next year", "Kyiv needs more"]
    assert all(q.speaker_key == "PER:antony-blinken" for q in qs)


def test_stage_contract() -> None:
    st = QuotesStage()
    assert st.name == "quotes" and st.adds == {"quotes"}
    assert {"text", "lang", "mentions", "entities"} <= st.requires


@pytest.mark.slow
def test_seed_quote_facts(seeds_dir: Path, seed_expected: dict[str, Any]) -> None:
    from newsweave.stages.entities import EntitiesStage
    from test_entities_stage import seed_docs

    docs = seed_docs(seeds_dir, seed_expected, with_dates=True)
    EntitiesStage().batch(list(docs.values()))
    qs = QuotesStage()
    for d in docs.values():
        qs(d)
    canon = {}
    for ent in seed_expected["entities"]:
        fk, surfaces = next(iter(ent["mentions"].items()))
        canon[ent["name"]] = next(m.entity_key for m in docs[fk].mentions if m.text == surfaces[0])
    failures = []
    for q in seed_expected["quotes"]:
        d = docs[q["doc"]]
        found = [x for x in d.quotes if (re.sub(r"^[\s\"'„“”»«‚‘’]+", "", x.text).startswith(q["starts_with"])
                                         if "starts_with" in q else q["contains"] in x.text)]
        label = q.get("starts_with") or q.get("contains")
        if not found:
            failures.append(f"{q['doc']} {label!r}: not found")
            continue
        x = found[0]
        if x.kind != q["kind"] or x.speaker_key != canon[q["speaker"]]:
            failures.append(f"{q['doc']} {label!r}: {x.kind} by {x.speaker_text!r} ({x.speaker_key})")
        if "must_end_before" in q and x.end > d.text.find(q["must_end_before"]):
            failures.append(f"{q['doc']} {label!r}: runs on")
    assert failures == []


def test_run_on_sentence_full_of_cues_stays_linear() -> None:
    text = "Er sagte, dass es gut sei und " * 2500  # 75,000 characters, no full stop
    t0 = time.perf_counter()
    qs = find_quotes(text, "de", [])
    assert time.perf_counter() - t0 < 15
    assert qs and all(q.end - q.start <= 1000 for q in qs)
