"""A story's timeline (one entry per date, in order) and date-wise timeline summarisation."""

from __future__ import annotations

import numpy as np
import pytest

from newsweave.errors import NotFoundError
from newsweave.link import Linker, LinkParams
from newsweave.link.synthetic import make_document
from newsweave.link.timeline import TlsSentence, rank_dates, sentences_of, story_timeline, tls, topic_timeline
from newsweave.model import TimeExpression
from newsweave.store import open_store


def test_story_timeline_one_entry_per_date_in_order() -> None:
    rng = np.random.default_rng(21)
    subject = rng.normal(size=32)
    ents = [("ORG", "nato"), ("PER", "jens-stoltenberg"), ("PER", "antony-blinken")]
    days = ["2024-12-04", "2021-06-07", "2022-06-01"]
    docs = []
    for i, day in enumerate(days):
        ev = rng.normal(size=32)
        v = subject / np.linalg.norm(subject) * 0.9 + ev / np.linalg.norm(ev) * 0.4
        words = " ".join(rng.choice(list("abcdefghijklmnop"), size=40))
        docs.append(make_document(f"Report {i}: {words}.", day=day, entities=ents, vector=v, source=f"src{i}.txt"))
    store = open_store(":memory:")
    linker = Linker(store, LinkParams(summaries=False))
    for d in docs:
        store.write_document(d)
        linker.add(d)
    linker.finish()
    sid = store.get_record("documents", docs[0].id)["story_id"]
    tl = story_timeline(store, sid)
    assert [e["date"] for e in tl["entries"]] == sorted(days)
    first = tl["entries"][0]
    assert first["sources"] == ["src1.txt"] and first["doc_ids"] == [docs[1].id]
    assert set(first) >= {"date", "summary", "event_id", "sources", "doc_ids"}
    with pytest.raises(NotFoundError):
        story_timeline(store, "nope")


def _s(text: str, doc: str, pos: int, pub: str, *dates: str) -> TlsSentence:
    from datetime import date

    return TlsSentence(text, doc, pos, date.fromisoformat(pub), [date.fromisoformat(d) for d in dates])


def test_dates_ranked_by_articles_not_repetitions() -> None:
    sents = [
        _s("The quake struck on Tuesday.", "a", 0, "2010-01-13", "2010-01-12"),
        _s("Tuesday's quake was strong. Again Tuesday.", "a", 1, "2010-01-13", "2010-01-12"),
        _s("The quake on Tuesday killed many.", "b", 3, "2010-01-14", "2010-01-12"),
        _s("Aid arrived on Wednesday.", "c", 2, "2010-01-14", "2010-01-13"),
        _s("A donor conference is planned for next month.", "c", 3, "2010-01-14", "2010-02-20"),
    ]
    ranked = rank_dates(sents, pub_weight=0.0)
    assert ranked[0][0].isoformat() == "2010-01-12" and ranked[0][1] == 2.0  # two articles, not three sentences
    assert all(d.isoformat() != "2010-02-20" for d, _ in ranked)  # a plan is not a report


def test_tls_picks_dates_and_central_sentences() -> None:
    sents = [
        _s("A powerful earthquake struck the capital of Haiti on Tuesday.", "a", 0, "2010-01-13", "2010-01-12"),
        _s("The earthquake struck the capital on Tuesday, killing thousands.", "b", 0, "2010-01-13", "2010-01-12"),
        _s("Football scores from the weekend were announced on Tuesday as usual.", "c", 5, "2010-01-13", "2010-01-12"),
        _s("International aid began to arrive at the airport on Thursday.", "d", 1, "2010-01-15", "2010-01-14"),
        _s("Aid flights landed at the airport on Thursday.", "e", 0, "2010-01-15", "2010-01-14"),
        _s("A minor aftershock was felt on Wednesday.", "f", 0, "2010-01-14", "2010-01-13"),
    ]
    tl = tls(sents, n_dates=2, n_sentences=1)
    assert [d for d, _ in tl] == ["2010-01-12", "2010-01-14"]
    assert "earthquake" in tl[0][1][0].lower() and "airport" in tl[1][1][0].lower()
    assert tls([], 3) == [] and tls(sents, 0) == []


def test_sentences_of_a_pipeline_document_carry_their_dates() -> None:
    doc = make_document("Finland joined on Tuesday. Sweden followed later.", day="2023-04-05")
    doc.times = [TimeExpression(19, 26, "Tuesday", "DATE", "2023-04-04"), TimeExpression(40, 45, "later", "DATE", None)]
    ss = sentences_of(doc)
    assert next(s.dates for s in ss)[0].isoformat() == "2023-04-04" and ss[1].dates == []
    assert ss[0].pub is not None and ss[0].pub.isoformat() == "2023-04-05"


def test_topic_timeline_over_stored_articles_names_each_sentence_source() -> None:
    store = open_store(":memory:")
    texts = [("Finland joined the alliance on Tuesday in Brussels.", "2023-04-05", "2023-04-04", "a.txt"),
             ("On Tuesday Finland became a member of the alliance.", "2023-04-05", "2023-04-04", "b.txt"),
             ("Sweden was admitted to the alliance on Thursday.", "2024-03-08", "2024-03-07", "c.txt")]
    ids = []
    for text, pub, day, src in texts:
        doc = make_document(text, day=pub, source=src)
        word = next(w for w in ("Tuesday", "Thursday") if w in text)
        start = text.index(word)
        doc.times = [TimeExpression(start, start + len(word), word, "DATE", day)]
        store.write_document(doc)
        ids.append(doc.id)
    tl = topic_timeline(store, [*ids, "missing-id"], n_dates=5)
    assert tl["documents"] == 3
    assert [e["date"] for e in tl["entries"]] == ["2023-04-04", "2024-03-07"]
    first, second = tl["entries"]
    assert first["sentences"][0]["source"] in ("a.txt", "b.txt") and first["doc_ids"][0] in ids[:2]
    assert second["sentences"] == [{"text": texts[2][0], "doc_id": ids[2], "source": "c.txt"}]
    assert topic_timeline(store, [], n_dates=5) == {"entries": [], "documents": 0}
