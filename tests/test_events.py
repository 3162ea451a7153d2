"""Online events: join or open, decided on cosine, entities, event dates and place; bad input placed sensibly."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from newsweave.link import Linker, LinkParams
from newsweave.link.synthetic import make_document
from newsweave.store import open_store

DIM = 64
FAST = LinkParams(summaries=False)  # summaries load the encoder: tested once, marked slow
WORDS = "The report describes what happened in some detail for the readers of this newspaper today."
VOCAB = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet", "kilo", "lima", "mike", "november", "oscar", "papa", "quebec", "romeo", "sierra", "tango", "uniform", "victor", "whiskey", "xray", "yankee", "zulu"]


def _text(seed: int, n: int = 30) -> str:
    """Distinct filler text (so that MinHash does not call the test documents copies)."""
    r = np.random.default_rng(seed)
    return " ".join(r.choice(VOCAB, size=n)) + "."


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v)


def _vec(rng: np.random.Generator, subject: np.ndarray, event: np.ndarray, noise: float = 0.25) -> np.ndarray:
    return _unit(0.6 * subject + 0.8 * event + noise * _unit(rng.normal(size=DIM)))


def _ingest(store, linker, docs):  # type: ignore[no-untyped-def]
    for d in docs:
        assert store.write_document(d).status == "new"
        linker.add(d)
    linker.finish()


def _event_of(store, doc) -> str:  # type: ignore[no-untyped-def]
    return store.get_record("documents", doc.id)["event_id"]


@pytest.mark.slow
def test_documents_of_one_happening_share_an_event_and_others_do_not() -> None:
    rng = np.random.default_rng(3)
    subject = _unit(rng.normal(size=DIM))
    events = [_unit(rng.normal(size=DIM)) for _ in range(3)]
    days = ["2022-05-18", "2022-06-29", "2023-04-04"]
    ents = [("ORG", "nato"), ("LOC", "finland"), ("LOC", "sweden")]
    docs = []
    for i in range(3):
        for j in range(4):
            docs.append(make_document(f"{WORDS} Event {i} copy {j}.", lang=["en", "de", "fr", "en"][j], day=days[i],
                                      entities=[*ents, ("PER", f"person-{i}")], vector=_vec(rng, subject, events[i])))
    rng.shuffle(docs)  # type: ignore[arg-type]
    store = open_store(":memory:")
    _ingest(store, Linker(store), docs)
    groups: dict[str, set[str]] = {}
    for d in docs:
        groups.setdefault(_event_of(store, d), set()).add(d.text.split("Event ")[1][0])
    assert len(groups) == 3 and all(len(g) == 1 for g in groups.values())
    ev = store.get_event(_event_of(store, docs[0]))
    assert ev is not None and ev.date in days and ev.date_start == ev.date_end == ev.date
    assert ev.title and ev.summary and ev.participants


def test_same_text_a_year_apart_is_two_events() -> None:
    rng = np.random.default_rng(4)
    v = _unit(rng.normal(size=DIM))
    a = make_document(f"{WORDS} The annual summit opened.", day="2023-07-11", entities=[("ORG", "nato")], vector=v)
    b = make_document(f"{WORDS} The annual summit opened again.", day="2024-07-10", entities=[("ORG", "nato")], vector=v)
    store = open_store(":memory:")
    _ingest(store, Linker(store, FAST), [a, b])
    assert _event_of(store, a) != _event_of(store, b)


def test_embeddings_alone_merge_only_near_copies() -> None:
    rng = np.random.default_rng(5)
    base = _unit(rng.normal(size=DIM))
    close = _unit(base + 0.2 * _unit(rng.normal(size=DIM)))  # cos ~0.98
    related = _unit(base + 1.0 * _unit(rng.normal(size=DIM)))  # cos ~0.7
    docs = [make_document(_text(i), vector=v) for i, v in enumerate([base, close, related])]
    store = open_store(":memory:")
    linker = Linker(store, FAST)
    _ingest(store, linker, docs)
    assert _event_of(store, docs[0]) == _event_of(store, docs[1]) != _event_of(store, docs[2])


def test_bad_input_gets_an_event_of_its_own_with_a_reason() -> None:
    rng = np.random.default_rng(6)
    v = _unit(rng.normal(size=DIM))
    word = make_document("NATO", vector=v)
    word2 = make_document("Nato!", vector=v)
    novec = make_document("Ein Text, der keinen Vektor bekommen hat, weil das Modell fehlte, und trotzdem lang ist.")
    full = make_document(f"{WORDS} A full article.", vector=v)
    store = open_store(":memory:")
    _ingest(store, Linker(store, FAST), [word, word2, novec, full])
    ids = {_event_of(store, d) for d in (word, word2, novec, full)}
    assert len(ids) == 4
    ev = store.get_event(_event_of(store, word))
    assert ev is not None and "too short" in ev.meta["reason"] and ev.meta["open"] is False
    ev2 = store.get_event(_event_of(store, novec))
    assert ev2 is not None and "no text to embed" in ev2.meta["reason"]


def test_identical_vectors_from_different_days_do_not_become_one_giant_event() -> None:
    v = np.ones(DIM) / np.sqrt(DIM)
    # the same text (near-copies) on days ten days apart: copies of a template, not one happening
    docs = [make_document(f"{WORDS} Day {i}.", day=f"2024-{1 + i:02d}-{1 + 10 * (i % 2):02d}", vector=v)
            for i in range(6)]
    store = open_store(":memory:")
    _ingest(store, Linker(store, FAST), docs)
    assert len({_event_of(store, d) for d in docs}) == 6


def test_uncovered_language_matches_within_its_language_only() -> None:
    rng = np.random.default_rng(7)
    v = _unit(rng.normal(size=DIM))
    en = make_document(_text(1), lang="en", vector=v)
    xx = make_document(_text(2), lang="sw", vector=v)
    store = open_store(":memory:")
    linker = Linker(store, FAST)
    _ingest(store, linker, [en, xx])
    assert _event_of(store, en) != _event_of(store, xx)
    ev = store.get_event(_event_of(store, xx))
    assert ev is not None and "not covered" in ev.meta["reason"]


def test_a_later_run_joins_events_of_an_earlier_one(tmp_path: Path) -> None:
    rng = np.random.default_rng(8)
    subject, event = _unit(rng.normal(size=DIM)), _unit(rng.normal(size=DIM))
    a = make_document(f"{WORDS} First.", day="2022-05-18", entities=[("ORG", "nato")], vector=_vec(rng, subject, event))
    b = make_document(f"{WORDS} Second.", day="2022-05-19", entities=[("ORG", "nato")], vector=_vec(rng, subject, event))
    db = tmp_path / "n.db"
    store = open_store(db)
    _ingest(store, Linker(store, FAST), [a])
    store.close()
    store = open_store(db)
    _ingest(store, Linker(store, FAST), [b])
    assert _event_of(store, a) == _event_of(store, b)
    ev = store.get_event(_event_of(store, a))
    assert ev is not None and sorted(ev.doc_ids) == sorted([a.id, b.id])
    assert ev.date_start == "2022-05-18" and ev.date_end == "2022-05-19"


def test_a_run_that_died_before_finishing_is_completed_by_the_next(tmp_path: Path) -> None:
    """Each document's event is stored when it is linked; titles and stories come at the end of
    a run. A run that dies before its end leaves untitled events, which the next run finishes
    even when none of its own documents comes near them."""
    rng = np.random.default_rng(12)
    docs = [make_document(f"{WORDS} {_text(i)}", day=f"2022-0{i + 1}-10", vector=_unit(rng.normal(size=DIM)))
            for i in range(3)]
    db = tmp_path / "n.db"
    store = open_store(db)
    died = Linker(store, FAST)
    for d in docs[:2]:
        store.write_document(d)
        died.add(d)  # ... and the process dies here, before finish()
    store.close()
    store = open_store(db)
    assert {ev.title for ev in store.iter_events()} == {""}
    _ingest(store, Linker(store, FAST), docs[2:])
    assert len(list(store.iter_events())) == 3 and all(ev.title for ev in store.iter_events())
    store.close()
