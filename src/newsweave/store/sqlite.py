"""The embedded default store: one SQLite file, WAL mode, FTS5 over clean text (kept by triggers).

All writes go through one connection under a lock (one writer); each document and all its
stage outputs are written in a single ``BEGIN IMMEDIATE`` transaction, so a process killed at
any moment leaves either the whole document or nothing.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..errors import NotFoundError, StoreError
from ..model import DateInfo, Document, Paragraph, Removed, Sentence, Source, stable_id
from . import shapes
from .base import KINDS, DocFilter, EventRecord, LinkRecord, StoryRecord, TextMatch, WriteResult
from .schema import MIGRATIONS


def _j(v: Any) -> str:
    return json.dumps(v, ensure_ascii=False, separators=(",", ":"))


class SQLiteStore:
    """SQLite implementation of :class:`newsweave.store.base.Store`."""

    dialect = shapes.SQLITE

    def __init__(self, path: str | Path = "newsweave.db") -> None:
        self.path = str(path)
        self.url = self.path
        if self.path != ":memory:":
            parent = Path(self.path).expanduser().resolve().parent
            if not parent.is_dir():
                raise StoreError(f"cannot open database {self.path!r}: folder {parent} does not exist")
        try:
            self.conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=30)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open database {self.path!r}: {exc}") from exc
        self.conn.row_factory = sqlite3.Row
        self._lock = threading.RLock()
        self._in_batch = False  # a batch() is open (only ever by the thread holding _lock)
        try:
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")
            self.conn.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path!r} is not a newsweave database: {exc}") from exc

    # -- plumbing ---------------------------------------------------------------------------
    def _migrate(self) -> None:
        version = self.conn.execute("PRAGMA user_version").fetchone()[0]
        if version > len(MIGRATIONS):
            raise StoreError(
                f"{self.path!r} has schema version {version}, newer than this newsweave "
                f"({len(MIGRATIONS)}); upgrade newsweave"
            )
        for i, script in enumerate(MIGRATIONS[version:], start=version + 1):
            with self._tx():
                for stmt in script.split(";\n"):
                    if stmt.strip():
                        self.conn.execute(stmt)
                self.conn.execute(f"PRAGMA user_version={i}")

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            if self._in_batch:  # inside a batch: this write is a savepoint of its transaction
                self.conn.execute("SAVEPOINT nw_write")
                try:
                    yield self.conn
                except BaseException:
                    self.conn.execute("ROLLBACK TO nw_write")
                    self.conn.execute("RELEASE nw_write")
                    raise
                else:
                    self.conn.execute("RELEASE nw_write")
                return
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            else:
                self.conn.execute("COMMIT")

    @contextmanager
    def batch(self) -> Iterator[None]:
        """The writes inside as one transaction (see :meth:`Store.batch`). It holds the write
        lock, and this store's lock, until it ends: keep it short (the linker holds one per
        document)."""
        with self._lock:
            if self._in_batch:
                yield
                return
            self.conn.execute("BEGIN IMMEDIATE")
            self._in_batch = True
            try:
                yield
            except BaseException:
                self._in_batch = False
                self.conn.execute("ROLLBACK")
                raise
            self._in_batch = False
            self.conn.execute("COMMIT")

    def _q(self, sql: str, args: Iterable[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self.conn.execute(sql, tuple(args)).fetchall()

    def rows(self, sql: str, args: Iterable[Any] = ()) -> list[sqlite3.Row]:
        """Plain read query (the shapes module's Reader protocol)."""
        return self._q(sql, args)

    def query(self, sql: str, args: Iterable[Any] = ()) -> list[sqlite3.Row]:
        """A read query in the neutral dialect (``?`` placeholders); rows by position or name."""
        return self._q(sql, args)

    def close(self) -> None:
        with self._lock:
            self.conn.close()

    # -- documents --------------------------------------------------------------------------
    def known_raw(self, raw_sha: str, source: str) -> str | None:
        row = self._q("SELECT doc_id FROM sources WHERE raw_sha=? AND source=?", (raw_sha, source))
        return row[0][0] if row else None

    def write_document(self, doc: Document) -> WriteResult:
        did = doc.id
        with self._tx() as c:
            exists = c.execute("SELECT 1 FROM documents WHERE id=?", (did,)).fetchone()
            if not exists:
                self._insert_document(c, doc)
                self._insert_outputs(c, doc)
            self._insert_sources(c, did, doc)
        return WriteResult(did, "duplicate" if exists else "new")

    def replace_outputs(self, doc: Document) -> None:
        did = doc.id
        with self._tx() as c:
            if not c.execute("SELECT 1 FROM documents WHERE id=?", (did,)).fetchone():
                raise NotFoundError("document", did)
            for table in ("mentions", "quotes", "times", "vectors"):
                c.execute(f"DELETE FROM {table} WHERE doc_id=?", (did,))
            c.execute(
                "UPDATE documents SET title=?, lang=?, lang_confidence=?, paragraphs=?, sentences=?, "
                "published=?, published_value=?, event_date=?, stage_versions=? WHERE id=?",
                (doc.title, doc.lang, doc.lang_confidence, _j([p.__dict__ for p in doc.paragraphs]),
                 _j([[s.start, s.end] for s in doc.sentences]),
                 _j(doc.published.to_dict()) if doc.published else None,
                 doc.published.value if doc.published else None,
                 _j(doc.event_date.to_dict()) if doc.event_date else None,
                 _j(doc.stage_versions), did),
            )
            self._insert_outputs(c, doc)

    def _insert_document(self, c: sqlite3.Connection, doc: Document) -> None:
        import hashlib

        c.execute(
            "INSERT INTO documents (id, raw_sha, raw, format, raw_text, text, title, lang, lang_confidence,"
            " removed, meta, paragraphs, sentences, published, published_value, event_date, stage_versions)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                doc.id, hashlib.sha256(doc.raw).hexdigest(), zlib.compress(doc.raw, 6), doc.format,
                doc.raw_text, doc.text, doc.title, doc.lang, doc.lang_confidence,
                _j([r.__dict__ for r in doc.removed]), _j(doc.meta),
                _j([p.__dict__ for p in doc.paragraphs]), _j([[s.start, s.end] for s in doc.sentences]),
                _j(doc.published.to_dict()) if doc.published else None,
                doc.published.value if doc.published else None,
                _j(doc.event_date.to_dict()) if doc.event_date else None,
                _j(doc.stage_versions),
            ),
        )

    def _insert_sources(self, c: sqlite3.Connection, did: str, doc: Document) -> None:
        import hashlib

        sha = hashlib.sha256(doc.raw).hexdigest()
        seq = c.execute("SELECT COALESCE(MAX(seq), 0) FROM sources WHERE doc_id=?", (did,)).fetchone()[0]
        for s in doc.sources:
            seq += 1
            c.execute(
                "INSERT OR IGNORE INTO sources (doc_id, source, raw_sha, url, outlet, author, published, lang,"
                " title, extra, seq) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (did, s.source, sha, s.url, s.outlet, s.author, s.published, s.lang, s.title, _j(s.extra), seq),
            )

    def _insert_outputs(self, c: sqlite3.Connection, doc: Document) -> None:
        did = doc.id
        for ent in doc.entities.values():
            self._upsert_entity(c, ent.id, ent.key, ent.name, ent.type, ent.aliases, ent.meta)
        ent_id = {k: e.id for k, e in doc.entities.items()}
        for m in doc.mentions:
            eid = ent_id.get(m.entity_key) if m.entity_key else None
            if m.entity_key and eid is None:
                eid = stable_id("entity", m.entity_key)
            c.execute(
                "INSERT OR REPLACE INTO mentions VALUES (?,?,?,?,?,?,?,?,?)",
                (stable_id("mention", did, m.start, m.end), did, m.start, m.end, m.text, m.type, eid, m.role,
                 m.confidence),
            )
        for q in doc.quotes:
            sid = stable_id("entity", q.speaker_key) if q.speaker_key else None
            c.execute(
                "INSERT OR REPLACE INTO quotes VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (stable_id("quote", did, q.start, q.end), did, q.start, q.end, q.text, q.kind, q.cue, q.cue_start,
                 q.cue_end, q.speaker_text, q.speaker_start, q.speaker_end, sid),
            )
        for t in doc.times:
            c.execute(
                "INSERT OR REPLACE INTO times VALUES (?,?,?,?,?,?,?,?,?)",
                (stable_id("time", did, t.start, t.end), did, t.start, t.end, t.text, t.type, t.value, t.anchor,
                 t.mod),
            )
        if doc.vector is not None:
            import numpy as np

            arr = np.asarray(doc.vector, dtype="<f4")
            c.execute(
                "INSERT OR REPLACE INTO vectors VALUES (?,?,?,?)",
                (did, doc.vector_model or "unknown", int(arr.shape[0]), arr.tobytes()),
            )

    def _upsert_entity(
        self, c: sqlite3.Connection, eid: str, key: str, name: str, etype: str,
        aliases: dict[str, list[str]], meta: dict[str, Any],
    ) -> None:
        row = c.execute("SELECT aliases, meta FROM entities WHERE id=?", (eid,)).fetchone()
        if row is None:
            c.execute("INSERT INTO entities VALUES (?,?,?,?,?,?)", (eid, key, name, etype, _j(aliases), _j(meta)))
            return
        merged: dict[str, list[str]] = json.loads(row["aliases"])
        for lang, forms in aliases.items():
            have = merged.setdefault(lang, [])
            have.extend(f for f in forms if f not in have)
        old_meta = json.loads(row["meta"])
        old_meta.update(meta)
        c.execute("UPDATE entities SET aliases=?, meta=? WHERE id=?", (_j(merged), _j(old_meta), eid))

    def get_document(self, doc_id: str) -> dict[str, Any]:
        return self.get_record("documents", doc_id)

    def load_document(self, doc_id: str) -> Document:
        rows = self._q("SELECT * FROM documents WHERE id=?", (doc_id,))
        if not rows:
            raise NotFoundError("document", doc_id)
        r = rows[0]
        srcs = self._q("SELECT * FROM sources WHERE doc_id=? ORDER BY seq", (doc_id,))
        doc = Document(
            raw=zlib.decompress(r["raw"]), format=r["format"],
            sources=[Source(source=s["source"], url=s["url"], outlet=s["outlet"], author=s["author"],
                            published=s["published"], lang=s["lang"], title=s["title"], extra=json.loads(s["extra"]))
                     for s in srcs],
            raw_text=r["raw_text"], text=r["text"], title=r["title"],
            removed=[Removed(**x) for x in json.loads(r["removed"])], meta=json.loads(r["meta"]),
            lang=r["lang"], lang_confidence=r["lang_confidence"],
            paragraphs=[Paragraph(**p) for p in json.loads(r["paragraphs"])],
            sentences=[Sentence(a, b) for a, b in json.loads(r["sentences"])],
            published=DateInfo.from_dict(json.loads(r["published"]) if r["published"] else None),
            event_date=DateInfo.from_dict(json.loads(r["event_date"]) if r["event_date"] else None),
            stage_versions=json.loads(r["stage_versions"]),
        )
        doc._id = doc_id
        return doc

    def delete_document(self, doc_id: str) -> bool:
        with self._tx() as c:
            n = c.execute("DELETE FROM documents WHERE id=?", (doc_id,)).rowcount
            c.execute("DELETE FROM links WHERE src=? OR dst=?", (doc_id, doc_id))
            c.execute("DELETE FROM link_lsh WHERE doc_id=?", (doc_id,))
            c.execute("DELETE FROM link_minhash WHERE doc_id=?", (doc_id,))
        return bool(n)

    def set_document_links(self, doc_id: str, *, event_id: str | None, story_id: str | None) -> None:
        with self._tx() as c:
            c.execute("UPDATE documents SET event_id=?, story_id=? WHERE id=?", (event_id, story_id, doc_id))

    # -- records in export shapes -------------------------------------------------------------
    def iter_records(
        self, kind: str, flt: DocFilter | None = None, *, limit: int | None = None, after: str | None = None
    ) -> Iterator[dict[str, Any]]:
        if kind not in KINDS:
            raise StoreError(f"unknown kind {kind!r}; valid kinds: {', '.join(KINDS)}")
        sql, args = shapes.select(kind, flt or DocFilter(), self.dialect, after=after, limit=limit)
        for row in self._q(sql, args):
            yield shapes.shape(self, kind, row)

    def get_record(self, kind: str, ident: str) -> dict[str, Any]:
        return shapes.first_record(self.iter_records(kind, DocFilter(ids=[ident]), limit=1), kind, ident)

    def count(self, kind: str) -> int:
        if kind not in KINDS:
            raise StoreError(f"unknown kind {kind!r}; valid kinds: {', '.join(KINDS)}")
        return int(self._q(f"SELECT COUNT(*) FROM {kind}")[0][0])

    def stats(self) -> dict[str, Any]:
        out: dict[str, Any] = {k: self.count(k) for k in KINDS}
        out["sources"] = int(self._q("SELECT COUNT(*) FROM sources")[0][0])
        out["languages"] = {r[0]: r[1] for r in self._q("SELECT lang, COUNT(*) FROM documents GROUP BY lang ORDER BY 2 DESC")}
        dates = self._q("SELECT MIN(published_value), MAX(published_value) FROM documents")[0]
        out["published_range"] = [dates[0], dates[1]]
        out["dated"] = int(self._q("SELECT COUNT(*) FROM documents WHERE published_value IS NOT NULL")[0][0])
        return out

    # -- search -------------------------------------------------------------------------------
    def search_text(self, query: str, *, limit: int = 50, flt: DocFilter | None = None) -> list[tuple[str, float]]:
        """FTS5 BM25 (title words weigh twice) over the documents' title and text. Without a filter
        FTS5 ranks and cuts by itself, and only the best ``limit`` rows are looked up."""
        from .fts import fts_query

        match = fts_query(query)
        if not match:
            return []
        where, args = shapes.doc_where(flt or DocFilter(), self.dialect, alias="d")
        if where:
            sql = ("SELECT d.id, bm25(documents_fts, 2.0, 1.0) AS s FROM documents_fts f "
                   f"JOIN documents d ON d.rowid = f.rowid WHERE documents_fts MATCH ? AND {where} ORDER BY s LIMIT ?")
        else:
            sql = ("SELECT d.id, t.s FROM (SELECT rowid, bm25(documents_fts, 2.0, 1.0) AS s FROM documents_fts "
                   "WHERE documents_fts MATCH ? ORDER BY s LIMIT ?) t JOIN documents d ON d.rowid = t.rowid ORDER BY t.s")
        try:
            rows = self._q(sql, [match, *args, limit])
        except sqlite3.OperationalError as exc:
            raise StoreError(f"cannot search for {query!r}: {exc}") from exc
        return [(r[0], -float(r[1])) for r in rows]

    def match_text(self, match: TextMatch, *, limit: int = 50, flt: DocFilter | None = None) -> list[tuple[str, float]]:
        """FTS5 BM25 (title words weigh twice) of the documents that satisfy ``match``: its
        phrases and prefixes counted where they occur, in order. FTS5 scores every document that
        matches before it sorts them, so this is for match sets a phrase keeps small."""
        from .fts import fts_match

        expr = fts_match(match)
        if not expr:
            return []
        where, args = shapes.doc_where(flt or DocFilter(), self.dialect, alias="d")
        sql = ("SELECT d.id, bm25(documents_fts, 2.0, 1.0) AS s FROM documents_fts f JOIN documents d ON d.rowid = f.rowid "
               "WHERE documents_fts MATCH ? " + (f"AND {where} " if where else "") + "ORDER BY s, d.id LIMIT ?")
        try:
            rows = self._q(sql, [expr, *args, limit])
        except sqlite3.OperationalError as exc:
            raise StoreError(f"cannot search for {expr!r}: {exc}") from exc
        return [(r[0], -float(r[1])) for r in rows]

    # -- vectors, events, stories, links, state -------------------------------------------------
    def get_vectors(self, doc_ids: Iterable[str]) -> dict[str, list[float]]:
        import numpy as np

        ids = list(doc_ids)
        out: dict[str, list[float]] = {}
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            rows = self._q(f"SELECT doc_id, vec FROM vectors WHERE doc_id IN ({','.join('?' * len(chunk))})", chunk)
            out.update({r[0]: np.frombuffer(r[1], dtype="<f4").tolist() for r in rows})
        return out

    def iter_vectors(self) -> Iterator[tuple[str, list[float]]]:
        import numpy as np

        for r in self._q("SELECT doc_id, vec FROM vectors ORDER BY doc_id"):
            yield r[0], np.frombuffer(r[1], dtype="<f4").tolist()

    def put_event(self, ev: EventRecord) -> None:
        with self._tx() as c:
            c.execute(
                "INSERT OR REPLACE INTO events VALUES (?,?,?,?,?,?,?,?,?,?)",
                (ev.id, ev.title, ev.date, ev.date_start, ev.date_end, ev.place, _j(ev.participants), ev.summary,
                 ev.story_id, _j(ev.meta)),
            )
            # only the documents whose event changes are written: the linker puts an event
            # each time a document joins it, which must not rewrite every other member
            ids = _j(list(ev.doc_ids))
            c.execute("UPDATE documents SET event_id=NULL WHERE event_id=? AND id NOT IN (SELECT value FROM json_each(?))",
                      (ev.id, ids))
            c.execute("UPDATE documents SET event_id=?, story_id=? WHERE id IN (SELECT value FROM json_each(?)) "
                      "AND (event_id IS NOT ? OR story_id IS NOT ?)", (ev.id, ev.story_id, ids, ev.id, ev.story_id))

    def get_event(self, event_id: str) -> EventRecord | None:
        rows = self._q("SELECT * FROM events WHERE id=?", (event_id,))
        return shapes.event_record(self, rows[0]) if rows else None

    def delete_event(self, event_id: str) -> None:
        with self._tx() as c:
            c.execute("DELETE FROM events WHERE id=?", (event_id,))
            c.execute("UPDATE documents SET event_id=NULL WHERE event_id=?", (event_id,))

    def iter_events(self) -> Iterator[EventRecord]:
        for r in self._q("SELECT * FROM events ORDER BY date, id"):
            yield shapes.event_record(self, r)

    def put_story(self, st: StoryRecord) -> None:
        with self._tx() as c:
            c.execute("INSERT OR REPLACE INTO stories VALUES (?,?,?,?,?)",
                      (st.id, st.title, _j(st.event_ids), _j(st.actors), _j(st.meta)))
            # only the rows whose story changes (see PostgresStore.put_story)
            ids = _j(list(st.event_ids))
            c.execute("UPDATE events SET story_id=NULL WHERE story_id=? AND id NOT IN (SELECT value FROM json_each(?))",
                      (st.id, ids))
            c.execute("UPDATE documents SET story_id=NULL WHERE story_id=? "
                      "AND (event_id IS NULL OR event_id NOT IN (SELECT value FROM json_each(?)))", (st.id, ids))
            c.execute("UPDATE events SET story_id=? WHERE id IN (SELECT value FROM json_each(?)) AND story_id IS NOT ?",
                      (st.id, ids, st.id))
            c.execute("UPDATE documents SET story_id=? WHERE event_id IN (SELECT value FROM json_each(?)) "
                      "AND story_id IS NOT ?", (st.id, ids, st.id))

    def get_story(self, story_id: str) -> StoryRecord | None:
        rows = self._q("SELECT * FROM stories WHERE id=?", (story_id,))
        return shapes.story_record(rows[0]) if rows else None

    def delete_story(self, story_id: str) -> None:
        with self._tx() as c:
            c.execute("DELETE FROM stories WHERE id=?", (story_id,))
            c.execute("UPDATE events SET story_id=NULL WHERE story_id=?", (story_id,))
            c.execute("UPDATE documents SET story_id=NULL WHERE story_id=?", (story_id,))

    def iter_stories(self) -> Iterator[StoryRecord]:
        for r in self._q("SELECT * FROM stories ORDER BY id"):
            yield shapes.story_record(r)

    def put_links(self, links: Iterable[LinkRecord]) -> None:
        with self._tx() as c:
            for ln in links:
                c.execute("INSERT OR REPLACE INTO links VALUES (?,?,?,?,?)", (ln.id, ln.src, ln.dst, ln.type, ln.score))

    # -- near-duplicate state (MinHash signatures, LSH buckets) ----------------------------------
    def lsh_candidates(self, buckets: list[tuple[int, int]], limit: int) -> list[str]:
        """Documents sharing LSH buckets with ``buckets`` ((band, bucket) pairs), most shared first."""
        if not buckets:
            return []
        cond = " OR ".join("(band=? AND bucket=?)" for _ in buckets)
        rows = self._q(f"SELECT doc_id, COUNT(*) AS hits FROM link_lsh WHERE {cond} GROUP BY doc_id "
                       "ORDER BY hits DESC, doc_id LIMIT ?", [*(x for bb in buckets for x in bb), int(limit)])
        return [r[0] for r in rows]

    def get_minhashes(self, doc_ids: list[str]) -> dict[str, bytes]:
        if not doc_ids:
            return {}
        rows = self._q(f"SELECT doc_id, sig FROM link_minhash WHERE doc_id IN ({','.join('?' * len(doc_ids))})",
                       doc_ids)
        return {r[0]: bytes(r[1]) for r in rows}

    def put_minhash(self, doc_id: str, sig: bytes, buckets: list[tuple[int, int]]) -> None:
        """A document's MinHash signature and its LSH buckets, in one transaction."""
        with self._tx() as c:
            c.execute("INSERT OR REPLACE INTO link_minhash VALUES (?,?)", (doc_id, sig))
            c.executemany("INSERT INTO link_lsh VALUES (?,?,?)", [(b, h, doc_id) for b, h in buckets])

    def set_state(self, key: str, value: Any) -> None:
        with self._tx() as c:
            c.execute("INSERT OR REPLACE INTO state VALUES (?,?)", (key, _j(value)))

    def get_state(self, key: str, default: Any = None) -> Any:
        rows = self._q("SELECT value FROM state WHERE key=?", (key,))
        return json.loads(rows[0][0]) if rows else default
