"""Full-text ranking for hybrid search: an inverted index of postings that NumPy scores with BM25.

Why not FTS5's ``bm25()``: FTS5 evaluates it for *every* row that matches before it can sort,
at 2-3 µs a row (measured: 50 ms for two words that occur in 17k of 100k documents, 300 ms for
three), so a query with one common word costs seconds at a million documents. Here each term's
postings are packed arrays — document rowids (uint32) and term frequencies (uint16) — stored in
a few blobs; a query reads them, scores exact BM25 for all of them at once (k1 = 1.2, b = 0.75,
Lucene's idf ``ln(1 + (N - df + 0.5) / (df + 0.5))``; title words count twice), and picks the
best with ``argpartition``. The cost is linear in the postings read, at memory speed.

What bounds it on a large corpus: a term that more than ``COMMON`` of the documents hold (and
more than ``COMMON_FLOOR`` documents: below that it costs nothing) is left out of a query that
has rarer terms, as the PostgreSQL store does. Its idf is small (ln 4 at most, against ln 10 for
a term in one document of ten), so it barely reorders the documents the rarer terms find, but
reading and scoring its postings cost most of the query ("plan" in 97% of the benchmark's
documents). A query of common terms only is ranked by all of them.

Two term spaces share the index: ``WORDS`` (surface words, lower-cased and accent-folded, as
FTS5's ``unicode61 remove_diacritics`` tokenizer makes them) and ``STEMS`` (Snowball stems in
each document's language, see ``stems.py``).

Storage (SQLite migration 3; everything here is derived from ``documents`` and can be rebuilt):

- ``search_segments``: documents indexed together; ``lens`` packs (rowid, length) pairs and
  ``ids`` holds their document ids (so ranked rowids become ids without reading any row);
- ``search_postings``: one row per term and segment;
- ``search_dead``: (rowid, segment) pairs deleted since the segment was written;
- ``search_queue``: rowids whose postings are due, filled by triggers on ``documents`` (insert,
  change of title/text/language, delete), so keeping up costs one indexed look-up per search.

Segments grow like an LSM tree: :meth:`PostingIndex.sync` indexes queued documents into new
level-0 segments and merges ``FANOUT`` segments of one level into one of the next (dropping
dead postings), so a term has a few rows however large the corpus. A document re-indexed after
a change lives in the newest segment that lists it; ``home[rowid]`` (in memory) names that
segment, and a posting counts only in its document's home segment.
"""

from __future__ import annotations

import json
import math
import threading
import weakref
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from .stems import fold_word, stem_words, words

WORDS, STEMS = 0, 1
K1, B = 1.2, 0.75
TITLE_WEIGHT = 2
BATCH = 4000  # documents per level-0 segment
FANOUT = 8  # segments of one level merged into one of the next
COMMON = 0.25  # share of the documents above which a term is left out beside rarer ones
COMMON_FLOOR = 20_000  # ... if it is in more documents than this


@dataclass
class Ranking:
    """Every document a query's terms reach: rowids and BM25 scores (unsorted), best-first on demand."""

    rows: np.ndarray
    scores: np.ndarray

    def __len__(self) -> int:
        return int(self.rows.shape[0])

    def restrict(self, rowids: Iterable[int]) -> Ranking:
        """The same ranking over ``rowids`` only."""
        allowed = rowids if isinstance(rowids, np.ndarray) else np.fromiter(rowids, dtype=np.int64)
        if not len(allowed) or not len(self):
            return Ranking(self.rows[:0], self.scores[:0])
        mask = np.zeros(int(max(allowed.max(), self.rows.max())) + 1, dtype=bool)  # a gather, not a sort
        mask[allowed] = True
        keep = mask[self.rows]
        return Ranking(self.rows[keep], self.scores[keep])

    def keep(self, mask: np.ndarray, default: bool = False) -> Ranking:
        """The same ranking over the rowids where ``mask`` (a boolean array by rowid) is True;
        rowids beyond the mask count as ``default``."""
        inside = self.rows < len(mask)
        keep = np.full(len(self), default, dtype=bool)
        keep[inside] = mask[self.rows[inside]]
        return Ranking(self.rows[keep], self.scores[keep])

    def order(self, k: int, start: int = 0) -> np.ndarray:
        """Positions of ranks ``start`` .. ``start + k`` (ties broken by rowid, so pages are stable)."""
        n = len(self)
        end = min(n, start + k)
        if end <= start:
            return np.zeros(0, dtype=np.int64)
        part = np.argpartition(-self.scores, end - 1)[:end] if end < n else np.arange(n)
        return part[np.lexsort((self.rows[part], -self.scores[part]))][start:end]

    def top(self, k: int, start: int = 0) -> list[tuple[int, float]]:
        """(rowid, score) of ranks ``start`` .. ``start + k``."""
        o = self.order(k, start)
        return list(zip(self.rows[o].tolist(), self.scores[o].tolist(), strict=True))

    def top_rows(self, k: int, start: int = 0) -> np.ndarray:
        """The rowids of ranks ``start`` .. ``start + k``."""
        return self.rows[self.order(k, start)]


def doc_terms(title: str, text: str, lang: str) -> tuple[Counter[str], Counter[str], int]:
    """Term frequencies of one document in both spaces (title words twice) and its length."""
    t_words, x_words = words(title), words(text)
    counts = Counter(x_words)
    for w in t_words:
        counts[w] += TITLE_WEIGHT
    distinct = list(counts)
    surface: Counter[str] = Counter()
    stemmed: Counter[str] = Counter()
    for w, st in zip(distinct, stem_words(distinct, lang), strict=True):
        n = counts[w]
        surface[fold_word(w)] += n
        stemmed[fold_word(st)] += n
    return surface, stemmed, len(t_words) + len(x_words)


class PostingIndex:
    """The posting index of one SQLite store (see the module docstring)."""

    _by_store: ClassVar[weakref.WeakKeyDictionary[Any, PostingIndex]] = weakref.WeakKeyDictionary()
    _guard = threading.Lock()

    def __init__(self, store: Any) -> None:
        self.store = store
        self._lock = threading.RLock()
        self._signature: tuple[int, ...] | None = None
        self.home = np.zeros(0, dtype=np.int64)  # rowid -> segment holding its postings, -1 none
        self.dl = np.zeros(0, dtype=np.float32)  # rowid -> length in words
        self.norm = np.zeros(0, dtype=np.float32)
        self.ids = np.zeros(0, dtype=object)  # rowid -> document id
        self.segments: frozenset[int] = frozenset()
        self.n_docs = 0
        self.avgdl = 1.0
        self.langs: list[str] = []

    @classmethod
    def for_store(cls, store: Any) -> PostingIndex | None:
        """The index of a SQLite store, or None for stores without one (PostgreSQL ranks in SQL)."""
        if not (hasattr(store, "conn") and hasattr(store, "_lock") and hasattr(store, "_q")):
            return None
        with cls._guard:
            idx = cls._by_store.get(store)
            if idx is None:
                idx = cls._by_store[store] = cls(store)
            return idx

    # -- keeping up with the documents table ----------------------------------------------------
    def pending(self) -> bool:
        return bool(self.store._q("SELECT EXISTS (SELECT 1 FROM search_queue)")[0][0])

    def sync(self, *, batch: int = BATCH, max_level: int | None = None) -> int:
        """Index queued documents, record deleted ones, merge segments; returns documents handled.
        ``max_level`` stops merging below that level (a search catching up merges only the small
        segments it made; the big merges are the ingest's work)."""
        done = 0
        with self._lock:
            while self.pending():
                done += self._sync_batch(batch, max_level)
            self._refresh()
        return done

    def _sync_batch(self, batch: int, max_level: int | None) -> int:
        st = self.store
        with st._lock:
            st.conn.execute("BEGIN IMMEDIATE")
            try:
                self._refresh()
                queued = [r[0] for r in st.conn.execute("SELECT rowid FROM search_queue ORDER BY rowid LIMIT ?",
                                                        (batch,))]
                rows = st.conn.execute(
                    "SELECT d.rowid, d.id, d.lang, d.title, d.text FROM documents d "
                    "WHERE d.rowid IN (SELECT value FROM json_each(?)) ORDER BY d.rowid", (json.dumps(queued),),
                ).fetchall()
                present = {r[0] for r in rows}
                dead = [(r, int(self.home[r])) for r in queued if r not in present and r < len(self.home)
                        and self.home[r] >= 0]
                st.conn.executemany("INSERT OR IGNORE INTO search_dead VALUES (?, ?)", dead)
                if rows:
                    self._write_segment(rows)
                st.conn.execute("DELETE FROM search_queue WHERE rowid IN (SELECT value FROM json_each(?))",
                                (json.dumps(queued),))
                self._signature = None
                self._refresh()
                self._merge(max_level)
            except BaseException:
                st.conn.execute("ROLLBACK")
                self._signature = None
                raise
            st.conn.execute("COMMIT")
        return len(queued)

    def _write_segment(self, rows: list[Any], level: int = 0) -> None:
        postings: dict[tuple[int, str], tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
        lens: list[int] = []
        langs: set[str] = set()
        for rowid, _, lang, title, text in rows:
            w, s, n = doc_terms(title or "", text or "", lang)
            lens += (rowid, n)
            langs.add(lang)
            for kind, counts in ((WORDS, w), (STEMS, s)):
                for term, tf in counts.items():
                    docs, tfs = postings[(kind, term)]
                    docs.append(rowid)
                    tfs.append(tf)
        c = self.store.conn
        seg = c.execute("INSERT INTO search_segments (level, docs, lens, langs, ids) VALUES (?, ?, ?, ?, ?)",
                        (level, len(rows), np.asarray(lens, dtype="<u4").tobytes(), json.dumps(sorted(langs)),
                         "\n".join(r[1] for r in rows))
                        ).lastrowid
        c.executemany(
            "INSERT INTO search_postings (kind, term, seg, n, docs, tfs) VALUES (?, ?, ?, ?, ?, ?)",
            ((k, t, seg, len(d), np.asarray(d, dtype="<u4").tobytes(), np.minimum(f, 65535).astype("<u2").tobytes())
             for (k, t), (d, f) in postings.items()),
        )

    def _merge(self, max_level: int | None = None) -> None:
        """Merge the oldest FANOUT segments of any level that has that many (within the open
        transaction), levels above ``max_level`` excepted."""
        c = self.store.conn
        top = 1 << 30 if max_level is None else max_level
        while True:
            full = c.execute("SELECT level FROM search_segments WHERE level <= ? GROUP BY level HAVING COUNT(*) >= ? "
                             "ORDER BY level LIMIT 1", (top, FANOUT)).fetchone()
            if full is None:
                return
            segs = [r[0] for r in c.execute("SELECT seg FROM search_segments WHERE level = ? ORDER BY seg LIMIT ?",
                                            (full[0], FANOUT))]
            self._merge_segments(segs, int(full[0]) + 1)
            self._signature = None
            self._refresh()

    def _merge_segments(self, segs: list[int], level: int) -> None:
        c = self.store.conn
        marks = ",".join("?" * len(segs))
        home = self.home
        lens, langs, clean = [], set(), True
        for seg, blob, lj in c.execute(f"SELECT seg, lens, langs FROM search_segments WHERE seg IN ({marks}) "
                                       "ORDER BY seg", segs):
            pairs = np.frombuffer(blob, dtype="<u4").reshape(-1, 2)
            live = home[pairs[:, 0].astype(np.int64)] == seg
            clean &= bool(live.all())
            lens.append(pairs[live])
            langs.update(json.loads(lj))
        merged = np.concatenate(lens) if lens else np.zeros((0, 2), dtype="<u4")
        new = c.execute("INSERT INTO search_segments (level, docs, lens, langs, ids) VALUES (?, ?, ?, ?, ?)",
                        (level, len(merged), merged.astype("<u4").tobytes(), json.dumps(sorted(langs)),
                         "\n".join(self.ids[merged[:, 0].astype(np.int64)]))).lastrowid
        out: list[tuple[int, str, int, int, bytes, bytes]] = []
        cur = c.execute(f"SELECT kind, term, seg, docs, tfs FROM search_postings WHERE seg IN ({marks}) "
                        "ORDER BY kind, term, seg", segs)
        key: tuple[int, str] | None = None
        parts: list[tuple[int, bytes, bytes]] = []
        for kind, term, seg, docs, tfs in [*cur, (None, None, None, b"", b"")]:
            if (kind, term) != key:
                if key is not None and parts:
                    row = self._joined(parts, clean)
                    if row is not None:
                        out.append((key[0], key[1], new, *row))
                key, parts = (kind, term), []
            parts.append((seg, docs, tfs))
        c.execute(f"DELETE FROM search_postings WHERE seg IN ({marks})", segs)
        c.execute(f"DELETE FROM search_segments WHERE seg IN ({marks})", segs)
        c.execute(f"DELETE FROM search_dead WHERE seg IN ({marks})", segs)
        c.executemany("INSERT INTO search_postings (kind, term, seg, n, docs, tfs) VALUES (?, ?, ?, ?, ?, ?)", out)

    def _joined(self, parts: list[tuple[int, bytes, bytes]], clean: bool) -> tuple[int, bytes, bytes] | None:
        """One term's postings of several segments as one row, dead postings dropped."""
        if clean:
            docs = b"".join(p[1] for p in parts)
            return len(docs) // 4, docs, b"".join(p[2] for p in parts)
        ds, fs = [], []
        for seg, docs, tfs in parts:
            d = np.frombuffer(docs, dtype="<u4")
            keep = self.home[d.astype(np.int64)] == seg
            ds.append(d[keep])
            fs.append(np.frombuffer(tfs, dtype="<u2")[keep])
        d_all = np.concatenate(ds)
        if not len(d_all):
            return None
        return len(d_all), d_all.tobytes(), np.concatenate(fs).tobytes()

    def rebuild(self) -> int:
        """Drop every posting and index all documents again."""
        with self.store._lock:
            self.store.conn.execute("BEGIN IMMEDIATE")
            for table in ("search_postings", "search_segments", "search_dead"):
                self.store.conn.execute(f"DELETE FROM {table}")
            self.store.conn.execute("INSERT OR IGNORE INTO search_queue SELECT rowid FROM documents")
            self.store.conn.execute("COMMIT")
        self._signature = None
        return self.sync()

    # -- the in-memory view: home segment and length of each document -------------------------------
    def _refresh(self) -> None:
        """Reload ``home``/``dl`` when another process (or our own sync) changed the segments."""
        q = self.store.conn.execute
        sig = tuple(int(x) for x in q("SELECT COALESCE(MAX(seg), 0), COUNT(*), "
                                      "(SELECT COUNT(*) FROM search_dead) FROM search_segments").fetchone())
        if sig == self._signature:
            return
        segs = q("SELECT seg, lens, langs, ids FROM search_segments ORDER BY seg").fetchall()
        arrays = [(seg, np.frombuffer(blob, dtype="<u4").reshape(-1, 2)) for seg, blob, _, _ in segs]
        top = max((int(a[:, 0].max()) for _, a in arrays if len(a)), default=0)
        home = np.full(top + 1, -1, dtype=np.int64)
        dl = np.zeros(top + 1, dtype=np.float32)
        ids = np.full(top + 1, "", dtype=object)
        for (seg, a), row in zip(arrays, segs, strict=True):
            home[a[:, 0]] = seg
            dl[a[:, 0]] = a[:, 1]
            if len(a) and row[3]:
                ids[a[:, 0]] = row[3].split("\n")
            elif len(a):  # a segment written without its ids: read them once
                ids[a[:, 0]] = [self._id_of(int(r)) for r in a[:, 0]]
        dead = q("SELECT rowid, seg FROM search_dead").fetchall()
        if dead:
            d = np.asarray(dead, dtype=np.int64)
            d = d[d[:, 0] <= top]
            hit = d[home[d[:, 0]] == d[:, 1], 0]
            home[hit] = -1
        live = home >= 0
        self.home, self.dl, self.ids = home, dl, ids
        self.n_docs = int(live.sum())
        self.avgdl = float(dl[live].mean()) if self.n_docs else 1.0
        self.norm = (K1 * (1 - B + B * dl / self.avgdl)).astype(np.float32)  # BM25's length part, per document
        self.langs = sorted({lang for _, _, lj, _ in segs for lang in json.loads(lj)})
        self.segments = frozenset(seg for seg, _ in arrays)
        self._signature = sig

    def _id_of(self, rowid: int) -> str:
        r = self.store.conn.execute("SELECT id FROM documents WHERE rowid = ?", (rowid,)).fetchone()
        return str(r[0]) if r else ""

    def ensure_current(self) -> None:
        """Cheap before every search: index what the queue holds, reload what others changed.
        A database another process keeps busy (or a read-only file) is searched as indexed so far."""
        import sqlite3

        with self._lock:
            if self.pending():
                try:
                    self.sync(max_level=0)
                    return
                except sqlite3.OperationalError:
                    pass  # "database is locked" / "readonly database": the next search catches up
            with self.store._lock:
                self._refresh()

    # -- ranking -----------------------------------------------------------------------------------------
    def document_counts(self, kind: int, terms: list[str]) -> dict[str, int]:
        """How many documents hold each term (postings in segments we know, dead ones included:
        an estimate that the next merge makes exact). Reads no postings."""
        known = self.segments
        counts: dict[str, int] = {}
        for term, seg, n in self.store._q(
                f"SELECT term, seg, n FROM search_postings WHERE kind = ? AND term IN ({','.join('?' * len(terms))})",
                [kind, *terms]):
            if seg in known:
                counts[term] = counts.get(term, 0) + int(n)
        return counts

    def uncommon(self, kind: int, terms: list[str], common: float | None = None, floor: int | None = None) -> list[str]:
        """``terms`` without those in more than ``common`` of the documents (and more than
        ``floor``; both default to the module's), unless that would leave none (see the module
        docstring)."""
        if len(terms) < 2:
            return terms
        limit = max((COMMON if common is None else common) * self.n_docs, COMMON_FLOOR if floor is None else floor)
        counts = self.document_counts(kind, terms)
        keep = [t for t in terms if counts.get(t, 0) <= limit]
        return keep or terms

    def rank(self, kind: int, terms: Iterable[str], *, prune: bool = True) -> Ranking:
        """BM25 of every live document that contains any of ``terms`` (each counted once); with
        ``prune``, the common terms of a query that has rarer ones are left out (:meth:`uncommon`)."""
        self.ensure_current()
        terms = sorted(set(terms))
        if not terms or not self.n_docs:
            return Ranking(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32))
        if prune:
            terms = self.uncommon(kind, terms)
        home, norm, n = self.home, self.norm, self.n_docs
        docs_all, scores_all = [], []
        rows = self.store._q(
            "SELECT term, seg, docs, tfs FROM search_postings WHERE kind = ? AND term IN "
            f"({','.join('?' * len(terms))}) ORDER BY term", [kind, *terms])
        by_term: dict[str, list[tuple[np.ndarray, np.ndarray]]] = defaultdict(list)  # live postings per term
        known = self.segments
        for term, seg, docs, tfs in rows:
            if seg not in known:  # written by another process since our refresh: seen on the next search
                continue
            d = np.frombuffer(docs, dtype="<u4")
            tf = np.frombuffer(tfs, dtype="<u2")
            live = home[d] == seg
            by_term[term].append((d, tf) if live.all() else (d[live], tf[live]))
        for parts in by_term.values():
            d = np.concatenate([p[0] for p in parts]) if len(parts) > 1 else parts[0][0]
            tf = (np.concatenate([p[1] for p in parts]) if len(parts) > 1 else parts[0][1]).astype(np.float32)
            df = len(d)
            if not df:
                continue
            weight = math.log1p((n - df + 0.5) / (df + 0.5)) * (K1 + 1)  # idf, and BM25's numerator constant
            docs_all.append(d)
            scores_all.append(weight * tf / (tf + norm[d]))
        if not docs_all:
            return Ranking(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32))
        if len(docs_all) == 1:
            return Ranking(docs_all[0].astype(np.int64), scores_all[0])
        acc = np.bincount(np.concatenate(docs_all), weights=np.concatenate(scores_all), minlength=len(home))
        hit = np.flatnonzero(acc)
        return Ranking(hit, acc[hit].astype(np.float32))
