"""Which articles of a corpus talk about the same things: content words, TF-IDF neighbours and
the words that name a dated happening.

    vocab = Vocabulary.build(texts)
    vocab.neighbours(i, k=8)            # [(j, cosine), ...] best first
    keys = happening_keys(vocab, mentions)  # {"earthquake": date(2010, 1, 12), ...}

Words are lowercase letter runs of four or more characters; words in more than half of the
texts or in only one are left out (they tell nothing about which articles belong together).
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

_WORD = re.compile(r"[^\W\d_]{4,}")
# calendar words co-occur with every date and would link everything to everything
_CALENDAR = frozenset(
    re.split(
        r"\s+",
        """january february march april june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday today yesterday tomorrow tonight
    morning evening night week weeks month months year years last next this that with from have
    been were their there which would could about after before said says will also more than
    januar februar märz juni juli oktober dezember montag dienstag mittwoch donnerstag freitag
    samstag sonntag heute gestern morgen""",
    )
)


def words(text: str) -> list[str]:
    """The content words of ``text`` (lowercase, calendar words left out)."""
    return [w for w in (m.group().lower() for m in _WORD.finditer(text)) if w not in _CALENDAR]


@dataclass
class Vocabulary:
    """Document frequencies and TF-IDF vectors of a corpus, with an inverted index."""

    n: int
    df: Counter[str]
    vectors: list[dict[str, float]]
    postings: dict[str, list[tuple[int, float]]] = field(default_factory=dict)

    @classmethod
    def build(cls, texts: Sequence[str], max_df: float = 0.5) -> Vocabulary:
        counts = [Counter(words(t)) for t in texts]
        df: Counter[str] = Counter()
        for c in counts:
            df.update(c.keys())
        n = len(texts)
        limit = max(2, int(max_df * n))
        vectors = []
        for c in counts:
            v = {w: (1 + math.log(k)) * math.log(n / df[w]) for w, k in c.items() if 2 <= df[w] <= limit}
            norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
            vectors.append({w: x / norm for w, x in v.items()})
        postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for i, v in enumerate(vectors):
            for w, x in v.items():
                postings[w].append((i, x))
        return cls(n, df, vectors, dict(postings))

    def idf(self, word: str) -> float:
        d = self.df.get(word, 0)
        return math.log(self.n / d) if d else 0.0

    def neighbours(self, i: int, k: int = 8, query_terms: int = 60) -> list[tuple[int, float]]:
        """The ``k`` texts most similar to text ``i`` (cosine of TF-IDF vectors; the query uses
        its ``query_terms`` strongest words, which keeps this fast on large corpora)."""
        v = self.vectors[i]
        top = sorted(v.items(), key=lambda kv: -kv[1])[:query_terms]
        acc: dict[int, float] = defaultdict(float)
        for w, x in top:
            for j, y in self.postings.get(w, ()):
                if j != i:
                    acc[j] += x * y
        return sorted(acc.items(), key=lambda kv: -kv[1])[:k]


@dataclass(frozen=True)
class DatedSentence:
    """A sentence of article ``doc`` that names the day ``day`` (absolute or resolved)."""

    doc: int
    day: date
    words: frozenset[str]


def happening_keys(
    vocab: Vocabulary, dated: Iterable[DatedSentence], min_docs: int = 2, share: float = 0.2
) -> dict[str, tuple[date, float]]:
    """Words that name a dated happening, with its day and how specific the word is to it.

    Among the articles whose dated sentences contain the word, the happening's day is the
    earliest day (±1) named by at least ``min_docs`` of them and by ``share`` of them (a
    happening is reported from its day on, so later days co-occur with its words too);
    the specificity is the share of those articles naming that day. ("earthquake" -> the day
    of the quake, "funeral" -> the day of the funeral.)"""
    by_word: dict[str, set[tuple[date, int]]] = defaultdict(set)
    for s in dated:
        for w in s.words:
            by_word[w].add((s.day, s.doc))
    keys: dict[str, tuple[date, float]] = {}
    for w, hits in by_word.items():
        if vocab.df.get(w, 0) < 3:
            continue
        docs_all = {doc for _d, doc in hits}
        need = max(min_docs, share * len(docs_all))
        for d in sorted({d for d, _ in hits}):
            docs = {doc for dd, doc in hits if abs((dd - d).days) <= 1}
            if len(docs) >= need:
                keys[w] = (d, len(docs) / len(docs_all))
                break
    return keys
