"""The PostgreSQL store: the same :class:`~newsweave.store.base.Store` as SQLite, on a server.

``PostgresStore("postgresql://user@host:5432/db")`` opens a connection pool, applies the
numbered migrations of ``pg_schema`` (recorded in ``schema_version``), and upgrades vectors to
pgvector when the extension is available. Each document and all its stage outputs are written in
one transaction (rows of a kind in one ``executemany`` batch), so a document is stored whole or
not at all, also when the server goes away mid-write. Writes are idempotent, so an operation
whose connection was lost is retried on a fresh one for ``retry_seconds`` before it fails with a
:class:`StoreError` that says what happened.

Full text: a generated ``tsvector`` per document built with its language's configuration
(german, english, ... or simple), GIN-indexed (and RUM-indexed when the server has RUM), ranked
with a bounded cost (``pg_fts``).
Vectors: pgvector with an HNSW cosine index per dimension (:meth:`search_vectors`).
Linking and search use the backend-neutral methods both stores share: :meth:`query` (SQL with
``?`` placeholders, rows by position or name) and the near-duplicate state (:meth:`put_minhash`,
:meth:`lsh_candidates`, :meth:`get_minhashes`), so events and stories come out as on SQLite.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from ..errors import NotFoundError, StoreError
from ..model import DateInfo, Document, Paragraph, Removed, Sentence, Source, stable_id
from . import pg_fts, pg_schema, shapes
from .base import KINDS, DocFilter, EventRecord, LinkRecord, StoryRecord, TextMatch, WriteResult
from .pg_conn import ConnReader, Pool, Row, dec, enc, jdumps
from .pg_vectors import VectorIndex

_MIGRATION_LOCK = 0x6E657773  # advisory lock id serialising concurrent migrators ("news")
_PAGE = 500  # rows per round trip when streaming records


class PostgresStore:
    """PostgreSQL implementation of :class:`newsweave.store.base.Store`.

    Options: ``min_size``/``max_size`` of the connection pool, ``timeout`` (seconds to wait for
    a connection), ``retry_seconds`` (how long to retry work whose connection was lost; 0 fails
    at once), ``pgvector`` (None: use it when available; False: never; True: require it).
    """

    def __init__(self, url: str, *, min_size: int = 1, max_size: int = 4, timeout: float = 10.0,
                 retry_seconds: float = 5.0, pgvector: bool | None = None) -> None:
        self.url = url
        self.pool = Pool(url, min_size=min_size, max_size=max_size, timeout=timeout, retry_seconds=retry_seconds)
        self.dialect = shapes.POSTGRES
        try:
            self.pool.run("migrating the schema", self._migrate, retry=False)
            self._ts_available: frozenset[str] = frozenset(
                r["cfgname"] for r in self.rows("SELECT cfgname FROM pg_ts_config"))
            self.vectors = VectorIndex(self.pool, want=pgvector)
            self.rum = self.pool.run("setting up ranked full text", pg_fts.enable_rum, retry=False)
            self.trigrams = self.pool.run("setting up the source index", pg_fts.enable_trigrams, retry=False)
        except BaseException:
            self.pool.close()
            raise

    # -- plumbing ---------------------------------------------------------------------------
    def _migrate(self, conn: Any) -> None:
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
            conn.execute(pg_schema.SCHEMA_VERSION_TABLE)
            version = conn.execute("SELECT COALESCE(MAX(version), 0) FROM schema_version").fetchone()[0]
            if version > len(pg_schema.MIGRATIONS):
                raise StoreError(
                    f"{self.pool.where} has schema version {version}, newer than this newsweave "
                    f"({len(pg_schema.MIGRATIONS)}); upgrade newsweave"
                )
            for i, stmts in enumerate(pg_schema.MIGRATIONS[version:], start=version + 1):
                for stmt in stmts:
                    conn.execute(stmt)
                conn.execute("INSERT INTO schema_version (version) VALUES (%s)", (i,))

    @property
    def schema_version(self) -> int:
        return int(self.rows("SELECT COALESCE(MAX(version), 0) AS v FROM schema_version")[0]["v"])

    def rows(self, sql: str, args: Iterable[Any] = ()) -> list[dict[str, Any]]:
        """Rows of one read query as dicts (the :class:`shapes.Reader` interface)."""
        a = tuple(args)
        return self.pool.run("reading", lambda c: ConnReader(c).rows(sql, a))

    def query(self, sql: str, args: Iterable[Any] = ()) -> list[Row]:
        """A read query in the neutral dialect (``?`` placeholders, as in SQLite); rows are read by
        position or by column name. JSON columns come back decoded (see :func:`base.json_value`)."""
        psql = sql.replace("%", "%%").replace("?", "%s")
        a = tuple(args)

        def run(conn: Any) -> list[Row]:
            with conn.cursor() as cur:
                cur.execute(psql, a)
                names = {d.name: i for i, d in enumerate(cur.description or ())}
                return [Row(tuple(dec(v) if type(v) is str else v for v in r), names) for r in cur.fetchall()]

        return self.pool.run("reading", run)

    def _write(self, what: str, fn: Any, *, pipeline: bool = False) -> Any:
        """``fn(conn)`` inside one transaction, retried whole if the connection is lost. With
        ``pipeline``, statements whose results ``fn`` does not read go out without waiting for
        the server (``rowcount`` is then not available): a write of several statements costs one
        round trip instead of one per statement plus BEGIN and COMMIT, which is most of what the
        linking step's small writes cost."""

        def tx(conn: Any) -> Any:
            if not pipeline:
                with conn.transaction():
                    return fn(conn)
            with conn.pipeline(), conn.transaction():
                return fn(conn)

        return self.pool.run(what, tx)

    @contextmanager
    def batch(self) -> Iterator[None]:
        """The writes (and reads) inside on one connection in one transaction (see
        :meth:`Store.batch`); each write inside is a savepoint. A lost connection is not retried
        here: the batch is rolled back and the StoreError says so."""
        psycopg = self.pool._psycopg
        with self.pool.pinned() as conn:
            if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                yield  # part of the batch already open on this connection
                return
            try:
                with conn.transaction():
                    yield
            except psycopg.Error as exc:
                raise self.pool.error("committing a batch of writes", exc) from exc

    def close(self) -> None:
        self.pool.close()

    # -- documents --------------------------------------------------------------------------
    def known_raw(self, raw_sha: str, source: str) -> str | None:
        r = self.rows("SELECT doc_id FROM sources WHERE raw_sha=%s AND source=%s LIMIT 1", (raw_sha, enc(source)))
        return r[0]["doc_id"] if r else None

    def write_document(self, doc: Document) -> WriteResult:
        did = doc.id
        doc_row = self._document_row(doc)
        if doc.vector is not None:
            self.vectors.prepare(did, doc.vector)

        def write(conn: Any) -> bool:
            cols = ", ".join(doc_row)
            new = conn.execute(
                f"INSERT INTO documents ({cols}) VALUES ({', '.join(['%s'] * len(doc_row))}) "
                "ON CONFLICT (id) DO NOTHING RETURNING id", tuple(doc_row.values())).fetchone() is not None
            if new:
                self._insert_outputs(conn, doc)
            self._insert_sources(conn, did, doc)
            return new

        new = self._write(f"writing document {did}", write, pipeline=True)
        return WriteResult(did, "new" if new else "duplicate")

    def replace_outputs(self, doc: Document) -> None:
        did = doc.id
        row = self._document_row(doc)
        if doc.vector is not None:
            self.vectors.prepare(did, doc.vector)

        def write(conn: Any) -> None:
            if conn.execute("SELECT 1 FROM documents WHERE id=%s FOR UPDATE", (did,)).fetchone() is None:
                raise NotFoundError("document", did)
            for table in ("mentions", "quotes", "times", "vectors"):
                conn.execute(f"DELETE FROM {table} WHERE doc_id=%s", (did,))
            keep = ("title", "lang", "lang_confidence", "paragraphs", "sentences", "published", "published_value",
                    "event_date", "stage_versions", "ts_config")
            conn.execute(f"UPDATE documents SET {', '.join(f'{k}=%s' for k in keep)} WHERE id=%s",
                         (*(row[k] for k in keep), did))
            self._insert_outputs(conn, doc)

        self._write(f"replacing the outputs of document {did}", write, pipeline=True)

    def _document_row(self, doc: Document) -> dict[str, Any]:
        from psycopg.types.json import Jsonb

        def j(v: Any) -> Any:
            return Jsonb(v, dumps=jdumps)

        return {
            "id": doc.id, "raw_sha": hashlib.sha256(doc.raw).hexdigest(), "raw": zlib.compress(doc.raw, 6),
            "format": doc.format, "raw_text": enc(doc.raw_text), "text": enc(doc.text), "title": enc(doc.title),
            "lang": doc.lang, "lang_confidence": doc.lang_confidence,
            "removed": j([r.__dict__ for r in doc.removed]), "meta": j(doc.meta),
            "paragraphs": j([p.__dict__ for p in doc.paragraphs]),
            "sentences": j([[s.start, s.end] for s in doc.sentences]),
            "published": j(doc.published.to_dict()) if doc.published else None,
            "published_value": doc.published.value if doc.published else None,
            "event_date": j(doc.event_date.to_dict()) if doc.event_date else None,
            "stage_versions": j(doc.stage_versions),
            "ts_config": pg_schema.ts_config(doc.lang, self._ts_available),
        }

    def _insert_sources(self, conn: Any, did: str, doc: Document) -> None:
        from psycopg.types.json import Jsonb

        sha = hashlib.sha256(doc.raw).hexdigest()
        rows = [(did, enc(s.source), sha, enc(s.url), enc(s.outlet), enc(s.author), enc(s.published), s.lang,
                 enc(s.title), Jsonb(s.extra, dumps=jdumps), did) for s in doc.sources]
        with conn.cursor() as cur:  # seq: the order sources arrived in, after those already stored
            cur.executemany(
                "INSERT INTO sources (doc_id, source, raw_sha, url, outlet, author, published, lang, title, extra, seq)"
                " VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,"
                " (SELECT COALESCE(MAX(seq), 0) + 1 FROM sources WHERE doc_id=%s))"
                " ON CONFLICT (doc_id, source) DO NOTHING", rows)

    def _insert_outputs(self, conn: Any, doc: Document) -> None:
        did = doc.id
        conn.execute("INSERT INTO fts_configs VALUES (%s) ON CONFLICT DO NOTHING",
                     (pg_schema.ts_config(doc.lang, self._ts_available),))
        self._upsert_entities(conn, doc)
        ent_id = {k: e.id for k, e in doc.entities.items()}
        ments = []
        for m in doc.mentions:
            eid = ent_id.get(m.entity_key) if m.entity_key else None
            if m.entity_key and eid is None:
                eid = stable_id("entity", m.entity_key)
            ments.append((stable_id("mention", did, m.start, m.end), did, m.start, m.end, enc(m.text), m.type, eid,
                          enc(m.role), m.confidence))
        quotes = [(stable_id("quote", did, q.start, q.end), did, q.start, q.end, enc(q.text), q.kind, enc(q.cue),
                   q.cue_start, q.cue_end, enc(q.speaker_text), q.speaker_start, q.speaker_end,
                   stable_id("entity", q.speaker_key) if q.speaker_key else None) for q in doc.quotes]
        times = [(stable_id("time", did, t.start, t.end), did, t.start, t.end, enc(t.text), t.type, enc(t.value),
                  enc(t.anchor), enc(t.mod)) for t in doc.times]
        with conn.cursor() as cur:
            for table, rows in (("mentions", ments), ("quotes", quotes), ("times", times)):
                if rows:
                    cur.executemany(_upsert_sql(table, len(rows[0])), rows)
        if doc.vector is not None:
            self.vectors.write(conn, did, doc.vector_model or "unknown", doc.vector)

    def _upsert_entities(self, conn: Any, doc: Document) -> None:
        from psycopg.types.json import Jsonb

        ents = sorted(doc.entities.values(), key=lambda e: e.id)  # one lock order for every writer
        if not ents:
            return
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO entities (id, key, name, type, aliases, meta) VALUES (%s,%s,%s,%s,%s,%s) "
                "ON CONFLICT DO NOTHING",
                [(e.id, enc(e.key), enc(e.name), e.type, Jsonb({}, dumps=jdumps), Jsonb({}, dumps=jdumps))
                 for e in ents])
        stored = {r["id"]: r for r in ConnReader(conn).rows(
            "SELECT id, aliases, meta FROM entities WHERE id = ANY(%s) ORDER BY id FOR UPDATE", ([e.id for e in ents],))}
        updates = []
        for e in ents:
            row = stored.get(e.id)
            if row is None:  # another entity already holds this key under a different id
                continue
            merged: dict[str, list[str]] = {k: list(v) for k, v in row["aliases"].items()}
            for lang, forms in e.aliases.items():
                have = merged.setdefault(lang, [])
                have.extend(f for f in forms if f not in have)
            meta = {**row["meta"], **e.meta}
            if merged != row["aliases"] or meta != row["meta"]:
                updates.append((Jsonb(merged, dumps=jdumps), Jsonb(meta, dumps=jdumps), e.id))
        if updates:
            with conn.cursor() as cur:
                cur.executemany("UPDATE entities SET aliases=%s, meta=%s WHERE id=%s", updates)

    def get_document(self, doc_id: str) -> dict[str, Any]:
        return self.get_record("documents", doc_id)

    def load_document(self, doc_id: str) -> Document:
        def read(conn: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
            rd = ConnReader(conn)
            return (rd.rows("SELECT * FROM documents WHERE id=%s", (doc_id,)),
                    rd.rows("SELECT * FROM sources WHERE doc_id=%s ORDER BY seq", (doc_id,)))

        rows, srcs = self.pool.run(f"loading document {doc_id}", read)
        if not rows:
            raise NotFoundError("document", doc_id)
        r = rows[0]
        doc = Document(
            raw=zlib.decompress(r["raw"]), format=r["format"],
            sources=[Source(source=s["source"], url=s["url"], outlet=s["outlet"], author=s["author"],
                            published=s["published"], lang=s["lang"], title=s["title"], extra=s["extra"])
                     for s in srcs],
            raw_text=r["raw_text"], text=r["text"], title=r["title"],
            removed=[Removed(**x) for x in r["removed"]], meta=r["meta"],
            lang=r["lang"], lang_confidence=r["lang_confidence"],
            paragraphs=[Paragraph(**p) for p in r["paragraphs"]],
            sentences=[Sentence(a, b) for a, b in r["sentences"]],
            published=DateInfo.from_dict(r["published"]), event_date=DateInfo.from_dict(r["event_date"]),
            stage_versions=r["stage_versions"],
        )
        doc._id = doc_id
        return doc

    def delete_document(self, doc_id: str) -> bool:
        def delete(conn: Any) -> bool:
            n = conn.execute("DELETE FROM documents WHERE id=%s", (doc_id,)).rowcount
            conn.execute("DELETE FROM links WHERE src=%s OR dst=%s", (doc_id, doc_id))
            conn.execute("DELETE FROM link_lsh WHERE doc_id=%s", (doc_id,))
            conn.execute("DELETE FROM link_minhash WHERE doc_id=%s", (doc_id,))
            return bool(n)

        return bool(self._write(f"deleting document {doc_id}", delete))

    def set_document_links(self, doc_id: str, *, event_id: str | None, story_id: str | None) -> None:
        self._write(f"linking document {doc_id}", lambda c: c.execute(
            "UPDATE documents SET event_id=%s, story_id=%s WHERE id=%s", (event_id, story_id, doc_id)), pipeline=True)

    # -- records in export shapes -------------------------------------------------------------
    def iter_records(
        self, kind: str, flt: DocFilter | None = None, *, limit: int | None = None, after: str | None = None
    ) -> Iterator[dict[str, Any]]:
        """Streamed in keyset pages of ``_PAGE`` rows, one pooled connection per page."""
        if kind not in KINDS:
            raise StoreError(f"unknown kind {kind!r}; valid kinds: {', '.join(KINDS)}")
        f = flt or DocFilter()
        left = limit
        while left is None or left > 0:
            n = _PAGE if left is None else min(_PAGE, left)
            sql, args = shapes.select(kind, f, self.dialect, after=after, limit=n)

            def page(conn: Any, sql: str = sql, args: list[Any] = args) -> list[dict[str, Any]]:
                rd = ConnReader(conn)
                return [shapes.shape(rd, kind, r) for r in rd.rows(sql, args)]

            recs = self.pool.run(f"listing {kind}", page)
            yield from recs
            if len(recs) < n:
                return
            after = recs[-1]["id"]
            left = None if left is None else left - len(recs)

    def get_record(self, kind: str, ident: str) -> dict[str, Any]:
        return shapes.first_record(self.iter_records(kind, DocFilter(ids=[ident]), limit=1), kind, ident)

    def count(self, kind: str) -> int:
        if kind not in KINDS:
            raise StoreError(f"unknown kind {kind!r}; valid kinds: {', '.join(KINDS)}")
        return int(self.rows(f"SELECT COUNT(*) AS n FROM {kind}")[0]["n"])

    def stats(self) -> dict[str, Any]:
        out: dict[str, Any] = {k: self.count(k) for k in KINDS}
        out["sources"] = int(self.rows("SELECT COUNT(*) AS n FROM sources")[0]["n"])
        out["languages"] = {r["lang"]: int(r["n"]) for r in self.rows(
            "SELECT lang, COUNT(*) AS n FROM documents GROUP BY lang ORDER BY 2 DESC, 1")}
        d = self.rows("SELECT MIN(published_value) AS lo, MAX(published_value) AS hi, COUNT(published_value) AS n "
                      "FROM documents")[0]
        out["published_range"] = [d["lo"], d["hi"]]
        out["dated"] = int(d["n"])
        return out

    # -- search -------------------------------------------------------------------------------
    def search_text(self, query: str, *, limit: int = 50, flt: DocFilter | None = None) -> list[tuple[str, float]]:
        """Documents matching any query word, best first (see ``pg_fts``)."""
        return pg_fts.search_text(self, query, limit=limit, flt=flt)

    def match_text(self, match: TextMatch, *, limit: int = 50, flt: DocFilter | None = None) -> list[tuple[str, float]]:
        """Documents satisfying ``match``, ranked by ts_rank over its phrases and prefixes (``pg_fts``)."""
        return pg_fts.match_text(self, match, limit=limit, flt=flt)

    def search_vectors(self, vector: list[float], *, limit: int = 10, flt: DocFilter | None = None,
                       model: str | None = None) -> list[tuple[str, float]]:
        """Nearest documents by cosine similarity (higher is closer), through the HNSW index.
        Raises StoreError when pgvector is not available on the server."""
        return self.vectors.search(vector, limit=limit, flt=flt, model=model)

    # -- vectors, events, stories, links, state -------------------------------------------------
    def get_vectors(self, doc_ids: Iterable[str]) -> dict[str, list[float]]:
        return self.vectors.get(list(doc_ids))

    def iter_vectors(self) -> Iterator[tuple[str, list[float]]]:
        return self.vectors.iterate()

    def put_event(self, ev: EventRecord) -> None:
        from psycopg.types.json import Jsonb

        def write(conn: Any) -> None:
            conn.execute(
                _upsert_sql("events", 10),
                (ev.id, enc(ev.title), ev.date, ev.date_start, ev.date_end, enc(ev.place),
                 Jsonb(ev.participants, dumps=jdumps), enc(ev.summary), ev.story_id, Jsonb(ev.meta, dumps=jdumps)))
            # only the documents whose event changes are written (see SQLiteStore.put_event)
            ids = list(ev.doc_ids)
            conn.execute("UPDATE documents SET event_id=NULL WHERE event_id=%s AND NOT (id = ANY(%s))", (ev.id, ids))
            conn.execute("UPDATE documents SET event_id=%s, story_id=%s WHERE id = ANY(%s) "
                         "AND (event_id IS DISTINCT FROM %s OR story_id IS DISTINCT FROM %s)",
                         (ev.id, ev.story_id, ids, ev.id, ev.story_id))

        self._write(f"writing event {ev.id}", write, pipeline=True)

    def get_event(self, event_id: str) -> EventRecord | None:
        def read(conn: Any) -> EventRecord | None:
            rd = ConnReader(conn)
            rows = rd.rows("SELECT * FROM events WHERE id=%s", (event_id,))
            return shapes.event_record(rd, rows[0]) if rows else None

        return self.pool.run(f"reading event {event_id}", read)

    def delete_event(self, event_id: str) -> None:
        def delete(conn: Any) -> None:
            conn.execute("DELETE FROM events WHERE id=%s", (event_id,))
            conn.execute("UPDATE documents SET event_id=NULL WHERE event_id=%s", (event_id,))

        self._write(f"deleting event {event_id}", delete, pipeline=True)

    def iter_events(self) -> Iterator[EventRecord]:
        def read(conn: Any) -> list[EventRecord]:
            rd = ConnReader(conn)
            return [shapes.event_record(rd, r) for r in rd.rows("SELECT * FROM events ORDER BY date NULLS FIRST, id")]

        yield from self.pool.run("listing events", read)

    def put_story(self, st: StoryRecord) -> None:
        from psycopg.types.json import Jsonb

        def write(conn: Any) -> None:
            conn.execute(_upsert_sql("stories", 5), (st.id, enc(st.title), Jsonb(st.event_ids, dumps=jdumps),
                                                     Jsonb(st.actors, dumps=jdumps), Jsonb(st.meta, dumps=jdumps)))
            # only the rows whose story changes: an UPDATE of a document row recomputes its stored
            # tsvector and adds index entries, and the story step puts a story each time one of its
            # events changes (rewriting every member made that O(story size) per event, ~1 s each)
            ids = list(st.event_ids)
            conn.execute("UPDATE events SET story_id=NULL WHERE story_id=%s AND NOT (id = ANY(%s))", (st.id, ids))
            conn.execute("UPDATE documents SET story_id=NULL WHERE story_id=%s "
                         "AND (event_id IS NULL OR NOT (event_id = ANY(%s)))", (st.id, ids))
            conn.execute("UPDATE events SET story_id=%s WHERE id = ANY(%s) AND story_id IS DISTINCT FROM %s",
                         (st.id, ids, st.id))
            conn.execute("UPDATE documents SET story_id=%s WHERE event_id = ANY(%s) AND story_id IS DISTINCT FROM %s",
                         (st.id, ids, st.id))

        self._write(f"writing story {st.id}", write, pipeline=True)

    def get_story(self, story_id: str) -> StoryRecord | None:
        rows = self.rows("SELECT * FROM stories WHERE id=%s", (story_id,))
        return shapes.story_record(rows[0]) if rows else None

    def delete_story(self, story_id: str) -> None:
        def delete(conn: Any) -> None:
            conn.execute("DELETE FROM stories WHERE id=%s", (story_id,))
            conn.execute("UPDATE events SET story_id=NULL WHERE story_id=%s", (story_id,))
            conn.execute("UPDATE documents SET story_id=NULL WHERE story_id=%s", (story_id,))

        self._write(f"deleting story {story_id}", delete, pipeline=True)

    def iter_stories(self) -> Iterator[StoryRecord]:
        yield from (shapes.story_record(r) for r in self.rows("SELECT * FROM stories ORDER BY id"))

    def put_links(self, links: Iterable[LinkRecord]) -> None:
        latest = {ln.id: (ln.id, ln.src, ln.dst, ln.type, ln.score) for ln in links}  # the last one wins

        def write(conn: Any) -> None:
            with conn.cursor() as cur:
                cur.executemany(_upsert_sql("links", 5), list(latest.values()))

        if latest:
            self._write("writing links", write, pipeline=True)

    # -- near-duplicate state (MinHash signatures, LSH buckets) ----------------------------------
    def lsh_candidates(self, buckets: list[tuple[int, int]], limit: int) -> list[str]:
        """Documents sharing LSH buckets with ``buckets`` ((band, bucket) pairs), most shared first."""
        if not buckets:
            return []
        rows = self.rows(
            "SELECT l.doc_id, COUNT(*) AS hits FROM link_lsh l JOIN unnest(%s::int[], %s::bigint[]) AS b(band, bucket)"
            " ON l.band = b.band AND l.bucket = b.bucket GROUP BY l.doc_id ORDER BY hits DESC, l.doc_id LIMIT %s",
            ([b for b, _ in buckets], [h for _, h in buckets], int(limit)))
        return [r["doc_id"] for r in rows]

    def get_minhashes(self, doc_ids: list[str]) -> dict[str, bytes]:
        if not doc_ids:
            return {}
        rows = self.rows("SELECT doc_id, sig FROM link_minhash WHERE doc_id = ANY(%s)", (list(doc_ids),))
        return {r["doc_id"]: bytes(r["sig"]) for r in rows}

    def put_minhash(self, doc_id: str, sig: bytes, buckets: list[tuple[int, int]]) -> None:
        """A document's MinHash signature and its LSH buckets, in one transaction (idempotent)."""

        def write(conn: Any) -> None:
            conn.execute("INSERT INTO link_minhash (doc_id, sig) VALUES (%s, %s) "
                         "ON CONFLICT (doc_id) DO UPDATE SET sig = EXCLUDED.sig", (doc_id, sig))
            conn.execute("DELETE FROM link_lsh WHERE doc_id=%s", (doc_id,))
            conn.execute("INSERT INTO link_lsh (band, bucket, doc_id) SELECT b, h, %s "  # one statement, not 32
                         "FROM unnest(%s::int[], %s::bigint[]) AS t(b, h)",
                         (doc_id, [b for b, _ in buckets], [h for _, h in buckets]))

        self._write(f"indexing document {doc_id} for near-duplicates", write, pipeline=True)

    def set_state(self, key: str, value: Any) -> None:
        from psycopg.types.json import Jsonb

        self._write(f"writing state {key!r}", lambda c: c.execute(
            _upsert_sql("state", 2, key="key"), (key, Jsonb(value, dumps=jdumps))))

    def get_state(self, key: str, default: Any = None) -> Any:
        rows = self.rows("SELECT value FROM state WHERE key=%s", (key,))
        return rows[0]["value"] if rows else default


_COLUMNS = {
    "mentions": ("id", "doc_id", "start", '"end"', "text", "type", "entity_id", "role", "confidence"),
    "quotes": ("id", "doc_id", "start", '"end"', "text", "kind", "cue", "cue_start", "cue_end", "speaker_text",
               "speaker_start", "speaker_end", "speaker_entity_id"),
    "times": ("id", "doc_id", "start", '"end"', "text", "type", "value", "anchor", "mod"),
    "events": ("id", "title", "date", "date_start", "date_end", "place", "participants", "summary", "story_id",
               "meta"),
    "stories": ("id", "title", "event_ids", "actors", "meta"),
    "links": ("id", "src", "dst", "type", "score"),
    "state": ("key", "value"),
}


def _upsert_sql(table: str, n: int, key: str = "id") -> str:
    """INSERT ... ON CONFLICT DO UPDATE: SQLite's INSERT OR REPLACE, in PostgreSQL."""
    cols = _COLUMNS[table]
    assert len(cols) == n, (table, n)
    sets = ", ".join(f"{c} = EXCLUDED.{c}" for c in cols if c != key)
    return (f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join(['%s'] * n)}) "
            f"ON CONFLICT ({key}) DO UPDATE SET {sets}")
