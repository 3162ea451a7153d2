"""A second full-text index over the same documents, with language-aware stemming.

The store's own FTS5 table (``documents_fts``) matches surface words only: "talks" does not find
"talk", "Gespräche" does not find "Gespräch". This module keeps a companion FTS5 table,
``search_stems``, whose columns hold each document's words reduced to their Snowball stems *in
the document's language*, and turns a query into stems in every language the corpus holds (a
query's language cannot be told from two or three words).

The table is ours, not the store's: it is created on first use and kept in step with the
``documents`` table lazily, before each search (new documents are stemmed, deleted ones
dropped). Its rowids are the documents' rowids, so the check is two cheap aggregate queries.
Stores without a SQLite connection simply have no stemmed index (``StemIndex.for_store`` returns
None) and search falls back to the store's own full-text search.
"""

from __future__ import annotations

import re
import threading
import unicodedata
import weakref
from collections.abc import Iterable
from functools import lru_cache
from typing import Any, ClassVar

from ..errors import ModelUnavailable, StoreError

# ISO 639-1 code -> Snowball algorithm name
SNOWBALL = {
    "ar": "arabic", "ca": "catalan", "cs": "czech", "da": "danish", "de": "german", "el": "greek",
    "en": "english", "es": "spanish", "et": "estonian", "eu": "basque", "fi": "finnish", "fr": "french",
    "ga": "irish", "hi": "hindi", "hu": "hungarian", "hy": "armenian", "id": "indonesian", "it": "italian",
    "lt": "lithuanian", "ne": "nepali", "nl": "dutch", "no": "norwegian", "nb": "norwegian", "nn": "norwegian",
    "pl": "polish", "pt": "portuguese", "ro": "romanian", "ru": "russian", "sr": "serbian", "sv": "swedish",
    "ta": "tamil", "tr": "turkish", "yi": "yiddish",
}

_WORD = re.compile(r"\w+", re.UNICODE)
_SCHEMA = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_stems USING fts5("
    "title, text, tokenize = 'unicode61 remove_diacritics 2')"
)


@lru_cache(maxsize=64)
def _stemmer(lang: str) -> Any | None:
    algo = SNOWBALL.get(lang)
    if algo is None:
        return None
    try:
        import snowballstemmer
    except ImportError as exc:  # pragma: no cover - a declared dependency of the search module
        raise ModelUnavailable("stemmed search needs the 'snowballstemmer' package: pip install snowballstemmer") from exc
    return snowballstemmer.stemmer(algo)


def words(text: str) -> list[str]:
    """Lower-cased word tokens (letters and digits; underscores dropped)."""
    return [w for w in (m.group(0).casefold() for m in _WORD.finditer(text or "")) if w.strip("_")]


_STEMS: dict[str, dict[str, str]] = {}  # lang -> word -> stem (news vocabulary is Zipfian: most words repeat)
_STEMS_MAX = 200_000


def stem_words(ws: Iterable[str], lang: str) -> list[str]:
    st = _stemmer(lang)
    ws = list(ws)
    if st is None:
        return ws
    cache = _STEMS.setdefault(lang, {})
    out = []
    for w in ws:
        s = cache.get(w)
        if s is None:
            s = st.stemWord(w)
            if len(cache) < _STEMS_MAX:
                cache[w] = s
        out.append(s)
    return out


def stem_text(text: str, lang: str) -> str:
    """The stemmed form of a text, one stem per word, for indexing."""
    return " ".join(stem_words(words(text), lang))


def _fold(w: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", w) if not unicodedata.combining(c))


def query_terms(query: str, langs: Iterable[str]) -> list[set[str]]:
    """For each query word, the set of its stems in each of ``langs`` (and the word itself)."""
    langs = [lang for lang in dict.fromkeys(langs) if lang in SNOWBALL]
    out: list[set[str]] = []
    for w in words(query)[:32]:
        forms = {_fold(w)}
        for lang in langs:
            forms.add(_fold(stem_words([w], lang)[0]))
        out.append({f for f in forms if f})
    return [f for f in out if f]


def match_expression(groups: list[set[str]]) -> str:
    """An FTS5 MATCH string: each word's alternatives OR'ed; words OR'ed (BM25 ranks)."""
    parts = []
    for forms in groups:
        alts = " OR ".join('"' + f.replace('"', "") + '"' for f in sorted(forms))
        parts.append(f"({alts})" if len(forms) > 1 else alts)
    return " OR ".join(parts)


class StemIndex:
    """The ``search_stems`` table of one SQLite store."""

    _by_store: ClassVar[weakref.WeakKeyDictionary[Any, StemIndex]] = weakref.WeakKeyDictionary()
    _guard = threading.Lock()

    # a query word found in more than this share of the documents is dropped from the match when
    # the query has rarer words (it barely moves BM25 but makes SQLite score most of the corpus)
    COMMON = 0.25

    def __init__(self, store: Any) -> None:
        self.store = store
        self._synced: tuple[int, int] | None = None
        self._langs: list[str] = []
        self.n_docs = 0
        with store._lock:
            store.conn.execute(_SCHEMA)
            # per-connection views of the term statistics (temp: nothing is added to the file)
            store.conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_stems_vocab "
                               "USING fts5vocab(main, 'search_stems', 'row')")
            store.conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_words_vocab "
                               "USING fts5vocab(main, 'documents_fts', 'row')")

    @classmethod
    def for_store(cls, store: Any) -> StemIndex | None:
        """The stemmed index of a SQLite store (created on first use), or None for other stores."""
        if not (hasattr(store, "conn") and hasattr(store, "_lock") and hasattr(store, "_q")):
            return None
        with cls._guard:
            idx = cls._by_store.get(store)
            if idx is None:
                idx = cls._by_store[store] = cls(store)
            return idx

    # -- keeping in step with the documents table ---------------------------------------------
    def _signature(self) -> tuple[int, int]:
        row = self.store._q("SELECT COUNT(*), COALESCE(MAX(rowid), 0) FROM documents")[0]
        return int(row[0]), int(row[1])

    def sync(self, *, batch: int = 500) -> int:
        """Stem documents that are not indexed yet and drop deleted ones; returns how many changed."""
        sig = self._signature()
        if sig == self._synced:
            return 0
        changed = 0
        st = self.store
        with st._lock:
            have = st.conn.execute("SELECT COUNT(*) FROM search_stems").fetchone()[0]
            top = st.conn.execute("SELECT COALESCE(MAX(rowid), 0) FROM search_stems").fetchone()[0]
            if have - (sig[0] - self._count_new(top)) > 0:  # some indexed documents were deleted
                changed += st.conn.execute(
                    "DELETE FROM search_stems WHERE rowid NOT IN (SELECT rowid FROM documents)"
                ).rowcount
                top = st.conn.execute("SELECT COALESCE(MAX(rowid), 0) FROM search_stems").fetchone()[0]
            while True:
                rows = st.conn.execute(
                    "SELECT rowid, lang, title, text FROM documents WHERE rowid > ? ORDER BY rowid LIMIT ?",
                    (top, batch),
                ).fetchall()
                if not rows:
                    break
                data = [(r[0], stem_text(r[2] or "", r[1]), stem_text(r[3], r[1])) for r in rows]
                st.conn.execute("BEGIN IMMEDIATE")
                try:
                    st.conn.executemany("INSERT INTO search_stems (rowid, title, text) VALUES (?,?,?)", data)
                except BaseException:
                    st.conn.execute("ROLLBACK")
                    raise
                st.conn.execute("COMMIT")
                changed += len(rows)
                top = rows[-1][0]
        self._synced = sig
        self.n_docs = sig[0]
        self._langs = [r[0] for r in st._q("SELECT DISTINCT lang FROM documents")]
        return changed

    def _count_new(self, top: int) -> int:
        return int(self.store.conn.execute("SELECT COUNT(*) FROM documents WHERE rowid > ?", (top,)).fetchone()[0])

    def rebuild(self) -> int:
        """Drop and re-stem everything (after documents were re-cleaned in place)."""
        with self.store._lock:
            self.store.conn.execute("DELETE FROM search_stems")
        self._synced = None
        return self.sync()

    # -- searching ------------------------------------------------------------------------------
    def _df(self, vocab: str, term: str) -> int:
        rows = self.store._q(f"SELECT doc FROM temp.{vocab} WHERE term = ?", (term,))
        return int(rows[0][0]) if rows else 0

    def _keep(self, dfs: list[int]) -> list[bool]:
        """Which query words to keep: all, unless some are common and others are not."""
        limit = self.COMMON * max(self.n_docs, 1)
        keep = [df <= limit for df in dfs]
        return keep if any(keep) and self.n_docs >= 1000 else [True] * len(dfs)

    def prune_common_words(self, query: str) -> str:
        """The query without words most documents contain (for the store's surface-word index)."""
        self.sync()
        ws = words(query)[:32]
        if len(ws) < 2:
            return query
        keep = self._keep([self._df("search_words_vocab", _fold(w)) for w in ws])
        return " ".join(w for w, k in zip(ws, keep, strict=True) if k)

    def search(self, query: str, *, where: str = "", args: Iterable[Any] = (), limit: int = 200) -> list[tuple[str, float]]:
        """(doc_id, score) best first; ``where``/``args`` filter the documents (alias ``d``)."""
        self.sync()
        groups = query_terms(query, self._langs)
        if len(groups) > 1:
            keep = self._keep([max(self._df("search_stems_vocab", f) for f in g) for g in groups])
            groups = [g for g, k in zip(groups, keep, strict=True) if k]
        expr = match_expression(groups)
        if not expr:
            return []
        sql = (
            "SELECT d.id, bm25(search_stems, 2.0, 1.0) AS s FROM search_stems "
            "JOIN documents d ON d.rowid = search_stems.rowid WHERE search_stems MATCH ? "
            + (f"AND {where} " if where else "")
            + "ORDER BY s LIMIT ?"
        )
        import sqlite3

        try:
            rows = self.store._q(sql, [expr, *args, limit])
        except sqlite3.OperationalError as exc:
            raise StoreError(f"cannot search for {query!r}: {exc}") from exc
        return [(r[0], -float(r[1])) for r in rows]
