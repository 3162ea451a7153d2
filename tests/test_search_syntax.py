"""The search box's syntax: the parser, the FTS5 expressions made from it, and what hybrid search
returns for phrases, prefixes and exclusions on SQLite (``test_search_postgres.py`` runs the same
checks on PostgreSQL)."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsweave import api
from newsweave.search import hybrid_search, parse, snippet
from newsweave.search.postings import COMMON_FLOOR, WORDS, PostingIndex
from newsweave.search.scope import Scope
from newsweave.store import DocFilter, TextMatch
from newsweave.store.fts import fts_match, fts_negative
from syntax_corpus import ARTICLES, check_syntax, fill, found, hash_embed

# -- the parser ---------------------------------------------------------------------------------


@pytest.mark.parametrize("q,words,phrases,prefixes,exclude", [
    ('"ferry timetable" winter', ("ferry", "timetable", "winter"), (("ferry", "timetable"),), (), ()),
    ('"NATO-Russland-Rat"', ("NATO", "Russland", "Rat"), (("NATO", "Russland", "Rat"),), (), ()),
    ("NATO-Russland-Rat", ("NATO", "Russland", "Rat"), (), (), ()),
    ("„Nato-Chef“ sagte", ("Nato", "Chef", "sagte"), (("Nato", "Chef"),), (), ()),
    ("minist* talks", ("talks",), (), ("minist",), ()),
    ("ab* talks", ("ab", "talks"), (), (), ()),  # too short for a prefix: a word
    ('talks -Oslo -"fishing quotas"', ("talks",), (), (), (("Oslo",), ("fishing", "quotas"))),
    ('"unbalanced AND (', ("unbalanced", "AND"), (), (), ()),
    ('"a b" "c', ("a", "b", "c"), (("a", "b"),), (), ()),
    ("NEAR(a b) ^x y:z", ("NEAR", "a", "b", "x", "y", "z"), (), (), ()),
    ("x - y --", ("x", "y"), (), (), ()),
    ('""', (), (), (), ()),
])
def test_parse(q: str, words: tuple[str, ...], phrases: tuple[tuple[str, ...], ...], prefixes: tuple[str, ...],
               exclude: tuple[tuple[str, ...], ...]) -> None:
    p = parse(q)
    assert p.words == words
    m = p.match or TextMatch()
    assert (m.phrases, m.prefixes, m.exclude) == (phrases, prefixes, exclude)


def test_only_exclusions_search_nothing() -> None:
    assert not parse("-Oslo").searchable and parse("minist*").searchable and not parse("* -").searchable


_TERM = r'"[^\W_]+(?: [^\W_]+)*"\*?'
_SAFE = re.compile(rf"(?:\({_TERM}(?: AND {_TERM})*\) NOT \({_TERM}(?: OR {_TERM})*\)|{_TERM}(?: (?:AND|OR) {_TERM})*)")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([*list('ab Zé"„“-*()^:_%\\\''), " NEAR", " AND ", " OR ", "NOT "]), max_size=30)
       .map("".join))
def test_any_text_parses_into_safe_fts_expressions(q: str) -> None:
    """Whatever the user types, FTS5 only sees quoted words joined by our own operators."""
    p = parse(q)
    if not p.match:
        return
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE t USING fts5(x, tokenize = 'unicode61 remove_diacritics 2')")
    conn.execute("INSERT INTO t VALUES ('ab Zé NEAR AND')")
    for expr in (fts_match(p.match), fts_negative(p.match)):
        if expr:
            assert _SAFE.fullmatch(expr), expr
            conn.execute("SELECT rowid FROM t WHERE t MATCH ?", (expr,)).fetchall()


# -- hybrid search with the syntax, on SQLite ------------------------------------------------------


@pytest.fixture()
def syntax_store(tmp_path: Path) -> Any:
    store = api.open_db(tmp_path / "syntax.db")
    ids = fill(store)
    yield store, ids
    store.close()


def test_syntax_on_sqlite(syntax_store: Any) -> None:
    check_syntax(*syntax_store)


def test_fts_operators_in_queries_are_words(syntax_store: Any) -> None:
    store, ids = syntax_store
    for q in ['"unbalanced AND (', "NEAR(ferry timetable)", "ferry AND (timetable", "ferry^2 timetable:x", '"""',
              'ferry "NEAR(" ^', "-", "*", "ferry*)", '-"', 'ferry -"timetable']:
        res = hybrid_search(store, q, embedder=hash_embed)
        assert isinstance(res["hits"], list), q
    assert found(store, ids, "NEAR(ferry timetable)") == found(store, ids, "NEAR ferry timetable")


def test_phrase_ranking_counts_the_phrase(syntax_store: Any) -> None:
    store, ids = syntax_store
    ranked = store.match_text(TextMatch(phrases=(("ferry", "timetable"),)))
    assert {d for d, _ in ranked} == {ids["approved"], ids["extended"]}
    assert store.match_text(TextMatch(exclude=(("ferry",),))) == []  # nothing positive to rank


def test_snippet_centres_on_the_phrase() -> None:
    text = "The ferry left early. " * 20 + "Then the winter ferry timetable was approved. " + "Filler. " * 40
    snip, marks = snippet(text, "ferry timetable", phrases=(("ferry", "timetable"),))
    assert "ferry timetable was approved" in snip and marks


def test_text_conditions_as_a_mask(syntax_store: Any) -> None:
    store, ids = syntax_store
    idx = PostingIndex.for_store(store)
    assert idx is not None
    rowid = {d: r for r, d in store._q("SELECT rowid, id FROM documents")}
    scope = Scope(store, DocFilter(), TextMatch(phrases=(("ferry", "timetable"),)), local=True)
    assert scope.matches == 2
    assert set(scope.rowids().tolist()) == {rowid[ids["approved"]], rowid[ids["extended"]]}
    ranking = scope.restrict(idx.rank(WORDS, ["ferry"]))
    assert {int(r) for r in ranking.rows} == {rowid[ids["approved"]], rowid[ids["extended"]]}
    neg = Scope(store, DocFilter(lang="en"), TextMatch(exclude=(("buses",),)), local=True)
    assert neg.matches is None
    assert set(neg.passing(list(ids.values()))) == {ids["approved"], ids["extended"]}
    assert set(neg.rowids().tolist()) == {rowid[ids["approved"]], rowid[ids["extended"]]}
    # the excluded document is refused; a rowid past the mask (a document stored later) passes
    assert neg.allowed(np.asarray([rowid[ids["row"]], 10_000])).tolist() == [False, True]


def test_text_conditions_through_the_store_filter(syntax_store: Any) -> None:
    store, ids = syntax_store
    flt = DocFilter(match=TextMatch(phrases=(("ferry", "timetable"),), exclude=(("spring",),)))
    assert [r["id"] for r in store.iter_records("documents", flt)] == [ids["approved"]]
    assert [d for d, _ in store.search_text("harbour", flt=flt)] == [ids["approved"]]
    only_not = DocFilter(match=TextMatch(exclude=(("harbour",),)))
    assert {r["id"] for r in store.iter_records("documents", only_not)} == {ids["rat"], ids["apart"], ids["extended"]}


# -- common words left out beside rarer ones --------------------------------------------------------


def test_common_terms_are_left_out_beside_rarer_ones(syntax_store: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import newsweave.search.postings as postings

    store, _ = syntax_store
    idx = PostingIndex.for_store(store)
    assert idx is not None
    idx.ensure_current()
    terms = ["ferry", "timetable", "nato"]
    assert idx.uncommon(WORDS, terms) == terms  # a small corpus is ranked whole
    assert idx.uncommon(WORDS, terms, 0.5, floor=0) == ["nato"]  # ferry, timetable: in 3 and 4 of 5; nato in 2
    assert idx.uncommon(WORDS, ["ferry", "timetable"], 0.5, floor=0) == ["ferry", "timetable"]  # nothing rarer
    assert len(idx.rank(WORDS, terms)) == len(ARTICLES) and len(ARTICLES) < COMMON_FLOOR
    monkeypatch.setattr(postings, "COMMON_FLOOR", 0)
    monkeypatch.setattr(postings, "COMMON", 0.5)
    pruned, nato = idx.rank(WORDS, terms), idx.rank(WORDS, ["nato"])
    assert pruned.rows.tolist() == nato.rows.tolist() and len(pruned) == 2
    assert len(idx.rank(WORDS, terms, prune=False)) == len(ARTICLES)


# -- the syntax is documented on every face ---------------------------------------------------------


def test_the_syntax_is_documented_on_the_cli_and_the_rest_api(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from newsweave import cli_more  # registers the search command
    from newsweave.rest import create_app

    help_text = CliRunner().invoke(cli_more.app, ["search", "--help"], env={"COLUMNS": "200"}).output
    assert '"Quoted words" must occur' in help_text and "word* must start a word" in help_text
    assert '-"a phrase" must not occur' in help_text
    store = api.open_db(tmp_path / "doc.db")
    try:
        spec = create_app(store).openapi()
    finally:
        store.close()
    q = next(p for p in spec["paths"]["/api/v1/search"]["get"]["parameters"] if p["name"] == "q")
    assert all(s in q["description"] for s in ('"exact phrase"', "prefix*", "-word", "unbalanced"))
