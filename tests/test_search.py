"""Hybrid search: name matching, stemming, fusion, filters, facets, and the seed acceptance facts."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

import syntax_corpus
from newsweave import api
from newsweave.model import DateInfo, Document, Entity, Mention, Source
from newsweave.search import find_entities, hybrid_search, rrf, snippet, translit_keys
from newsweave.search.names import EntityIndex, _Entry
from newsweave.search.postings import FANOUT, K1, STEMS, WORDS, PostingIndex, doc_terms
from newsweave.search.stems import fold_word, query_terms
from newsweave.store import DocFilter
from webcorpus import corpus_db, find_doc

# -- names: accent- and transliteration-insensitive --------------------------------------------


@pytest.mark.parametrize("a,b", [
    ("Sacharowa", "Zakharova"), ("Selenskyj", "Zelenskyy"), ("Jelzin", "Yeltsin"), ("Lawrow", "Lavrov"),
    ("Schoigu", "Shoigu"), ("Tschernyschow", "Chernyshov"), ("Kasachstan", "Kazakhstan"),
    ("Wladimir Putin", "Vladimir Putin"), ("Gérard Depardieu", "gerard depardieu"), ("Łukaszenka", "Lukaszenka"),
])
def test_transliterations_share_a_key(a: str, b: str) -> None:
    assert translit_keys(a) & translit_keys(b)


@pytest.mark.parametrize("a,b", [("Biden", "Baden"), ("Putin", "Patten"), ("Merkel", "Markel"), ("Paris", "Peru")])
def test_different_names_do_not_share_a_key(a: str, b: str) -> None:
    assert not translit_keys(a) & translit_keys(b)


def _index() -> EntityIndex:
    return EntityIndex([
        _Entry("e1", "PER:maria-zakharova", "Maria Zakharova", "PER", {"de": ["Maria Sacharowa"]}, 3),
        _Entry("e2", "PER:sergei-lavrov", "Sergei Lavrov", "PER", {"de": ["Sergej Lawrow"], "en": ["Lavrov"]}, 9),
        _Entry("e3", "ORG:nato", "NATO", "ORG", {"de": ["Nato", "Bündnis"], "en": ["the Alliance"]}, 40),
        _Entry("e4", "LOC:brussels", "Brussels", "LOC", {"de": ["Brüssel"], "fr": ["Bruxelles"]}, 12),
    ])


@pytest.mark.parametrize("q,expected", [
    ("Sacharowa", "e1"), ("Zakharova", "e1"), ("maria sacharowa", "e1"), ("ZAKHAROVA briefing", "e1"),
    ("Lawrow", "e2"), ("Sergei Lavrov", "e2"), ("bundnis", "e3"), ("Brüssel", "e4"), ("Bruxelles", "e4"),
    ("Lavrow", "e2"),  # a mixed spelling, one letter off after folding
])
def test_entity_found_by_any_spelling(q: str, expected: str) -> None:
    found = _index().find(q)
    assert found and found[0]["id"] == expected, found


def test_unrelated_query_names_no_entity() -> None:
    assert _index().find("ferry timetable vote") == []


def test_near_spellings_only_where_nothing_matched_exactly() -> None:
    idx = EntityIndex([_Entry("r1", "LOC:russia", "Russia", "LOC", {"de": ["Russland"]}, 5),
                       _Entry("r2", "MISC:russian", "Russian", "MISC", {}, 5)])
    assert [e["id"] for e in idx.find("Russia")] == ["r1"]
    assert [e["id"] for e in idx.find("Russiam")] == ["r2"]  # a typo: one letter off "Russian"


# -- fusion and snippets -------------------------------------------------------------------------


def test_rrf_rewards_agreement_between_rankers() -> None:
    fused = rrf({"bm25": ["a", "b", "c"], "vector": ["b", "d", "a"]})
    order = [d for d, _, _ in fused]
    assert order[:2] == ["b", "a"]  # found by both rankers
    assert dict((d, by) for d, _, by in fused)["d"] == ["vector"]
    b = next(s for d, s, _ in fused if d == "b")
    assert math.isclose(b, 1 / 62 + 1 / 61)


def test_snippet_marks_query_words_inside_the_window() -> None:
    text = "Lorem ipsum. " * 40 + "The ministers discussed the ferry timetable at length. " + "Filler text. " * 40
    snip, marks = snippet(text, "ferry timetables")
    assert "ferry" in snip and len(snip) <= 260
    assert {snip[a:b] for a, b in marks} == {"ferry", "timetable"}


# -- a small synthetic corpus in a real SQLite store ---------------------------------------------

ARTICLES = [
    ("en", "2023-03-02", "coastwire", "Ministers hold talks on fishing quotas",
     "Fisheries ministers held talks in Oslo on the northern fishing quotas. Dag Halvorsen said the talks went well."),
    ("de", "2023-03-03", "rheinpost", "Gespräche über Fangquoten",
     "Die Fischereiminister führten in Oslo Gespräche über die nördlichen Fangquoten. Dag Halvorsen äußerte sich."),
    ("en", "2021-07-10", "coastwire", "Heatwave closes schools",
     "A heatwave closed schools across the region; teachers moved lessons online for a week."),
    ("fr", "2024-01-15", "lematin", "Accord sur les quotas de pêche",
     "Les ministres ont conclu un accord sur les quotas de pêche du nord après des discussions à Oslo."),
]


def hash_embed(text: str) -> list[float]:
    """The tests' bag-of-stems embedding over the three languages of this corpus."""
    return syntax_corpus.hash_embed(text, ("en", "de", "fr"))


@pytest.fixture()
def small_store(tmp_path: Path) -> Any:
    store = api.open_db(tmp_path / "small.db")
    halvorsen = Entity("PER:dag-halvorsen", "Dag Halvorsen", "PER", {"en": ["Dag Halvorsen"]})
    for i, (lang, day, outlet, title, text) in enumerate(ARTICLES):
        doc = Document(raw=text.encode(), format="text", sources=[Source(f"/in/{outlet}/{i}.txt", outlet=outlet)],
                       raw_text=text, text=text, title=title, lang=lang,
                       published=DateInfo(day, day, day, source="metadata"))
        at = text.find("Dag Halvorsen")
        if at >= 0:
            doc.mentions = [Mention(at, at + 13, "Dag Halvorsen", "PER", entity_key=halvorsen.key)]
            doc.entities = {halvorsen.key: halvorsen}
        doc.vector, doc.vector_model = hash_embed(title + " " + text), "hash-64"
        store.write_document(doc)
    yield store
    store.close()


def _ids_by_title(store: Any, res: dict[str, Any]) -> list[str]:
    return [h["title"] for h in res["hits"]]


def _titles(store: Any, ranking: Any) -> list[str]:
    ids = {r: d for r, d in store._q("SELECT rowid, id FROM documents")}
    return [store.get_document(ids[r])["title"] for r, _ in ranking.top(10)]


def test_stemming_finds_other_word_forms(small_store: Any) -> None:
    idx = PostingIndex.for_store(small_store)
    assert idx is not None
    assert _titles(small_store, idx.rank(STEMS, query_terms("talk", ["en"])[0])) == [
        "Ministers hold talks on fishing quotas"]
    assert _titles(small_store, idx.rank(STEMS, query_terms("Gespräch", ["de"])[0])) == ["Gespräche über Fangquoten"]
    assert _titles(small_store, idx.rank(WORDS, ["talk"])) == []  # surface words only: no "talk" anywhere
    assert {"talk"} <= query_terms("talks", ["en"])[0]


def test_index_follows_inserts_changes_and_deletes(small_store: Any) -> None:
    idx = PostingIndex.for_store(small_store)
    assert idx is not None
    hits = idx.rank(WORDS, ["heatwave"]).top(5)
    assert len(hits) == 1
    doc_id = small_store._q("SELECT id FROM documents WHERE rowid = ?", (hits[0][0],))[0][0]
    small_store.delete_document(doc_id)
    assert idx.rank(WORDS, ["heatwave"]).top(5) == []
    doc = Document(raw=b"x", format="text", sources=[Source("/in/new.txt")], raw_text="A heatwave again.",
                   text="A heatwave again.", title="Heat", lang="en")
    small_store.write_document(doc)
    assert len(idx.rank(WORDS, ["heatwave"]).top(5)) == 1
    doc.title = "Lighthouse"
    small_store.replace_outputs(doc)  # a re-run that changed the title: indexed again, the old title gone
    assert len(idx.rank(WORDS, ["lighthouse"]).top(5)) == 1 and idx.rank(WORDS, ["heat"]).top(5) == []
    assert idx.n_docs == len(ARTICLES)


def bm25_reference(store: Any, kind: int, terms: set[str]) -> dict[int, float]:
    """BM25 computed the slow, obvious way over every document, to check the index against."""
    docs = {}
    for rowid, lang, title, text in store._q("SELECT rowid, lang, title, text FROM documents"):
        w, s, n = doc_terms(title or "", text, lang)
        docs[rowid] = (w if kind == WORDS else s, n)
    n_docs = len(docs)
    avgdl = sum(n for _, n in docs.values()) / n_docs
    out: dict[int, float] = {}
    for t in terms:
        df = sum(1 for c, _ in docs.values() if t in c)
        idf = math.log(1 + (n_docs - df + 0.5) / (df + 0.5))
        for rowid, (c, n) in docs.items():
            if t in c:
                tf = c[t]
                out[rowid] = out.get(rowid, 0.0) + idf * tf * (K1 + 1) / (tf + K1 * (1 - 0.75 + 0.75 * n / avgdl))
    return out


@pytest.fixture()
def many_store(tmp_path: Path) -> Any:
    """Forty made-up reports over a small vocabulary, so terms recur with different frequencies."""
    import random

    rng = random.Random(3)
    vocab = ["harbour", "ferry", "storm", "council", "vote", "budget", "school", "rail", "strike", "bridge",
             "river", "flood", "mayor", "festival", "museum", "market"]
    store = api.open_db(tmp_path / "many.db")
    for i in range(40):
        title = " ".join(rng.choice(vocab) for _ in range(3)).capitalize()
        text = " ".join(rng.choice(vocab) for _ in range(rng.randint(5, 60))) + f". Report {i}."
        lang = "en" if i % 3 else "de"
        store.write_document(Document(raw=text.encode(), format="text", sources=[Source(f"/m/{i}.txt")],
                                      raw_text=text, text=text, title=title, lang=lang))
    yield store
    store.close()


def _scores(ranking: Any) -> dict[int, float]:
    return {r: s for r, s in ranking.top(len(ranking))}


@pytest.mark.parametrize("terms", [{"ferry"}, {"storm", "flood", "museum"}, {"report", "harbour"}, {"nothing"}])
def test_scores_are_exact_bm25_through_merges_and_deletes(many_store: Any, terms: set[str]) -> None:
    idx = PostingIndex.for_store(many_store)
    assert idx is not None
    idx.rebuild()
    idx.sync()
    for kind in (WORDS, STEMS):
        want = bm25_reference(many_store, kind, {fold_word(t) for t in terms})
        got = _scores(idx.rank(kind, {fold_word(t) for t in terms}))
        assert got.keys() == want.keys() and all(abs(got[r] - want[r]) < 1e-4 * (1 + want[r]) for r in want)
    # one document per segment: FANOUT of them are merged, more than once over forty documents
    many_store.conn.execute("DELETE FROM search_postings")
    many_store.conn.execute("DELETE FROM search_segments")
    many_store.conn.execute("INSERT OR IGNORE INTO search_queue SELECT rowid FROM documents")
    idx.sync(batch=1)
    levels = [r[0] for r in many_store._q("SELECT level FROM search_segments")]
    assert max(levels) >= 1 and levels.count(0) < FANOUT
    for did in [r[0] for r in many_store._q("SELECT id FROM documents ORDER BY rowid LIMIT 12")]:
        many_store.delete_document(did)
    idx.sync(batch=1)
    assert idx.n_docs == 28
    want = bm25_reference(many_store, WORDS, terms)
    got = _scores(idx.rank(WORDS, terms))
    assert got.keys() == want.keys() and all(abs(got[r] - want[r]) < 1e-4 * (1 + want[r]) for r in want)
    assert not any(r in got for r in range(1, 13))


def test_another_connection_sees_new_documents(many_store: Any) -> None:
    reader = api.open_db(many_store.path)
    idx = PostingIndex.for_store(reader)
    assert idx is not None
    before = len(idx.rank(WORDS, ["lighthouse"]))
    text = "The lighthouse on the northern cape is staffed again."
    many_store.write_document(Document(raw=text.encode(), format="text", sources=[Source("/m/new.txt")],
                                       raw_text=text, text=text, title="Lighthouse", lang="en"))
    PostingIndex.for_store(many_store).sync()  # the writer indexes; the reader reloads what changed
    assert before == 0 and len(idx.rank(WORDS, ["lighthouse"])) == 1
    reader.close()


def test_filters_restrict_every_ranker(small_store: Any) -> None:
    kw = {"embedder": hash_embed, "min_cosine": 0.0}
    assert {h["lang"] for h in hybrid_search(small_store, "quotas Oslo", DocFilter(lang="de"), **kw)["hits"]} == {"de"}
    res = hybrid_search(small_store, "quotas Oslo", DocFilter(date_from="2024-01-01"), **kw)
    assert [h["published"][:4] for h in res["hits"]] == ["2024"]
    res = hybrid_search(small_store, "quotas", DocFilter(source="rheinpost"), **kw)
    assert _ids_by_title(small_store, res) == ["Gespräche über Fangquoten"]
    ent = find_entities(small_store, "Halvorsen")[0]
    res = hybrid_search(small_store, "quotas", DocFilter(entity_id=ent["id"]), **kw)
    assert len(res["hits"]) == 2 and all(h["lang"] in ("en", "de") for h in res["hits"])


@pytest.mark.parametrize("flt", [DocFilter(lang="de"), DocFilter(source="rheinpost"), DocFilter(date_to="2022-12-31"),
                                 DocFilter(source="RHEINpost", date_to="2023-12-31"), DocFilter(source="in"),
                                 DocFilter(lang="xx")])
def test_narrow_filters_rank_their_own_documents_alike(small_store: Any, flt: DocFilter,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    import newsweave.search.hybrid as hybrid

    kw = {"embedder": hash_embed, "min_cosine": 0.0, "rankers": ("bm25", "stems")}
    sliced = hybrid_search(small_store, "quotas Oslo heatwave talks", flt, **kw)
    monkeypatch.setattr(hybrid, "NARROW_AFTER", 0)  # take the filter's documents from SQL at once
    narrow = hybrid_search(small_store, "quotas Oslo heatwave talks", flt, **kw)
    assert [h["id"] for h in narrow["hits"]] == [h["id"] for h in sliced["hits"]]
    assert all(h["lang"] == flt.lang for h in narrow["hits"]) if flt.lang else True
    assert bool(narrow["hits"]) == (flt.lang != "xx")


def test_kept_filter_sets_follow_writes(small_store: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """A narrow filter's documents are kept for the next searches, and dropped by any write."""
    import newsweave.search.hybrid as hybrid
    from newsweave.search.scope import Scope

    monkeypatch.setattr(hybrid, "NARROW_AFTER", 0)
    kw = {"embedder": hash_embed, "min_cosine": 0.0, "rankers": ("bm25", "stems")}
    flt = DocFilter(source="rheinpost")

    def found() -> list[str]:
        return [h["id"] for h in hybrid_search(small_store, "Fangquoten quotas", flt, **kw)["hits"]]

    def kept() -> Any:
        return Scope(small_store, flt, None, local=True).kept()

    first = found()
    assert first and kept() is not None
    assert found() == first
    text = "Neue Fangquoten: quotas for cod were cut again."
    doc = Document(raw=text.encode(), format="text", sources=[Source("/in/rheinpost/new.txt", outlet="rheinpost")],
                   raw_text=text, text=text, title="Fangquoten gekürzt", lang="de")
    small_store.write_document(doc)
    assert kept() is None
    assert doc.id in found() and set(first) <= set(found())
    small_store.delete_document(doc.id)
    assert found() == first


def test_facets_count_all_candidates(small_store: Any) -> None:
    res = hybrid_search(small_store, "fishing quotas Oslo", limit=1, embedder=hash_embed, min_cosine=0.1)
    assert len(res["hits"]) == 1
    assert res["total"] >= 3
    assert sum(res["facets"]["lang"].values()) == res["total"]
    assert set(res["facets"]["year"]) >= {"2023", "2024"}
    assert res["facets"]["source"]["coastwire"] >= 1


def test_vector_ranker_finds_documents_without_shared_words(small_store: Any) -> None:
    # "Fangquoten" is in no English text; the injected embedder maps its stem, the fusion keeps it
    res = hybrid_search(small_store, "Fangquoten", rankers=("vector",), embedder=hash_embed, min_cosine=0.05)
    assert res["hits"] and res["hits"][0]["title"] == "Gespräche über Fangquoten"
    assert res["hits"][0]["matched_by"] == ["vector"]


def test_entity_query_finds_the_entity_and_its_documents(small_store: Any) -> None:
    res = hybrid_search(small_store, "Halvorsen", rankers=("entity",))
    assert res["entities"][0]["name"] == "Dag Halvorsen"
    assert {h["lang"] for h in res["hits"]} == {"en", "de"}


def test_pagination_offsets_do_not_overlap(small_store: Any) -> None:
    kw = {"embedder": hash_embed, "min_cosine": 0.0}
    first = hybrid_search(small_store, "quotas Oslo talks", limit=2, **kw)
    second = hybrid_search(small_store, "quotas Oslo talks", limit=2, offset=2, **kw)
    assert not {h["id"] for h in first["hits"]} & {h["id"] for h in second["hits"]}


@pytest.mark.parametrize("q", ['"', "AND OR NOT", "*", ")(", "NEAR(a b)", "-- ;DROP TABLE documents", "", "   ",
                               "x" * 5000, "\x00", "ü" * 3])
def test_malformed_queries_do_not_raise(small_store: Any, q: str) -> None:
    res = hybrid_search(small_store, q, embedder=hash_embed)
    assert isinstance(res["hits"], list)
    assert small_store.count("documents") == len(ARTICLES)


def test_missing_embedder_is_reported_not_fatal(small_store: Any) -> None:
    from newsweave.errors import ModelUnavailable

    def unavailable(_: str) -> list[float]:
        raise ModelUnavailable("vector search is unavailable: test embedder switched off")

    res = hybrid_search(small_store, "quotas", embedder=unavailable)
    assert res["hits"] and any("vector search is unavailable" in n for n in res["notes"])


# -- acceptance on the seeds and the sample corpus ------------------------------------------------


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Any:
    store = api.open_db(corpus_db(tmp_path_factory))
    yield store
    store.close()


@pytest.mark.slow
def test_english_query_finds_german_seed_004(corpus: Any) -> None:
    target = find_doc(corpus, "004_91db5c4eda242435.txt")
    if target is None:
        pytest.skip("the seed corpus is not available (shared folder absent)")
    res = hybrid_search(corpus, "Stoltenberg Biden Russia dialogue", limit=3)
    assert target in [h["id"] for h in res["hits"]], res["hits"]
    assert corpus.get_document(target)["lang"] == "de"


@pytest.mark.slow
def test_vector_ranker_alone_is_cross_lingual(corpus: Any) -> None:
    target = find_doc(corpus, "004_91db5c4eda242435.txt")
    if target is None:
        pytest.skip("the seed corpus is not available (shared folder absent)")
    if corpus.count("documents") and not corpus.get_vectors([target]):
        pytest.skip("documents have no vectors in this checkout (embed stage not run)")
    res = hybrid_search(corpus, "Stoltenberg Biden Russia dialogue", rankers=("vector",), limit=3)
    assert target in [h["id"] for h in res["hits"]], res["hits"]


@pytest.mark.slow
def test_german_and_english_spellings_find_the_same_entity(corpus: Any, seed_expected: dict[str, Any]) -> None:
    if corpus.count("entities") == 0:
        pytest.skip("no entities in this checkout (entities stage not run)")
    target = next(e for e in seed_expected["entities"] if e["name"] == "Maria Zakharova")
    english = target["name"].split()[-1]
    german = {f.split()[-1] for forms in target["mentions"].values() for f in forms} - {english}
    assert german, "expected.json lists a German spelling"
    found = {q: find_entities(corpus, q)[0]["id"] for q in [english, *sorted(german)]}
    assert len(set(found.values())) == 1, found
