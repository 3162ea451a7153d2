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

Must-match conditions (:class:`~newsweave.store.base.TextMatch`: phrases, prefixes, exclusions)
are tested against each document's tsvector with the document's own configuration
(``phraseto_tsquery(d.ts_config, ...)``), so a German phrase is matched by German stems; that
form is a check of rows another condition found. :func:`match_text` finds and ranks them through
the index: the same phrases parsed with every configuration in use, ORed, then checked as above.
"""

from __future__ import annotations

from typing import Any

from . import pg_schema, shapes
from .base import DocFilter, TextMatch

COMMON = 0.25
_LOCK = 0x6E657773  # postgres._MIGRATION_LOCK: creating the index is a schema change


def _enable(conn: Any, index: str, extension: str, statements: list[str]) -> bool:
    """Create an optional index (and its extension) when the server has the extension; True when
    the index is there."""
    if conn.execute("SELECT 1 FROM pg_indexes WHERE indexname = %s", (index,)).fetchone():
        return True
    if not conn.execute("SELECT 1 FROM pg_available_extensions WHERE name = %s", (extension,)).fetchone():
        return False
    try:
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK,))
            for stmt in statements:
                conn.execute(stmt)
    except Exception:  # e.g. no privilege to create the extension: the store works without the index
        return False
    return True


def enable_rum(conn: Any) -> bool:
    """Create the RUM index when the server has the extension; True when it is there."""
    return _enable(conn, "documents_tsv_rum", "rum", pg_schema.RUM_UPGRADE)


def enable_trigrams(conn: Any) -> bool:
    """Index sources, URLs and outlets by trigrams (``pg_trgm``, a trusted contrib extension) so
    the source filter's ILIKE '%x%' is answered from an index; True when the index is there."""
    return _enable(conn, "sources_trgm", "pg_trgm", pg_schema.TRGM_UPGRADE)


def uncommon(store: Any, words: list[str], configs: list[str]) -> list[str]:
    """The query's words without those most documents hold (all of them when none is rarer)."""
    if len(words) < 2:
        return words
    shares = {r["word"]: float(r["f"]) for r in store.rows(
        pg_schema.WORD_SHARES, (list(dict.fromkeys(words)), sorted({"simple", *configs})))}
    keep = [w for w in words if shares.get(w, 0.0) <= COMMON]
    return keep or words


def _words(words: tuple[str, ...]) -> str:
    return " ".join(pg_schema.query_words(" ".join(words)))


def match_where(m: TextMatch, p: str, q: str = "%s") -> tuple[str, list[Any]]:
    """The row check of a must-match condition, with each document's own configuration
    (``p``: the documents table's alias and a dot, or nothing; ``q``: the placeholder)."""
    conds: list[str] = []
    args: list[Any] = []
    for ph in m.phrases:
        if _words(ph):
            conds.append(f"{p}tsv @@ phraseto_tsquery({p}ts_config, {q})")
            args.append(_words(ph))
    for w in m.prefixes:
        if _words((w,)):
            conds.append(f"{p}tsv @@ to_tsquery({p}ts_config, {q})")
            args.append(_words((w,)) + ":*")
    for ex in m.exclude:
        if _words(ex):
            conds.append(f"NOT ({p}tsv @@ phraseto_tsquery({p}ts_config, {q}))")
            args.append(_words(ex))
    return " AND ".join(conds), args


def _configs(store: Any) -> list[str]:
    return [r["config"] for r in store.rows("SELECT config::text AS config FROM fts_configs ORDER BY 1")]


def match_query(m: TextMatch, configs: list[str]) -> tuple[str, list[str]]:
    """A tsquery that every document satisfying ``m``'s phrases and prefixes matches, in any of
    ``configs`` (so the index can find them; :func:`match_where` then checks each)."""
    cfgs = sorted({"simple", *configs})
    parts: list[str] = []
    args: list[str] = []
    items = [("phraseto_tsquery", _words(ph)) for ph in m.phrases] + [
        ("to_tsquery", _words((w,)) + ":*") for w in m.prefixes if _words((w,))]
    for fn, text in items:
        if text:
            parts.append("(" + " || ".join(f"{fn}(%s::regconfig, %s)" for _ in cfgs) + ")")
            for c in cfgs:
                args += [c, text]
    return " && ".join(parts), args


def match_text(store: Any, m: TextMatch, *, limit: int, flt: DocFilter | None) -> list[tuple[str, float]]:
    """(doc_id, ts_rank) of the best ``limit`` documents satisfying ``m`` (and ``flt``)."""
    tsq, qargs = match_query(m, _configs(store))
    if not tsq:
        return []
    flt = DocFilter(**{**(flt or DocFilter()).__dict__, "match": m})
    where, args = shapes.doc_where(flt, shapes.POSTGRES, alias="d")
    sql = (f"WITH q AS (SELECT {tsq} AS q) SELECT d.id, ts_rank(d.tsv, q.q) AS s FROM documents d, q "
           f"WHERE d.tsv @@ q.q AND {where} ORDER BY s DESC, d.id LIMIT %s")
    return [(r["id"], float(r["s"])) for r in store.rows(sql, [*qargs, *args, int(limit)])]


def search_text(store: Any, query: str, *, limit: int, flt: DocFilter | None) -> list[tuple[str, float]]:
    """(doc_id, ts_rank) of the best ``limit`` documents matching any (uncommon) query word; the
    prefixes of ``flt.match`` count as query words."""
    configs = _configs(store)
    prefixes = [f"{w}:*" for w in (flt.match.prefixes if flt and flt.match else ()) if pg_schema.query_words(w)]
    text = " ".join(uncommon(store, pg_schema.query_words(query), configs))
    tsq, qargs = pg_schema.text_query(text, configs, extra=prefixes)
    if not tsq:
        return []
    where, args = shapes.doc_where(flt or DocFilter(), shapes.POSTGRES, alias="d")
    order = "d.tsv <=> q.q" if store.rum else "s DESC, d.id"
    sql = (f"WITH q AS (SELECT {tsq} AS q) SELECT d.id, ts_rank(d.tsv, q.q) AS s FROM documents d, q "
           "WHERE d.tsv @@ q.q " + (f"AND {where} " if where else "") + f"ORDER BY {order} LIMIT %s")
    return [(r["id"], float(r["s"])) for r in store.rows(sql, [*qargs, *args, int(limit)])]
