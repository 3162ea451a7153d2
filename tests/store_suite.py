"""The shared store test suite: every backend's tests inherit these classes and provide a
``store`` fixture that yields a fresh, empty store of that backend."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsweave.errors import NotFoundError, StoreError
from newsweave.model import (
    DateInfo,
    Document,
    Entity,
    Mention,
    Quote,
    Removed,
    Sentence,
    Source,
    TimeExpression,
)
from newsweave.store import KINDS, DocFilter, EventRecord, LinkRecord, StoryRecord, TextMatch


def make_doc(text: str, source: str = "a.txt", *, lang: str = "en", published: str | None = None,
             raw: bytes | None = None) -> Document:
    doc = Document(raw=raw if raw is not None else text.encode(), format="text", sources=[Source(source=source)],
                   raw_text=text, text=text, lang=lang, lang_confidence=0.9)
    doc.sentences = [Sentence(0, len(text))]
    if published:
        doc.published = DateInfo(value=published, earliest=published, latest=published, source="metadata",
                                 evidence=["metadata"])
    return doc


def rich_doc() -> Document:
    text = "Jens Stoltenberg met Joe Biden in Washington on Monday. \"We talk,\" he said."
    doc = make_doc(text, "rich.txt", published="2021-06-07")
    doc.raw_text = "Title\n" + text + "\nShare this"
    doc.raw = doc.raw_text.encode()
    doc.title = "Title"
    doc.removed = [Removed(0, 6, "title", "Title\n"), Removed(len(doc.raw_text) - 10, len(doc.raw_text), "share-prompt",
                                                             "Share this")]
    stol = Entity("PER:jens-stoltenberg", "Jens Stoltenberg", "PER", {"en": ["Jens Stoltenberg"]})
    biden = Entity("PER:joe-biden", "Joe Biden", "PER", {"en": ["Joe Biden"]})
    doc.entities = {e.key: e for e in (stol, biden)}
    doc.mentions = [Mention(0, 16, "Jens Stoltenberg", "PER", stol.key), Mention(21, 30, "Joe Biden", "PER", biden.key)]
    doc.quotes = [Quote(57, 66, '"We talk,"', "direct", cue="said", speaker_text="he", speaker_key=stol.key)]
    doc.times = [TimeExpression(46, 55, "on Monday", "DATE", "2021-06-07", anchor="2021-06-07")]
    doc.vector = [0.1] * 8
    doc.vector_model = "test"
    return doc


class WriteDocumentsTest:
    def test_new_then_duplicate(self, store: Any) -> None:
        d = make_doc("One text.")
        assert store.write_document(d).status == "new"
        again = make_doc("One text.", "b.txt")
        res = store.write_document(again)
        assert res.status == "duplicate" and res.doc_id == d.id
        assert store.count("documents") == 1
        srcs = [s["source"] for s in store.get_document(d.id)["sources"]]
        assert srcs == ["a.txt", "b.txt"]

    def test_rewrite_same_source_is_noop(self, store: Any) -> None:
        d = make_doc("Same.")
        store.write_document(d)
        store.write_document(make_doc("Same."))
        assert len(store.get_document(d.id)["sources"]) == 1

    def test_known_raw(self, store: Any) -> None:
        import hashlib

        d = make_doc("Raw bytes here.")
        assert store.known_raw(hashlib.sha256(d.raw).hexdigest(), "a.txt") is None
        store.write_document(d)
        assert store.known_raw(hashlib.sha256(d.raw).hexdigest(), "a.txt") == d.id
        assert store.known_raw(hashlib.sha256(d.raw).hexdigest(), "other.txt") is None

    def test_outputs_roundtrip(self, store: Any) -> None:
        d = rich_doc()
        store.write_document(d)
        rec = store.get_document(d.id)
        assert rec["text"] == d.text and rec["title"] == "Title"
        assert rec["removed"][1]["reason"] == "share-prompt"
        assert rec["published"]["value"] == "2021-06-07" and rec["published"]["source"] == "metadata"
        ments = list(store.iter_records("mentions", DocFilter(doc_id=d.id)))
        assert {m["text"] for m in ments} == {"Jens Stoltenberg", "Joe Biden"}
        for m in ments:
            assert d.text[m["start"]:m["end"]] == m["text"]
        ents = {e["name"]: e for e in store.iter_records("entities")}
        assert ents["Jens Stoltenberg"]["mention_count"] == 1
        q = next(iter(store.iter_records("quotes")))
        assert q["speaker_entity_id"] == ents["Jens Stoltenberg"]["id"] and q["kind"] == "direct"
        t = next(iter(store.iter_records("times")))
        assert t["value"] == "2021-06-07"
        assert store.get_vectors([d.id])[d.id] == pytest.approx([0.1] * 8)

    def test_load_document(self, store: Any) -> None:
        d = rich_doc()
        store.write_document(d)
        back = store.load_document(d.id)
        assert back.id == d.id and back.raw == d.raw and back.text == d.text
        assert back.published is not None and back.published.value == "2021-06-07"

    def test_entity_aliases_merge(self, store: Any) -> None:
        a = make_doc("Sacharowa spoke.", lang="de")
        ent = Entity("PER:maria-zakharova", "Maria Zakharova", "PER", {"de": ["Maria Sacharowa"]})
        a.entities = {ent.key: ent}
        a.mentions = [Mention(0, 9, "Sacharowa", "PER", ent.key)]
        b = make_doc("Zakharova spoke.")
        ent2 = Entity("PER:maria-zakharova", "Maria Zakharova", "PER", {"en": ["Maria Zakharova"]})
        b.entities = {ent2.key: ent2}
        b.mentions = [Mention(0, 9, "Zakharova", "PER", ent2.key)]
        store.write_document(a)
        store.write_document(b)
        (e,) = list(store.iter_records("entities"))
        assert "Maria Sacharowa" in e["aliases"] and e["mention_count"] == 2
        assert set(e["aliases_by_lang"]) == {"de", "en"}

    def test_replace_outputs(self, store: Any) -> None:
        d = rich_doc()
        store.write_document(d)
        d.mentions = d.mentions[:1]
        store.replace_outputs(d)
        assert store.count("mentions") == 1

    def test_failed_write_leaves_nothing(self, store: Any) -> None:
        d = rich_doc()
        d.times.append(TimeExpression(0, 1, "x", "DATE", object()))  # type: ignore[arg-type]  # not storable
        with pytest.raises(Exception):  # noqa: B017 - any driver error
            store.write_document(d)
        assert store.count("documents") == 0 and store.count("mentions") == 0

    def test_delete(self, store: Any) -> None:
        d = rich_doc()
        store.write_document(d)
        assert store.delete_document(d.id)
        assert store.count("documents") == 0 and store.count("mentions") == 0
        assert not store.delete_document(d.id)


class ReadRecordsTest:
    def test_filters_and_pagination(self, store: Any) -> None:
        for i in range(7):
            store.write_document(make_doc(f"Doc number {i}.", f"d{i}.txt", lang="de" if i % 2 else "en",
                                          published=f"2020-01-0{i + 1}"))
        assert len(list(store.iter_records("documents", DocFilter(lang="de")))) == 3
        assert len(list(store.iter_records("documents", DocFilter(date_from="2020-01-03", date_to="2020-01-05")))) == 3
        assert len(list(store.iter_records("documents", DocFilter(source="d6")))) == 1
        page1 = list(store.iter_records("documents", limit=4))
        page2 = list(store.iter_records("documents", limit=4, after=page1[-1]["id"]))
        ids = [r["id"] for r in page1 + page2]
        assert len(ids) == 7 == len(set(ids)) and ids == sorted(ids)

    def test_unknown_kind_and_id(self, store: Any) -> None:
        with pytest.raises(StoreError, match="valid kinds"):
            list(store.iter_records("nonsense"))
        with pytest.raises(NotFoundError):
            store.get_record("documents", "nope")

    def test_stats(self, store: Any) -> None:
        store.write_document(make_doc("Hallo Welt, ein Text.", lang="de", published="2021-01-01"))
        st = store.stats()
        assert st["documents"] == 1 and st["languages"] == {"de": 1} and st["dated"] == 1
        assert set(KINDS) <= set(st)

    def test_search_text(self, store: Any) -> None:
        store.write_document(make_doc("Stoltenberg traf Biden in Washington.", "x.txt", lang="de"))
        store.write_document(make_doc("Completely unrelated cooking recipe.", "y.txt"))
        hits = store.search_text("Stoltenberg Washington")
        assert len(hits) == 1
        assert store.search_text('"unbalanced AND (') == []  # FTS syntax in user input is just words
        assert store.search_text("") == []

    def test_search_text_follows_title_changes_and_deletes(self, store: Any) -> None:
        doc = make_doc("A lighthouse keeper returns to the northern cape.", "l.txt")
        doc.title = "Winter solstice"
        store.write_document(doc)
        other = make_doc("The lighthouse museum opens its doors in spring.", "m.txt")
        store.write_document(other)
        assert {d for d, _ in store.search_text("lighthouse")} == {doc.id, other.id}
        assert [d for d, _ in store.search_text("lighthouse", flt=DocFilter(source="m.txt"))] == [other.id]
        assert [d for d, _ in store.search_text("solstice")] == [doc.id]
        doc.title = "Cape story"
        store.replace_outputs(doc)
        assert [d for d, _ in store.search_text("cape story")][:1] == [doc.id]
        assert store.search_text("solstice") == []  # the old title left the index
        assert store.delete_document(doc.id)
        assert [d for d, _ in store.search_text("lighthouse")] == [other.id]

    def test_text_match_phrases_prefixes_exclusions(self, store: Any) -> None:
        docs = {k: make_doc(t, f"{k}.txt", lang=lang) for k, lang, t in [
            ("approved", "en", "The harbour council approved the winter ferry timetable."),
            ("apart", "en", "A timetable for buses angered harbour workers; ferry crews joined in."),
            ("rat", "de", "Der NATO-Russland-Rat kam in Brüssel wieder zusammen."),
            ("ratlos", "de", "Im Rat der Nato ging es um Russland."),
        ]}
        for d in docs.values():
            store.write_document(d)
        key = {d.id: k for k, d in docs.items()}

        def matching(m: TextMatch) -> set[str]:
            return {key[r["id"]] for r in store.iter_records("documents", DocFilter(match=m))}

        assert matching(TextMatch(phrases=(("ferry", "timetable"),))) == {"approved"}
        assert matching(TextMatch(phrases=(("NATO", "Russland", "Rat"),))) == {"rat"}
        assert matching(TextMatch(prefixes=("timet",))) == {"approved", "apart"}
        assert matching(TextMatch(prefixes=("timet",), exclude=(("buses",),))) == {"approved"}
        assert matching(TextMatch(exclude=(("harbour",),))) == {"rat", "ratlos"}
        ranked = store.match_text(TextMatch(phrases=(("NATO", "Russland", "Rat"),)))
        assert [key[d] for d, _ in ranked] == ["rat"] and ranked[0][1] > 0
        assert [key[d] for d, _ in store.match_text(TextMatch(prefixes=("timet",)), flt=DocFilter(source="apart"))] \
            == ["apart"]
        assert store.match_text(TextMatch(exclude=(("harbour",),))) == []  # nothing that must occur
        hits = store.search_text("harbour", flt=DocFilter(match=TextMatch(phrases=(("ferry", "timetable"),))))
        assert [key[d] for d, _ in hits] == ["approved"]

    def test_source_filter_is_a_case_insensitive_substring(self, store: Any) -> None:
        a = make_doc("First text about rivers.", "/feeds/Harbour_News/a.txt")
        a.sources[0].outlet, a.sources[0].url = "Nordpost", "https://www.nordpost.example/a"
        b = make_doc("Second text about hills.", "/feeds/harbour-news/b.txt")
        c = make_doc("Third text about 100% renewables.", "/feeds/other/c.txt")
        for d in (a, b, c):
            store.write_document(d)

        def docs(source: str) -> set[str]:
            return {r["id"] for r in store.iter_records("documents", DocFilter(source=source))}

        assert docs("harbour") == {a.id, b.id} and docs("HARBOUR_NEWS") == {a.id}  # "_" is no wildcard
        assert docs("nordpost") == {a.id} and docs("www.nordpost.ex") == {a.id}
        assert docs("c.t") == {c.id} and docs("r/c") == {c.id} and docs("%") == set() and docs("q") == set()
        assert docs("feeds") == {a.id, b.id, c.id}
        again = make_doc("Third text about 100% renewables.", "/mirror/Küstenblatt/c.txt")  # c from another source
        assert store.write_document(again).status == "duplicate"
        assert docs("küstenblatt") == {c.id} and docs("feeds/other") == {c.id} and docs("r/c") == {c.id}
        assert docs("txt\n/mirror") == set()  # no substring across two of a document's sources
        store.delete_document(a.id)
        assert docs("harbour") == {b.id} and docs("nordpost") == set()


class EventStoryTest:
    def test_events_and_stories(self, store: Any) -> None:
        a, b = make_doc("Event text A."), make_doc("Event text B.", "b.txt")
        store.write_document(a)
        store.write_document(b)
        store.put_event(EventRecord(id="e1", doc_ids=[a.id, b.id], title="A and B", date="2021-06-07"))
        store.put_event(EventRecord(id="e2", doc_ids=[], title="empty", date="2022-01-01"))
        store.put_story(StoryRecord(id="s1", event_ids=["e1", "e2"], title="Story"))
        ev = store.get_record("events", "e1")
        assert sorted(ev["doc_ids"]) == sorted([a.id, b.id]) and ev["story_id"] == "s1"
        doc = store.get_document(a.id)
        assert doc["event_id"] == "e1" and doc["story_id"] == "s1"
        assert store.get_record("stories", "s1")["event_ids"] == ["e1", "e2"]
        store.put_event(EventRecord(id="e1", doc_ids=[a.id], title="A", date="2021-06-07", story_id="s1"))
        assert store.get_document(b.id)["event_id"] is None
        store.delete_story("s1")
        assert store.get_document(a.id)["story_id"] is None

    def test_story_put_again_with_other_events(self, store: Any) -> None:
        a, b, c = make_doc("Story text A."), make_doc("Story text B.", "b.txt"), make_doc("Story text C.", "c.txt")
        for d in (a, b, c):
            store.write_document(d)
        for eid, doc in (("e1", a), ("e2", b), ("e3", c)):
            store.put_event(EventRecord(id=eid, doc_ids=[doc.id], title=eid, date="2021-06-07"))
        store.put_story(StoryRecord(id="s1", event_ids=["e1", "e2"], title="Story"))
        store.put_story(StoryRecord(id="s1", event_ids=["e2", "e3"], title="Story"))  # e1 left, e3 joined
        assert [store.get_record("events", e)["story_id"] for e in ("e1", "e2", "e3")] == [None, "s1", "s1"]
        assert [store.get_document(d.id)["story_id"] for d in (a, b, c)] == [None, "s1", "s1"]
        store.put_story(StoryRecord(id="s2", event_ids=["e3"], title="Other"))  # e3 moves to another story
        store.put_story(StoryRecord(id="s1", event_ids=["e2"], title="Story"))
        assert [store.get_document(d.id)["story_id"] for d in (a, b, c)] == [None, "s1", "s2"]
        store.put_story(StoryRecord(id="s1", event_ids=[], title="Story"))
        assert store.get_document(b.id)["story_id"] is None and store.get_record("events", "e2")["story_id"] is None

    def test_batch_commits_together_or_not_at_all(self, store: Any) -> None:
        a, b = make_doc("Batched text A."), make_doc("Batched text B.", "b.txt")
        store.write_document(a)
        store.write_document(b)
        with store.batch():
            store.put_event(EventRecord(id="e1", doc_ids=[a.id], title="A", date="2021-06-07"))
            with store.batch():  # nested: part of the outer batch
                store.set_document_links(b.id, event_id="e1", story_id=None)
            assert store.get_document(b.id)["event_id"] == "e1"  # the batch reads its own writes
            with pytest.raises(NotFoundError):  # a failed write inside leaves the others standing
                store.replace_outputs(make_doc("Never stored."))
        assert sorted(store.get_record("events", "e1")["doc_ids"]) == sorted([a.id, b.id])
        with pytest.raises(RuntimeError), store.batch():
            store.put_event(EventRecord(id="e2", doc_ids=[b.id], title="B", date="2021-06-08"))
            store.put_links([LinkRecord(a.id, b.id, "translation", 0.9)])
            raise RuntimeError("the caller failed half-way")
        assert store.get_event("e2") is None and store.get_document(b.id)["event_id"] == "e1"
        assert list(store.iter_records("links")) == []

    def test_links_and_state(self, store: Any) -> None:
        ln = LinkRecord("a", "b", "translation", 0.9)
        store.put_links([ln, LinkRecord("b", "a", "translation", 0.95)])
        (rec,) = list(store.iter_records("links"))
        assert rec["score"] == 0.95
        store.set_state("k", {"x": [1, 2]})
        assert store.get_state("k") == {"x": [1, 2]} and store.get_state("missing", 7) == 7


class RoundTripPropertyTest:
    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.differing_executors])
    @given(text=st.text(min_size=1, max_size=300).filter(lambda s: s.strip()),
           title=st.one_of(st.none(), st.text(max_size=40)))
    def test_any_text_roundtrips(self, store: Any, text: str, title: str | None) -> None:
        import uuid

        text = f"{uuid.uuid4()} {text}"  # the store persists across examples: keep each text new
        d = make_doc(text)
        d.title = title
        store.write_document(d)
        rec = store.get_document(d.id)
        assert rec["text"] == text and rec["title"] == title
        json.dumps(rec)  # every record is JSON-serialisable
