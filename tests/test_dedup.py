"""Near-duplicates by MinHash/LSH, translations by embedding + entities + dates."""

from __future__ import annotations

from datetime import date

from newsweave.link.dedup import NearDuplicates, minhash, shingles, translations
from newsweave.link.features import DateSpan, DocFeatures
from newsweave.store import open_store

BASE = ("Finland formally joined the alliance on Tuesday, doubling the length of its land border with Russia "
        "and ending a long tradition of staying out of military blocs. The foreign minister handed over the "
        "instrument of accession at a ceremony attended by all member states and their ministers.")


def test_shingles_and_minhash() -> None:
    assert shingles("") == set()
    assert shingles("a b") == {"a b"}
    assert minhash("   ") is None
    sig = minhash(BASE)
    assert sig is not None and sig.shape == (128,)


def test_repost_with_new_intro_is_a_near_duplicate_and_unrelated_text_is_not() -> None:
    store = open_store(":memory:")
    nd = NearDuplicates(store)
    assert nd.add("a" * 16, BASE) == []
    repost = "It is official: the alliance has a new member. " + BASE + " Share this article."
    links = nd.add("b" * 16, repost)
    assert [(ln.dst, ln.type) for ln in links] == [("a" * 16, "near-duplicate")]
    assert 0.5 <= links[0].score < 1.0
    other = ("The space telescope found carbon dioxide in the atmosphere of a distant planet, a first for "
             "astronomers who had searched for the gas for years with older instruments and ground observatories.")
    assert nd.add("c" * 16, other) == []


def test_index_survives_a_new_linker_on_the_same_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "n.db"
    NearDuplicates(open_store(db)).add("a" * 16, BASE)
    links = NearDuplicates(open_store(db)).add("b" * 16, BASE + " Updated at noon.")
    assert [ln.dst for ln in links] == ["a" * 16]


def _f(did: str, lang: str, ents: dict[str, float], day: date | None) -> DocFeatures:
    return DocFeatures(id=did, lang=lang, entities=ents, date=DateSpan(day, day, day) if day else None, n_words=100)


def test_translation_needs_other_language_high_cosine_and_agreeing_evidence() -> None:
    d = date(2023, 4, 4)
    new = _f("n", "de", {"fin": 2.0, "nato": 1.0, "haavisto": 1.0, "brussels": 1.0}, d)
    cands = {
        "en": _f("en", "en", {"fin": 1.0, "nato": 1.0}, d),
        "same": _f("same", "de", {"fin": 1.0}, d),
        "far": _f("far", "fr", {"fin": 1.0, "nato": 1.0}, date(2022, 5, 18)),
        "ents": _f("ents", "fr", {"webb": 1.0, "nasa": 1.0, "esa": 1.0, "kourou": 1.0}, d),
        "low": _f("low", "fr", {"fin": 1.0}, d),
    }
    nbrs = [("en", 0.82), ("same", 0.95), ("far", 0.83), ("ents", 0.84), ("low", 0.60)]
    links = translations(new, nbrs, cands)
    assert [(ln.dst, ln.type) for ln in links] == [("en", "translation")]


def test_translation_without_entities_or_dates_needs_a_very_close_match() -> None:
    new = _f("n", "de", {}, None)
    cands = {"a": _f("a", "en", {}, None), "b": _f("b", "fr", {}, None)}
    links = translations(new, [("a", 0.77), ("b", 0.90)], cands)
    assert [ln.dst for ln in links] == ["b"]


def test_inferred_dates_two_weeks_apart_do_not_veto_a_translation_but_sure_ones_do() -> None:
    ents = {"cop28": 2.0, "al-jaber": 1.0, "guterres": 1.0, "dubai": 1.0}
    new = _f("n", "de", ents, date(2023, 11, 30))  # dated to the conference's first day, wrongly
    cand = _f("en", "en", ents, date(2023, 12, 13))
    assert [ln.dst for ln in translations(new, [("en", 0.82)], {"en": cand})] == ["en"]
    new.date_confident = cand.date_confident = True  # both dates given: two reports, days apart
    assert translations(new, [("en", 0.82)], {"en": cand}) == []
    far = _f("far", "en", ents, date(2024, 6, 1))  # half a year: never one text
    assert translations(_f("n", "de", ents, date(2023, 11, 30)), [("far", 0.85)], {"far": far}) == []
