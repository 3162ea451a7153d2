"""Entities on the bundled sample corpus (truth: sample/expected.json) and unit tests of the
fixes it drove: Romance-language name candidates, multi-word surnames, role words glued to a
first name, place spans running into a weekday, acronyms typed as places, exonyms."""

from __future__ import annotations

from typing import Any

import pytest

from newsweave import api, sample
from newsweave.linking import Linker, load_kb
from newsweave.linking.candidates import CandidateFinder
from newsweave.model import DateInfo, Document, Source
from newsweave.stages.entities import EntitiesStage
from newsweave.store import open_store

EXP = sample.expected()


@pytest.fixture(scope="module")
def linker() -> Linker:
    return Linker(load_kb())


def keys_of(linker: Linker, text: str, lang: str, ner: list[tuple[int, int, str]] | None = None) -> dict[str, str]:
    mentions, _ = linker.link(text, lang, ner or [])
    return {m.text: m.entity_key or "" for m in mentions}


def span(text: str, surface: str, typ: str) -> tuple[int, int, str]:
    i = text.index(surface)
    return i, i + len(surface), typ


# -- 1. languages without a NER model ------------------------------------------------------------
def test_french_candidates_are_typed_by_cues_and_knowledge(linker: Linker) -> None:
    text = "Le président Emmanuel Macron a reçu M. Olaf Scholz à Dubaï. Selon l'OTAN, rien ne change."
    found = keys_of(linker, text, "fr")
    assert found["Emmanuel Macron"].startswith("PER:")
    assert found["Olaf Scholz"] == "PER:olaf-scholz"
    assert found["Dubaï"] == "LOC:dubai"
    assert found["OTAN"] == "ORG:nato"
    assert not any(k.startswith("Selon") or k.startswith("M.") for k in found)


def test_locative_cue_types_an_unknown_place() -> None:
    text = "Ils se sont retrouvés à Valenciennes hier."
    cands = {text[c.start : c.end]: c for c in CandidateFinder(load_kb()).find(text, "fr")}
    assert cands["Valenciennes"].type == "LOC" and cands["Valenciennes"].evidence == "cue"
    assert "Ils" not in cands


def test_particle_joins_one_last_word_only() -> None:
    finder = CandidateFinder(load_kb())
    text = "La Lega di Matteo Salvini e il generale Charles de Gaulle."
    surfaces = [text[c.start : c.end] for c in finder.find(text, "it")]
    assert "Matteo Salvini" in surfaces and "Charles de Gaulle" in surfaces
    assert not any("Lega" in s for s in surfaces)


def test_a_document_does_not_depend_on_documents_seen_before(linker: Linker) -> None:
    text = "Hier, Zorvexia a signé le contrat."
    before = keys_of(linker, text, "fr")
    linker.link("Zorvexia signed the contract in Berlin.", "en", [(0, 8, "ORG")])
    assert keys_of(linker, text, "fr") == before


def test_aliases_are_recorded_under_the_document_language() -> None:
    st = EntitiesStage()
    doc = Document(raw=b"", format="text", sources=[Source("t")], text="La Finlande rejoint l'OTAN.", lang="fr",
                   published=DateInfo(None))
    st(doc)
    assert "Finlande" in doc.entities["LOC:finland"].aliases["fr"]


# -- 2. one person, one entity -------------------------------------------------------------------
def test_multiword_surname_links_to_the_full_name(linker: Linker) -> None:
    text = "Sultan Al Jaber opened the talks. Later Al Jaber said more."
    ner = [span(text, "Sultan Al Jaber", "ORG"), (text.rindex("Al Jaber"), text.rindex("Al Jaber") + 8, "PER")]
    mentions, ents = linker.link(text, "en", ner)
    keys = {m.entity_key for m in mentions}
    assert keys == {"PER:sultan-al-jaber"} and ents["PER:sultan-al-jaber"].type == "PER"


def test_von_der_surname_links_to_the_full_name(linker: Linker) -> None:
    text = "Ulrike von der Grabenheide kam. Dann sprach von der Grabenheide."
    ner = [span(text, "Ulrike von der Grabenheide", "PER"),
           (text.rindex("von der"), text.rindex("Grabenheide") + len("Grabenheide"), "PER")]
    assert set(keys_of(linker, text, "de", ner).values()) == {"PER:ulrike-von-der-grabenheide"}


def test_role_word_glued_to_a_first_name(linker: Linker) -> None:
    text = "Sultan Al Jaber leitet die Konferenz. Konferenzpräsident Sultan sagte dann mehr."
    ner = [span(text, "Sultan Al Jaber", "PER"), span(text, "Konferenzpräsident Sultan", "PER")]
    found = keys_of(linker, text, "de", ner)
    assert "Konferenzpräsident Sultan" not in found
    assert found["Sultan"] == "PER:sultan-al-jaber"


def test_unknown_person_key_is_the_english_slug(linker: Linker) -> None:
    found = keys_of(linker, "Bill Nelson sprach.", "en", [(0, 11, "PER")])
    assert found["Bill Nelson"] == "PER:bill-nelson"


# -- 3. places -----------------------------------------------------------------------------------
def test_place_span_stops_before_a_weekday(linker: Linker) -> None:
    text = "Das gab die Regierung in Abu Dhabi am Donnerstag bekannt."
    found = keys_of(linker, text, "de", [span(text, "Dhabi am Donnerstag", "LOC")])
    assert found.get("Abu Dhabi") == "LOC:abu-dhabi"
    assert not any("Donnerstag" in k for k in found)


def test_instrument_acronyms_are_not_places(linker: Linker) -> None:
    text = "The NIRSpec data and the JADES survey came from Baltimore."
    ner = [span(text, "NIRSpec", "LOC"), span(text, "JADES", "LOC"), span(text, "Baltimore", "LOC")]
    mentions, _ = linker.link(text, "en", ner)
    types = {m.text: m.type for m in mentions}
    assert types["NIRSpec"] != "LOC" and types["JADES"] != "LOC" and types["Baltimore"] == "LOC"


def test_sentence_adverbs_and_lone_particles_are_no_names(linker: Linker) -> None:
    text = "Knapp zwei Jahre später landete sie in Scharm el Scheich."
    s = text.index("el")
    found = keys_of(linker, text, "de", [span(text, "Knapp", "LOC"), (s, s + 2, "PER")])
    assert "Knapp" not in found and "el" not in found


def test_model_spans_do_not_cross_line_breaks(linker: Linker) -> None:
    # the tagger may take a paragraph's blank lines into the name, or run on into the next line
    text = "Das Treffen begann.\n\nStoltenberg sagte, man sei bereit.\nEs kamen Vertreter der Nato\nOrganisatoren"
    s = text.index("\n\nStoltenberg")
    mentions, _ = linker.link(text, "de", [(s, s + len("\n\nStoltenberg"), "PER")])
    assert [(m.text, m.entity_key) for m in mentions if m.type == "PER"] == [("Stoltenberg", "PER:jens-stoltenberg")]
    s = text.index("Nato\n")
    mentions, _ = linker.link(text, "de", [(s, s + len("Nato\nOrganisatoren"), "ORG")])
    assert "Nato" in {m.text for m in mentions} and all("\n" not in m.text for m in mentions)


@pytest.mark.parametrize(("text", "surface", "typ", "kept", "known"), [
    # a compound about a known name: the name alone is the entity, whatever the model made of it
    ("Die Blockade gegen den Nato-Beitritt Finnlands endet.", "Nato-Beitritt Finnlands", "ORG", None, ("Nato", "ORG:nato")),
    ("Die Blockade gegen den Nato-Beitritt endet.", "Nato-Beitritt", "ORG", None, ("Nato", "ORG:nato")),
    ("Ein Nato-Gipfel in Madrid.", "Nato-Gipfel", "MISC", None, ("Nato", "ORG:nato")),
    # an acronym running into the next noun
    ("Sie sollen der PKK Unterschlupf gewähren.", "PKK Unterschlupf", "ORG", None, ("PKK", "ORG:pkk")),
    # a compound that is an organisation's own name stays one
    ("Die EU-Kommission prüft den Plan.", "EU-Kommission", "ORG", "EU-Kommission", None),
])
def test_model_spans_running_past_a_known_name(linker: Linker, text: str, surface: str, typ: str,
                                               kept: str | None, known: tuple[str, str] | None) -> None:
    found = keys_of(linker, text, "de", [span(text, surface, typ)])
    if kept:
        assert kept in found
    else:
        assert surface not in found
    if known:
        assert found.get(known[0]) == known[1], found


@pytest.mark.parametrize(("text", "lang", "surface", "key"), [
    ("Die Rebellen erreichten Tripolis.", "de", "Tripolis", "LOC:tripoli"),
    ("Giorgia Meloni ha giurato a Roma.", "it", "Roma", "LOC:rome"),
    ("La COP28 se tient à Dubaï.", "fr", "Dubaï", "LOC:dubai"),
    ("Der Nato-Beitritt ist beschlossen.", "de", "Nato", "ORG:nato"),
])
def test_exonyms_and_compound_heads(linker: Linker, text: str, lang: str, surface: str, key: str) -> None:
    assert keys_of(linker, text, lang).get(surface) == key


# -- the sample corpus ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def sample_entities() -> dict[str, dict[str, Any]]:
    """The sample corpus dated by the pipeline (corpus-level dating included), then run through
    the entities stage once."""
    store = open_store(":memory:")
    api.ingest(store, api.sample_paths(), until="time", link=False)
    docs: dict[str, Document] = {}
    for r in store.iter_records("documents"):
        doc = store.load_document(r["id"])
        for s in r["sources"]:
            docs[s["source"].split("/corpus/", 1)[-1]] = doc
    stage = EntitiesStage()
    stage.batch(list({id(d): d for d in docs.values()}.values()))
    return {name: {"doc": d} for name, d in docs.items()}


@pytest.mark.slow
def test_sample_entity_facts(sample_entities: dict[str, dict[str, Any]]) -> None:
    missing = [(name, key) for name, d in EXP["documents"].items() for key in d.get("entities_must_include", [])
               if key not in sample_entities[name]["doc"].entities]
    total = sum(len(d.get("entities_must_include", [])) for d in EXP["documents"].values())
    assert total >= 50
    # measured: 96 of 96
    assert len(missing) <= 2, missing


@pytest.mark.slow
def test_sample_role_mentions(sample_entities: dict[str, dict[str, Any]]) -> None:
    hits = 0
    for r in EXP["role_mentions"]:
        ms = sample_entities[r["doc"]]["doc"].mentions
        hits += any(m.text == r["text"] and m.entity_key == r["person"] and m.role == r["office"] for m in ms)
    # measured: all but two ("der Däne", "Nasa-Chef")
    assert hits >= len(EXP["role_mentions"]) - 2


@pytest.mark.slow
def test_sample_romance_documents_get_people_and_places(sample_entities: dict[str, dict[str, Any]]) -> None:
    for name, d in EXP["documents"].items():
        if d["lang"] in ("fr", "es", "it"):
            doc = sample_entities[name]["doc"]
            types = {e.type for e in doc.entities.values()}
            assert "LOC" in types, name
            for e in doc.entities.values():  # aliases under the document's own language
                assert d["lang"] in e.aliases or not any(m.entity_key == e.key and m.type != "ROLE"
                                                         for m in doc.mentions), (name, e.key)


@pytest.mark.slow
def test_sample_has_no_false_places(sample_entities: dict[str, dict[str, Any]]) -> None:
    for name, v in sample_entities.items():
        for m in v["doc"].mentions:
            if m.type == "LOC":
                assert not any(day in m.text for day in ("Montag", "Donnerstag", "Monday", "Thursday")), (name, m.text)
                assert m.text not in ("NIRSpec", "JADES", "NIRCam", "MIRI"), (name, m.text)
