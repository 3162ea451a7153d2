"""The short cuts that keep dating fast must give exactly what the regular expressions they stand
for give: a pattern is skipped (``dating.keywords``) only where it cannot match, ``guarded``
finds the matches ``finditer`` finds, and sentence ends split into a scan and a check
(``timex.context``) are those of the one regex. Checked on hand-picked patterns, on every
pattern of the packaged knowledge and the sample corpus, and on random texts built from the
patterns' own pieces."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from newsweave.dating.anchors import load_anchors
from newsweave.dating.keywords import fold, guarded, literal_prefixes, occurs, positions, prefixes_of
from newsweave.timex.context import _ends


@pytest.mark.parametrize(
    ("pattern", "prefixes"),
    [
        (r"James[- ]Webb", ("james-webb", "james webb")),
        (r"COP ?28\b", ("cop",)),  # the space may be absent
        (r"launch(?:ed|es)?", ("launch",)),
        (r"(?:Turk(?:ey|ish)|Türkei)[^.;]{0,80}Sweden", ("turkey", "turkish", "türkei")),
        ("Großbritannien", ("gro",)),  # 'ß' upper-cases to two letters: the prefix ends before it
        (r"\.NET", (".net",)),
        (r"x[ab]+y", ("xa", "xb")),
        (r"ab(?:c|\w)d", ("ab",)),  # "abc" starts with "ab": where "ab" is not, neither is "abc"
        (r"member\s+states|members", ("member",)),
        (r"(?<!x)abc", None),  # a look-around first: no prefix to look for
        (r"[a-z]bc", None),
        (r"[^a]bc", None),
        (r"ab|", None),  # an empty alternative matches anywhere
        (r"a{,3}bc", None),
        (r"(?i)abc", None),
    ],
)
def test_literal_prefixes(pattern: str, prefixes: tuple[str, ...] | None) -> None:
    assert literal_prefixes(pattern) == prefixes


def _chars_of(prefixes: list[str]) -> set[str]:
    return {c for p in prefixes for c in p}


def test_fold_treats_characters_as_ignorecase_does() -> None:
    """Every character that re.IGNORECASE takes for a prefix character folds to that character:
    checked over all of Unicode for each character of the knowledge's prefixes (and 'i', 's',
    'k', whose case has extra partners: 'ı', 'İ', 'ſ', the Kelvin sign)."""
    a = load_anchors()
    pre = [p for _s, ps in a.subjects for p in (ps or ())] + list(a.label_prefixes or ())
    every = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
    for c in sorted(_chars_of(pre) | set("isk")):
        same = set(re.findall(re.escape(c), every, re.IGNORECASE))
        assert {fold(x) for x in same} == {fold(c)}, (c, sorted(same))
    assert fold("İstanbul ſtraße Kelvin") == "istanbul straße kelvin"
    assert len(fold("Straße İ")) == len("Straße İ")  # one character for one: offsets stay


def _texts() -> list[str]:
    from newsweave.paths import PACKAGE_DIR

    out = [p.read_text(encoding="utf-8") for p in sorted((PACKAGE_DIR / "sample" / "corpus").glob("*.txt"))]
    assert len(out) > 20
    return out


def test_knowledge_patterns_found_exactly_where_regex_search_finds_them() -> None:
    a = load_anchors()
    texts = _texts()
    hits = 0
    for subj, pre in a.subjects:
        rx = re.compile(r"(?<![\w-])(?:" + "|".join(subj) + r")(?![\w])", re.IGNORECASE)
        for t in texts:
            want = rx.search(t) is not None
            assert occurs(rx, pre, t, fold(t)) is want, (subj, t[:60])
            hits += want
    for t in texts:
        assert occurs(a.event_regex, a.label_prefixes, t, fold(t)) is (a.event_regex.search(t) is not None)
        assert [m.span() for m in a.orgs_in(t)] == [m.span() for m in a.org_regex.finditer(t)]
    assert hits > 20  # the sample corpus names many of the anchors' events


PIECES = ["Webb", "webb", "WEBB", "James", " ", "-", "x", "COP", "28", "2", "ſ", "İ", "ß", "ẞ", "members",
          "Member", "1", "12", "123", ".", ",", "1234", "telescope", "Ab", "c", "\n"]
PATTERNS = [r"James[- ]Webb|Webb telescope", r"COP ?28\b", r"ab(?:c|\w)d", r"Stra(?:ss|ß)e", r"member\w*"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=30))
def test_occurs_is_search(pieces: list[str]) -> None:
    text = "".join(pieces)
    for p in PATTERNS:
        rx = re.compile(r"(?<![\w-])(?:" + p + r")", re.IGNORECASE)
        assert occurs(rx, literal_prefixes(p), text, fold(text)) is (rx.search(text) is not None), p
        pre = literal_prefixes(p)
        if pre is not None:  # every match starts where a prefix does
            starts = set(positions(pre, fold(text)))
            assert all(m.start() in starts for m in re.finditer(p, text, re.IGNORECASE))


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=30))
@example(["x", "James", " ", "Webb"])  # a match refused by the guard hides one that is not
def test_guarded_is_finditer(pieces: list[str]) -> None:
    text = "".join(pieces)
    for guard, body in [(r"(?<![\d.,])", r"(\d{1,3})\s*members?"), (r"(?<![\w-])", r"(?:Webb|COP|James Webb)s?")]:
        want = [m.span() for m in re.finditer(guard + body, text, re.IGNORECASE)]
        got = [m.span() for m in guarded(re.compile(body, re.IGNORECASE), re.compile(guard), text)]
        assert got == want


_ONE_REGEX = re.compile(  # the sentence end as one regex, as it was written before it was split in two
    r"(?<![\s.][A-Za-z])(?<!\b[A-Z][a-z])(?<!\b[A-Z][a-z]{2})(?<!\b[a-z]\.[a-z])(?<!\bvs)(?<!\bca)(?<!\bapprox)"
    r"[.!?]+[\"'”“»«]?\s+(?=[\"'„“«»(]?[A-ZÄÖÜ0-9])|\n\s*\n|\n"
)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(["a", "A", "Dr", "Jan", " ", ".", "..", "!", "?", "\n", "\n\n", "vs", "ca",
                                 "approx", "U.S", "e.g", "2021", "5", "\"", "”", "(", "Ä", "Zz", "x. Y"]),
                max_size=40))
def test_sentence_ends_are_those_of_the_one_regex(pieces: list[str]) -> None:
    text = "".join(pieces)
    assert [m.span() for m in _ends(text)] == [m.span() for m in _ONE_REGEX.finditer(text)]


def test_sentence_ends_of_the_sample_corpus_are_those_of_the_one_regex() -> None:
    for t in _texts():
        assert [m.span() for m in _ends(t)] == [m.span() for m in _ONE_REGEX.finditer(t)]


def test_prefixes_of_knowledge_are_known_for_nearly_all() -> None:
    """Most subject patterns have prefixes (else the pre-test saves nothing)."""
    a = load_anchors()
    assert sum(pre is not None for _s, pre in a.subjects) >= len(a.subjects) - 1
    assert a.label_prefixes is not None
    assert prefixes_of(["abc", "abd"]) == ("abc", "abd")
