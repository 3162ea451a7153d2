"""The search box's syntax: what a query requires, what it excludes, and the words it ranks by.

    "exact phrase"     its words in this order, next to each other (quoted, one word is that word
                       in no other form); typographic quotes („…“, “…”, «…») work too
    word*              a word that starts so (three or more letters before the star)
    -word, -"a b"      documents without the word, or without the phrase
    anything else      words to rank by, any of them; AND, OR, NOT and NEAR are words like others,
                       and ( ) ^ : + are spaces

Phrases and prefixes are must-match conditions (every one of them), exclusions must-not; the
words of phrases are ranked as well. The full-text indexes answer the conditions (FTS5 on
SQLite, tsvector on PostgreSQL, see :class:`newsweave.store.TextMatch`); nothing the user types
reaches them as syntax.

Malformed syntax degrades to plain words and never raises: an unbalanced quote is dropped (its
words are ranked, not required), a star after fewer than three letters is dropped, a lone ``-``
is a space. A hyphen inside a word joins and excludes nothing: ``NATO-Russland-Rat`` ranks its
three parts, and quoted it is the phrase of those parts, which is how both indexes split it (so
it also finds "Nato-Russland-Rat" and "NATO Russland Rat").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ..store import TextMatch

MAX_CONDITIONS = 8  # phrases, prefixes and exclusions kept per query (more are ranked words or dropped)
MAX_PHRASE_WORDS = 16
MIN_PREFIX = 3

_QUOTES = str.maketrans({c: '"' for c in "„“”‟«»＂"})
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_PREFIX = re.compile(r"([^\W_]+)\*+")
_PUNCT = "()[]{},.;:!?^+"  # around a word: not part of its syntax


@dataclass(frozen=True)
class ParsedQuery:
    """A query read by :func:`parse`: the words to rank by and the conditions to meet."""

    words: tuple[str, ...]  # ranked: the plain words and the words of every phrase, as typed
    match: TextMatch | None  # must-match conditions, None when the query has none

    @property
    def text(self) -> str:
        """The query without its syntax: what the vector and entity rankers read."""
        return " ".join((*self.words, *(self.match.prefixes if self.match else ())))

    @property
    def searchable(self) -> bool:
        """False when there is nothing to look for (no words, no phrase, no prefix)."""
        return bool(self.words) or bool(self.match and self.match.positive)


def _segments(q: str) -> list[tuple[str, bool, bool]]:
    """(text, quoted, excluded) runs of the query; an unpaired last quote counts as a space."""
    marks = [i for i, c in enumerate(q) if c == '"']
    if len(marks) % 2:
        q = q[: marks[-1]] + " " + q[marks[-1] + 1 :]
        marks.pop()
    out: list[tuple[str, bool, bool]] = []
    pos = 0
    for a, b in zip(marks[::2], marks[1::2], strict=True):
        before = q[pos:a]
        excluded = before.endswith("-") and (len(before) == 1 or before[-2].isspace())
        if excluded:
            before = before[:-1]
        out.append((before, False, False))
        out.append((q[a + 1 : b], True, excluded))
        pos = b + 1
    out.append((q[pos:], False, False))
    return out


def parse(query: str) -> ParsedQuery:
    """Read a user's query (see the module docstring); never raises on any string."""
    q = unicodedata.normalize("NFC", query or "").translate(_QUOTES)
    ranked: list[str] = []
    phrases: list[tuple[str, ...]] = []
    prefixes: list[str] = []
    exclude: list[tuple[str, ...]] = []

    def room() -> bool:
        return len(phrases) + len(prefixes) + len(exclude) < MAX_CONDITIONS

    for text, quoted, excluded in _segments(q):
        if quoted:
            words = tuple(_WORD.findall(text))[:MAX_PHRASE_WORDS]
            if not words:
                continue
            if excluded:
                if room():
                    exclude.append(words)
                continue
            ranked += words
            if room() and words not in phrases:
                phrases.append(words)
            continue
        for chunk in (c.strip(_PUNCT) for c in text.split()):
            words = tuple(_WORD.findall(chunk))
            if not words:
                continue
            if chunk.startswith("-") and len(chunk) > 1 and _WORD.match(chunk, 1):
                if room():
                    exclude.append(words[:MAX_PHRASE_WORDS])
                continue
            star = _PREFIX.fullmatch(chunk)
            if star and len(star.group(1)) >= MIN_PREFIX and room():
                if star.group(1) not in prefixes:
                    prefixes.append(star.group(1))
                continue
            ranked += words
    match = TextMatch(tuple(phrases), tuple(prefixes), tuple(exclude))
    return ParsedQuery(tuple(ranked), match if match else None)
