"""Where one search may look: its filter and its must-match conditions, applied to every ranker
at the cost each allows.

Filter conditions on the documents' own columns (language, dates, event, story) are checked on
candidates in SQL, through the covering index; those on other tables (source, entity) are
looked up per candidate by the document's id (``per_row``), and fetched as a set through their
own indexes only when the filter is narrow (:meth:`Scope.rowids`).

The query's must-match conditions (``syntax.py``: phrases, prefixes, exclusions) are answered
once per search by the full-text index. On SQLite FTS5 hands over the rowids of the documents
that hold every phrase and prefix and no excluded phrase (for exclusions alone: the rowids to
leave out) as one string, which NumPy reads into a mask by rowid; a posting-index ranking is
then restricted by one gather and a candidate of the other rankers by one look-up. What that
costs is FTS5's work, linear in the postings of the phrase's words, in C. When a phrase keeps the
match set small (``RANK_MATCHES``), FTS5 also ranks it with ``bm25()``, which counts the phrase
where it occurs: the ranker that only positions allow. On PostgreSQL the conditions are part of
the filter's SQL (``store.shapes.doc_where``), checked on each row's tsvector, and the store ranks
the match set with ``ts_rank`` (``store.match_text``).

A narrow filter's documents cost what they number to fetch (a source filter matching a sixth of
a million documents: about 0.1 s of CPU, FTS5 reading the postings of its trigrams; the source
part comes from the trigram index as rowids, the rest of the filter from the documents' indexes,
intersected in NumPy), so on SQLite the sets are kept, as search engines keep filter bitsets: a few per store, each valid while the
database's change token (``sql.change_token``: other connections' commits, this connection's
changed rows) stays the same, so a write anywhere drops them all.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import weakref
from collections import OrderedDict
from dataclasses import replace
from typing import Any

import numpy as np

from ..errors import StoreError
from ..store import DocFilter, TextMatch
from ..store.fts import fts_match, fts_negative, trigram_phrase
from ..store.shapes import source_by_trigrams
from .sql import card, change_token, passing, rows, where

RANK_MATCHES = 5000  # a match set up to this size is ranked by the full-text index as well
EXACT_VECTORS = 2000  # allowed documents up to this many: the vector ranker scores each of them
CHECK_MATCHES = 50_000  # the filter is checked on the match set (else the filter's set is fetched)
KEPT_SETS = 8  # filter sets kept per store
KEPT_ROWIDS = 4_000_000  # ... holding at most this many rowids in all (8 bytes each)

_kept: weakref.WeakKeyDictionary[Any, tuple[Any, OrderedDict[tuple[Any, ...], np.ndarray]]] = weakref.WeakKeyDictionary()
_kept_lock = threading.Lock()


def forget_kept(store: Any) -> None:
    """Drop the filter sets kept for ``store`` (they are also dropped by any write)."""
    with _kept_lock:
        _kept.pop(store, None)


def kept_rowids(store: Any, cond: str, args: list[Any], source: str | None = None) -> np.ndarray | None:
    """The rowids :func:`filter_rowids` keeps for these arguments, if it does (and they are current)."""
    token = change_token(store)
    if token is None:
        return None
    key = (cond, source, *args)
    with _kept_lock:
        held = _kept.get(store)
        if held is not None and held[0] == token and key in held[1]:
            held[1].move_to_end(key)
            return held[1][key]
    return None


def _source_rowids(store: Any, source: str) -> np.ndarray:
    """The rowids of the documents one of whose sources holds ``source``, from the trigram index
    (``store.shapes.source_where``): the index's own rowids, no look-up in the documents table."""
    found = store._q("SELECT group_concat(rowid) FROM doc_sources_fts WHERE doc_sources_fts MATCH ?",
                     (trigram_phrase(source),))[0][0]
    return np.sort(np.fromstring(found, dtype=np.int64, sep=",")) if found else np.zeros(0, dtype=np.int64)


def filter_rowids(store: Any, cond: str, args: list[Any], source: str | None = None) -> np.ndarray:
    """The rowids of the documents that pass ``cond`` (from ``sql.where``) and, when ``source``
    is given (SQLite), hold it in a source (:func:`_source_rowids`), sorted; kept while the
    store's change token stays the same (see the module docstring)."""
    kept = kept_rowids(store, cond, args, source)
    if kept is not None:
        return kept
    token = change_token(store)
    out: np.ndarray | None = _source_rowids(store, source) if source else None
    if cond or out is None:
        found = rows(store, "SELECT d.rowid FROM documents d" + (f" WHERE {cond}" if cond else "") + " ORDER BY d.rowid",
                     args)
        rest = np.fromiter((int(r[0]) for r in found), dtype=np.int64, count=len(found))
        out = rest if out is None else np.intersect1d(out, rest, assume_unique=True)
    out.flags.writeable = False  # shared by the searches that find it kept
    if token is None or change_token(store) != token:  # written meanwhile: do not keep
        return out
    with _kept_lock:
        held = _kept.get(store)
        if held is None or held[0] != token:
            held = (token, OrderedDict())
            _kept[store] = held
        sets = held[1]
        sets[(cond, source, *args)] = out
        while len(sets) > KEPT_SETS or (len(sets) > 1 and sum(len(v) for v in sets.values()) > KEPT_ROWIDS):
            sets.popitem(last=False)
    return out


class Scope:
    """One search's filter and must-match conditions (see the module docstring). ``local``: the
    conditions are answered here through FTS5 (SQLite); else they join the filter's SQL."""

    def __init__(self, store: Any, flt: DocFilter | None, match: TextMatch | None, *, local: bool) -> None:
        self.store = store
        self.match = match
        self.local = local
        base = replace(flt or DocFilter(), match=None)
        self.filter = base  # the filter alone
        self.flt = replace(base, match=match)  # the filter and the conditions, for the store's own rankers
        rest = base if local else self.flt
        self.cond, self.args = where(store, rest, per_row=True)
        # the filter's set: on SQLite a source filter comes from its trigram index's own rowids
        self._source = rest.source if local and rest.source and source_by_trigrams(rest.source) else None
        self._set_cond = (*where(store, replace(rest, source=None) if self._source else rest), self._source)
        self.mask: np.ndarray | None = None  # rowid -> may be returned (the text conditions, SQLite)
        self.matched: np.ndarray | None = None  # rowids holding every phrase and prefix (SQLite)
        self._rowids: np.ndarray | None = None
        if local and match:
            self._answer(match)

    # -- the text conditions on SQLite ---------------------------------------------------------------
    def _fts_rowids(self, expr: str) -> np.ndarray:
        try:
            found = self.store._q("SELECT group_concat(rowid) FROM documents_fts WHERE documents_fts MATCH ?",
                                  (expr,))[0][0]
        except sqlite3.OperationalError as exc:
            raise StoreError(f"cannot search for {expr!r}: {exc}") from exc
        return np.fromstring(found, dtype=np.int64, sep=",") if found else np.zeros(0, dtype=np.int64)

    def _answer(self, match: TextMatch) -> None:
        top = int(self.store._q("SELECT COALESCE(MAX(rowid), 0) FROM documents")[0][0])
        expr = fts_match(match)
        if expr:
            self.matched = np.sort(self._fts_rowids(expr))
            self.mask = np.zeros(top + 1, dtype=bool)
            self.mask[self.matched[self.matched <= top]] = True
        elif fts_negative(match):
            self.mask = np.ones(top + 1, dtype=bool)
            out = self._fts_rowids(fts_negative(match))
            self.mask[out[out <= top]] = False

    @property
    def matches(self) -> int | None:
        """How many documents hold every phrase and prefix (None: nothing must occur, or not known here)."""
        return None if self.matched is None else len(self.matched)

    # -- applying the scope ---------------------------------------------------------------------------
    def allowed(self, rowids: np.ndarray) -> np.ndarray:
        """Which of ``rowids`` the text conditions allow (a document written since they were
        answered: only when nothing had to occur)."""
        if self.mask is None:
            return np.ones(len(rowids), dtype=bool)
        inside = rowids < len(self.mask)
        out = np.full(len(rowids), self.matched is None, dtype=bool)
        out[inside] = self.mask[rowids[inside]]
        return out

    def restrict(self, ranking: Any) -> Any:
        """A posting-index ranking without the documents the text conditions rule out."""
        return ranking if self.mask is None else ranking.keep(self.mask, default=self.matched is None)

    def passing(self, ids: list[str]) -> list[str]:
        """The ids (order kept) of documents within the scope."""
        if self.mask is None:
            return passing(self.store, ids, self.cond, self.args)
        if not ids:
            return []
        sql = (f"SELECT d.id, d.rowid FROM documents d{card(self.store)} WHERE d.id IN (SELECT value FROM json_each(?))"
               + (f" AND {self.cond}" if self.cond else ""))
        found = rows(self.store, sql, [json.dumps(ids), *self.args])
        ok = self.allowed(np.asarray([int(r[1]) for r in found], dtype=np.int64))
        keep = {r[0] for r, yes in zip(found, ok, strict=True) if yes}
        return [d for d in ids if d in keep]

    def rowids(self) -> np.ndarray:
        """Every rowid within the scope (fetched once): the filter's documents through their
        indexes, or the match set checked against the filter when that is smaller."""
        if self._rowids is not None:
            return self._rowids
        if self.matched is not None and (not self.cond or len(self.matched) <= CHECK_MATCHES):
            out = self.matched
            if self.cond:
                found = rows(self.store, "SELECT d.rowid FROM documents d WHERE d.rowid IN (SELECT value FROM json_each(?)) "
                             f"AND {self.cond}", [json.dumps(out.tolist()), *self.args])
                out = np.asarray(sorted(int(r[0]) for r in found), dtype=np.int64)
        else:
            out = filter_rowids(self.store, *self._set_cond)
            if self.mask is not None:
                out = out[self.allowed(out)]
        self._rowids = out
        return out

    def kept(self) -> np.ndarray | None:
        """Every rowid within the scope when that costs no query: fetched earlier in this
        search, or the filter's set kept by an earlier search (and no text condition)."""
        if self._rowids is None and self.mask is None and self.cond:
            self._rowids = kept_rowids(self.store, *self._set_cond)
        return self._rowids

    def few_ids(self) -> list[str] | None:
        """The ids of every document within the scope when the text conditions leave at most
        ``EXACT_VECTORS`` of them (None otherwise)."""
        if self.matched is None or len(self.matched) > CHECK_MATCHES:
            return None
        allowed = self.rowids()
        if len(allowed) > EXACT_VECTORS:
            return None
        found = rows(self.store, "SELECT id FROM documents WHERE rowid IN (SELECT value FROM json_each(?))",
                     [json.dumps(allowed.tolist())])
        return sorted(r[0] for r in found)

    def ranked_matches(self, depth: int) -> list[str] | None:
        """The ``depth`` best documents by the full-text index's own ranking of the conditions
        (phrases counted where they occur), filtered; None when nothing must occur, or when the
        match set is too large to rank that way."""
        if self.match is None or not self.match.positive:
            return None
        ranker = getattr(self.store, "match_text", None)
        if not callable(ranker):
            return None
        if not self.local:
            return [d for d, _ in ranker(self.match, limit=depth, flt=self.filter)]
        if self.matched is None or len(self.matched) > RANK_MATCHES:
            return None
        ids = [d for d, _ in ranker(self.match, limit=max(len(self.matched), 1))]
        return passing(self.store, ids, self.cond, self.args)[:depth]
