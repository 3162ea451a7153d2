"""Full-text search on PostgreSQL: the tsvector column of every document, ranked.

Each document's ``tsv`` is built with its language's text-search configuration (german,
english, ... or simple) and GIN-indexed; a query is parsed with every configuration in use, so
"Ministern" finds German documents about "Minister".

Ranking is what costs: GIN only says which rows match, and ``ts_rank`` then reads the tsvector
of every matching row before the best can be picked (measured at 100k synthetic documents:
110-175 ms for queries matching 17k-100k rows). Two things bound it:

- RUM (Debian ``postgresql-15-rum``), used when the server has it: an index that also keeps
  lexeme positions and answers ``ORDER BY tsv <=> query LIMIT k`` in rank order by itself;
- words that most documents hold (more than ``COMMON`` of them, by the planner's statistics of
  the column) are dropped from a query that has rarer words: they barely move the ranking, but
  every document holding one would have to be ranked. Tables under 1000 rows are ranked whole.
"""

from __future__ import annotations

from typing import Any

from . import pg_schema, shapes
from .base import DocFilter

COMMON = 0.25
_LOCK = 0x6E657773  # postgres._MIGRATION_LOCK: creating the index is a schema change


def enable_rum(conn: Any) -> bool:
    """Create the RUM index when the server has the extension; True when it is there."""
    if conn.execute("SELECT 1 FROM pg_indexes WHERE indexname = 'documents_tsv_rum'").fetchone():
        return True
    if not conn.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'rum'").fetchone():
        return False
    try:
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK,))
            for stmt in pg_schema.RUM_UPGRADE:
                conn.execute(stmt)
    except Exception:  # e.g. no privilege to create the extension: GIN serves
        return False
    return True


def uncommon(store: Any, words: list[str], configs: list[str]) -> list[str]:
    """The query's words without those most documents hold (all of them when none is rarer)."""
    if len(words) < 2:
        return words
    shares = {r["word"]: float(r["f"]) for r in store.rows(
        pg_schema.WORD_SHARES, (list(dict.fromkeys(words)), sorted({"simple", *configs})))}
    keep = [w for w in words if shares.get(w, 0.0) <= COMMON]
    return keep or words


def search_text(store: Any, query: str, *, limit: int, flt: DocFilter | None) -> list[tuple[str, float]]:
    """(doc_id, ts_rank) of the best ``limit`` documents matching any (uncommon) query word."""
    configs = [r["config"] for r in store.rows("SELECT config::text AS config FROM fts_configs ORDER BY 1")]
    tsq, qargs = pg_schema.text_query(" ".join(uncommon(store, pg_schema.query_words(query), configs)), configs)
    if not tsq:
        return []
    where, args = shapes.doc_where(flt or DocFilter(), shapes.POSTGRES, alias="d")
    order = "d.tsv <=> q.q" if store.rum else "s DESC, d.id"
    sql = (f"WITH q AS (SELECT {tsq} AS q) SELECT d.id, ts_rank(d.tsv, q.q) AS s FROM documents d, q "
           "WHERE d.tsv @@ q.q " + (f"AND {where} " if where else "") + f"ORDER BY {order} LIMIT %s")
    return [(r["id"], float(r["s"])) for r in store.rows(sql, [*qargs, *args, int(limit)])]
