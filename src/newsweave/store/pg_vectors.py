"""Document vectors in PostgreSQL: pgvector ``vector`` values with an HNSW cosine index per
dimension, or plain ``real[]`` when the server has no pgvector (vectors are then still stored and
read back, and only nearest-neighbour search refuses, saying why).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from ..errors import StoreError
from . import pg_schema, shapes
from .base import DocFilter
from .pg_conn import ConnReader, Pool

HNSW_MAX_DIM = 2000  # pgvector's limit for an HNSW index on the vector type
_LOCK = 0x76656373  # advisory lock id serialising index creation ("vecs")


def literal(vec: list[float], *, array: bool = False) -> str:
    """A vector as pgvector's text form ``[x,y,...]`` (``{x,y,...}`` for a ``real[]``), each value
    with the 9 significant digits that give back the same float32. Sent as one text parameter, a
    512-d vector costs the client about 0.1 ms; as a Python list psycopg adapts it element by
    element and the server casts an array (about 3 ms a query, measured on this machine)."""
    body = ",".join(f"{x:.9g}" for x in vec)
    return "{" + body + "}" if array else "[" + body + "]"


class VectorIndex:
    """Vector storage and search for one :class:`PostgresStore`.

    ``want``: None uses pgvector when the server has it, False never does, True requires it."""

    def __init__(self, pool: Pool, *, want: bool | None) -> None:
        self.pool = pool
        self.unavailable_reason: str | None = None
        self._indexed: set[int] = set()
        self.version: tuple[int, ...] = ()
        self.enabled = pool.run("setting up vectors", lambda c: self._setup(c, want), retry=False)

    # -- setup ------------------------------------------------------------------------------
    def _setup(self, conn: Any, want: bool | None) -> bool:
        coltype = conn.execute(
            "SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
            "WHERE attrelid = 'vectors'::regclass AND attname = 'vec'").fetchone()[0]
        if coltype == "vector":
            self._indexed = self._existing_indexes(conn)
            self._read_version(conn)
            return True
        available = conn.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'").fetchone()
        if want is False:
            self.unavailable_reason = "this store was opened with pgvector=False"
            return False
        if not available:
            self.unavailable_reason = (
                "the pgvector extension is not installed on this PostgreSQL server "
                "(Debian: postgresql-15-pgvector, or run scripts/setup-postgres.sh)")
            if want:
                raise StoreError(f"pgvector was required: {self.unavailable_reason}")
            return False
        try:
            with conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK,))
                for stmt in pg_schema.VECTOR_UPGRADE:
                    conn.execute(stmt)
                dims = [r[0] for r in conn.execute("SELECT DISTINCT dim FROM vectors").fetchall()]
                for d in dims:
                    if d <= HNSW_MAX_DIM:
                        conn.execute(pg_schema.hnsw_index_sql(d))
        except Exception as exc:  # e.g. no privilege to CREATE EXTENSION
            self.unavailable_reason = f"cannot enable pgvector: {str(exc).strip().splitlines()[0]}"
            if want:
                raise StoreError(f"pgvector was required: {self.unavailable_reason}") from exc
            return False
        self._indexed = self._existing_indexes(conn)
        self._read_version(conn)
        return True

    def _read_version(self, conn: Any) -> None:
        row = conn.execute("SELECT extversion FROM pg_extension WHERE extname = 'vector'").fetchone()
        self.version = tuple(int(x) for x in row[0].split(".") if x.isdigit()) if row else ()

    @staticmethod
    def _existing_indexes(conn: Any) -> set[int]:
        rows = conn.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'vectors' "
                            "AND indexname LIKE 'vectors_hnsw_%%'").fetchall()
        return {int(r[0].rsplit("_", 1)[1]) for r in rows}

    def _ensure_index(self, dim: int) -> None:
        """The HNSW index for vectors of this dimension, created once, in its own transaction."""
        if not self.enabled or dim in self._indexed or dim > HNSW_MAX_DIM:
            return

        def create(conn: Any) -> None:
            with conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK,))
                conn.execute(pg_schema.hnsw_index_sql(dim))

        self.pool.run(f"creating the HNSW index for {dim}-dimensional vectors", create)
        self._indexed.add(dim)

    # -- reads and writes -----------------------------------------------------------------------
    @staticmethod
    def check(doc_id: str, vector: Any) -> list[float]:
        vec = [float(x) for x in vector]
        if not vec or not all(math.isfinite(x) for x in vec):
            raise StoreError(f"document {doc_id}: a vector must be non-empty and finite")
        return vec

    def prepare(self, doc_id: str, vector: Any) -> list[float]:
        """Check a vector and make sure its dimension's index exists; call before the document's
        transaction (index creation takes a table lock, so it never runs inside one)."""
        vec = self.check(doc_id, vector)
        self._ensure_index(len(vec))
        return vec

    def write(self, conn: Any, doc_id: str, model: str, vector: Any) -> None:
        """Within the caller's document transaction."""
        vec = self.check(doc_id, vector)
        cast = "vector" if self.enabled else "real[]"
        conn.execute(
            f"INSERT INTO vectors (doc_id, model, dim, vec) VALUES (%s, %s, %s, %s::{cast}) "
            "ON CONFLICT (doc_id) DO UPDATE SET model = EXCLUDED.model, dim = EXCLUDED.dim, vec = EXCLUDED.vec",
            (doc_id, model, len(vec), literal(vec, array=not self.enabled)))

    def get(self, doc_ids: list[str]) -> dict[str, list[float]]:
        out: dict[str, list[float]] = {}
        for i in range(0, len(doc_ids), 1000):
            rows = self._fetch("SELECT doc_id, vec::real[] FROM vectors WHERE doc_id = ANY(%s)",
                               (doc_ids[i:i + 1000],))
            out.update({r[0]: list(r[1]) for r in rows})
        return out

    def _fetch(self, sql: str, args: tuple[Any, ...]) -> list[Any]:
        return self.pool.run("reading vectors", lambda c: c.execute(sql, args).fetchall())

    def iterate(self, page: int = 1000) -> Iterator[tuple[str, list[float]]]:
        """Every vector in doc-id order, read in keyset pages."""
        after = ""
        while True:
            rows = self._fetch("SELECT doc_id, vec::real[] FROM vectors WHERE doc_id > %s ORDER BY doc_id LIMIT %s",
                               (after, page))
            for r in rows:
                yield r[0], list(r[1])
            if len(rows) < page:
                return
            after = rows[-1][0]

    # -- search -----------------------------------------------------------------------------------
    def search(self, vector: list[float], *, limit: int = 10, flt: DocFilter | None = None,
               model: str | None = None, linked_only: bool = False, ef_search: int | None = None,
               ) -> list[tuple[str, float]]:
        """Nearest documents by cosine similarity (1 - cosine distance), best first.
        ``linked_only``: only documents the linking step has placed in an event (the online
        step's view of the corpus). ``ef_search``: the HNSW beam (default: twice ``limit``, at
        least 40)."""
        if not self.enabled:
            raise StoreError(f"vector search is not available: {self.unavailable_reason}")
        sql, params = self.search_sql(vector, limit=limit, flt=flt, model=model, linked_only=linked_only)
        if not params:
            return []
        ef = max(40, min(1000, int(ef_search or int(limit) * 2)))

        def run(conn: Any) -> list[dict[str, Any]]:
            # one round trip: the settings and the query go out together (pipeline mode)
            with conn.pipeline(), conn.transaction():
                # a wider beam for bigger k; iterative scans keep filtered queries from coming back short
                conn.execute(f"SET LOCAL hnsw.ef_search = {ef}")
                if self.version >= (0, 8):
                    conn.execute("SET LOCAL hnsw.iterative_scan = relaxed_order")
                return ConnReader(conn).rows(sql, params)

        rows = self.pool.run("searching vectors", run)
        hits = [(r["doc_id"], float(r["s"])) for r in rows]
        return sorted(hits, key=lambda h: (-h[1], h[0]))

    @staticmethod
    def search_sql(vector: list[float], *, limit: int = 10, flt: DocFilter | None = None,
                   model: str | None = None, linked_only: bool = False) -> tuple[str, list[Any]]:
        """The nearest-neighbour query: ordered by the cosine distance on the expression the
        dimension's HNSW index is built on, so the planner walks the index (no params: no query)."""
        vec = [float(x) for x in vector]
        dim = len(vec)
        if not dim:
            return "", []
        where, args = shapes.doc_where(flt or DocFilter(), shapes.POSTGRES, alias="d")
        conds = [f"v.dim = {dim}"]  # a literal, so the planner can use the partial index of this dimension
        if model:
            conds.append("v.model = %s")
        if where:
            conds.append(where)
        if linked_only:
            conds.append("d.event_id IS NOT NULL")
        dist = f"v.vec::vector({dim}) <=> q.v"
        # documents only when the filter needs them: the join costs about a third of the query
        join = " JOIN documents d ON d.id = v.doc_id" if where or linked_only else ""
        sql = (f"WITH q AS (SELECT %s::vector({dim}) AS v) "
               f"SELECT v.doc_id, 1 - ({dist}) AS s FROM q, vectors v{join} "
               f"WHERE {' AND '.join(conds)} ORDER BY {dist} LIMIT %s")
        params = [literal(vec), *([model] if model else []), *args, int(limit)]
        return sql, params
