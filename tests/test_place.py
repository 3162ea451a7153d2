"""Event place: a locative phrase or a dateline names the scene; a place that is only a subject does not."""

from __future__ import annotations

from newsweave.link.place import guess_place, place_candidates
from newsweave.link.synthetic import make_document
from newsweave.model import Mention, stable_id


def _doc(text: str, places: list[tuple[str, str]], lang: str = "en"):
    """A document with LOC mentions at every occurrence of each (surface, key)."""
    doc = make_document(text, lang=lang)
    for surface, key in places:
        start = text.find(surface)
        while start >= 0:
            doc.mentions.append(Mention(start, start + len(surface), surface, "LOC", entity_key=key))
            start = text.find(surface, start + 1)
    doc.mentions.sort(key=lambda m: m.start)
    return doc


def test_locative_with_a_meeting_word_beats_the_most_mentioned_place() -> None:
    text = ("Russia massed troops again. The foreign ministers met in Washington on Tuesday to talk about Russia. "
            "Russia said nothing. Russia's envoy left.")
    doc = _doc(text, [("Russia", "LOC:russia"), ("Washington", "LOC:washington")])
    assert guess_place(doc)[0] == stable_id("entity", "LOC:washington")


def test_a_subject_without_locative_evidence_is_no_place() -> None:
    text = ("Der Generalsekretär bestand darauf, offen für den Dialog mit Moskau zu bleiben. "
            "Moskau fordert Garantien. Die Truppen Moskaus stehen an der Grenze.")
    doc = _doc(text, [("Moskau", "LOC:moscow")], lang="de")
    assert guess_place(doc) == (None, 0.0)


def test_dateline_and_capital_phrases() -> None:
    dated = _doc("Brussels (Reuters) - Ministers agreed a plan. It was late.", [("Brussels", "LOC:brussels")])
    assert place_candidates(dated)[0][2].startswith("dateline")
    capital = _doc("Das Parlament in der ungarischen Hauptstadt Budapest stimmte am Montag zu. Ungarn war lange dagegen.",
                   [("Budapest", "LOC:budapest"), ("Ungarn", "LOC:hungary")], lang="de")
    assert guess_place(capital)[0] == stable_id("entity", "LOC:budapest")


def test_a_city_outranks_a_country_in_the_same_sentence() -> None:
    text = "The treaty was signed in Turkey, in Ankara, after a long debate. Nothing else happened."
    doc = _doc(text, [("Turkey", "LOC:turkey"), ("Ankara", "LOC:ankara")])
    assert guess_place(doc)[0] == stable_id("entity", "LOC:ankara")


def test_no_place_mentions() -> None:
    assert guess_place(make_document("Nothing here names a place at all, not even once."))[0] is None
