"""PostgreSQL schema as numbered migrations, recorded in the ``schema_version`` table, plus the
optional pgvector upgrade and the text-search configuration chosen for each document language.

The tables mirror the SQLite schema (``schema.py``) so both backends give the same records, with
PostgreSQL types where they help: ``jsonb`` for structured columns, ``bytea`` for the compressed
raw input, a generated, GIN-indexed ``tsvector`` built with the document language's text-search
configuration, and ``real[]`` vectors that become pgvector ``vector`` values (HNSW-indexed per
dimension) when the extension is available. Ids use the "C" collation, so id order (and keyset
pagination) is byte order, as in SQLite.
"""

from __future__ import annotations

import re

# Each migration is a list of statements, applied in one transaction with its version row.
MIGRATIONS: list[list[str]] = [
    # 1: the whole data model of DESIGN.md
    [
        """CREATE TABLE documents (
            id TEXT COLLATE "C" PRIMARY KEY,
            raw_sha TEXT NOT NULL,
            raw BYTEA NOT NULL,                 -- zlib-compressed input bytes, kept byte for byte
            format TEXT NOT NULL,
            raw_text TEXT NOT NULL,             -- text before cleaning; removed offsets point here
            text TEXT NOT NULL,                 -- clean text; every derived offset points here
            title TEXT,
            lang TEXT NOT NULL DEFAULT 'und',
            lang_confidence DOUBLE PRECISION NOT NULL DEFAULT 0,
            removed JSONB NOT NULL DEFAULT '[]',
            meta JSONB NOT NULL DEFAULT '{}',
            paragraphs JSONB NOT NULL DEFAULT '[]',
            sentences JSONB NOT NULL DEFAULT '[]',
            published JSONB,                    -- DateInfo
            published_value TEXT COLLATE "C",   -- published.value, for filters and sorting
            event_date JSONB,
            event_id TEXT COLLATE "C",
            story_id TEXT COLLATE "C",
            stage_versions JSONB NOT NULL DEFAULT '{}',
            created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
            ts_config REGCONFIG NOT NULL DEFAULT 'simple',
            tsv TSVECTOR GENERATED ALWAYS AS (
                setweight(to_tsvector(ts_config, coalesce(title, '')), 'A')
                || setweight(to_tsvector(ts_config, text), 'B')) STORED
        )""",
        "CREATE INDEX documents_lang ON documents(lang)",
        "CREATE INDEX documents_published ON documents(published_value)",
        "CREATE INDEX documents_event ON documents(event_id)",
        "CREATE INDEX documents_story ON documents(story_id)",
        "CREATE INDEX documents_tsv ON documents USING GIN (tsv)",
        """CREATE TABLE sources (
            doc_id TEXT COLLATE "C" NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            source TEXT NOT NULL,
            raw_sha TEXT NOT NULL,
            url TEXT, outlet TEXT, author TEXT, published TEXT, lang TEXT, title TEXT,
            extra JSONB NOT NULL DEFAULT '{}',
            seq INTEGER NOT NULL,
            PRIMARY KEY (doc_id, source)
        )""",
        "CREATE INDEX sources_raw ON sources(raw_sha, source)",
        "CREATE INDEX sources_source ON sources(source)",
        """CREATE TABLE entities (
            id TEXT COLLATE "C" PRIMARY KEY,
            key TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL,
            type TEXT NOT NULL,
            aliases JSONB NOT NULL DEFAULT '{}',   -- {lang: [surface forms]}
            meta JSONB NOT NULL DEFAULT '{}'
        )""",
        "CREATE INDEX entities_name ON entities(name)",
        """CREATE TABLE mentions (
            id TEXT COLLATE "C" PRIMARY KEY,
            doc_id TEXT COLLATE "C" NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            start INTEGER NOT NULL, "end" INTEGER NOT NULL,
            text TEXT NOT NULL,
            type TEXT NOT NULL,
            entity_id TEXT COLLATE "C",
            role TEXT,
            confidence DOUBLE PRECISION NOT NULL DEFAULT 1
        )""",
        "CREATE INDEX mentions_doc ON mentions(doc_id)",
        "CREATE INDEX mentions_entity ON mentions(entity_id)",
        """CREATE TABLE quotes (
            id TEXT COLLATE "C" PRIMARY KEY,
            doc_id TEXT COLLATE "C" NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            start INTEGER NOT NULL, "end" INTEGER NOT NULL,
            text TEXT NOT NULL,
            kind TEXT NOT NULL,
            cue TEXT, cue_start INTEGER, cue_end INTEGER,
            speaker_text TEXT, speaker_start INTEGER, speaker_end INTEGER,
            speaker_entity_id TEXT COLLATE "C"
        )""",
        "CREATE INDEX quotes_doc ON quotes(doc_id)",
        "CREATE INDEX quotes_speaker ON quotes(speaker_entity_id)",
        """CREATE TABLE times (
            id TEXT COLLATE "C" PRIMARY KEY,
            doc_id TEXT COLLATE "C" NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            start INTEGER NOT NULL, "end" INTEGER NOT NULL,
            text TEXT NOT NULL,
            type TEXT NOT NULL,
            value TEXT,
            anchor TEXT,
            mod TEXT
        )""",
        "CREATE INDEX times_doc ON times(doc_id)",
        """CREATE TABLE vectors (
            doc_id TEXT COLLATE "C" PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
            model TEXT NOT NULL,
            dim INTEGER NOT NULL,
            vec REAL[] NOT NULL                 -- becomes pgvector's vector type (see VECTOR_UPGRADE)
        )""",
        """CREATE TABLE events (
            id TEXT COLLATE "C" PRIMARY KEY,
            title TEXT NOT NULL DEFAULT '',
            date TEXT COLLATE "C", date_start TEXT, date_end TEXT,
            place TEXT,
            participants JSONB NOT NULL DEFAULT '[]',
            summary TEXT NOT NULL DEFAULT '',
            story_id TEXT COLLATE "C",
            meta JSONB NOT NULL DEFAULT '{}'
        )""",
        "CREATE INDEX events_story ON events(story_id)",
        "CREATE INDEX events_date ON events(date)",
        """CREATE TABLE stories (
            id TEXT COLLATE "C" PRIMARY KEY,
            title TEXT NOT NULL DEFAULT '',
            event_ids JSONB NOT NULL DEFAULT '[]',
            actors JSONB NOT NULL DEFAULT '[]',
            meta JSONB NOT NULL DEFAULT '{}'
        )""",
        """CREATE TABLE links (
            id TEXT COLLATE "C" PRIMARY KEY,
            src TEXT COLLATE "C" NOT NULL, dst TEXT COLLATE "C" NOT NULL,
            type TEXT NOT NULL,
            score DOUBLE PRECISION NOT NULL
        )""",
        "CREATE INDEX links_src ON links(src)",
        "CREATE INDEX links_dst ON links(dst)",
        "CREATE TABLE state (key TEXT COLLATE \"C\" PRIMARY KEY, value JSONB NOT NULL)",
        # the text-search configurations documents use, so a query is parsed with each of them
        "CREATE TABLE fts_configs (config REGCONFIG PRIMARY KEY)",
    ],
    # 2: near-duplicate detection state (MinHash signatures and LSH buckets of link/dedup.py)
    [
        "CREATE TABLE link_minhash (doc_id TEXT COLLATE \"C\" PRIMARY KEY, sig BYTEA NOT NULL)",
        "CREATE TABLE link_lsh (band INTEGER NOT NULL, bucket BIGINT NOT NULL, doc_id TEXT COLLATE \"C\" NOT NULL)",
        "CREATE INDEX link_lsh_bucket ON link_lsh(band, bucket)",
        "CREATE INDEX link_lsh_doc ON link_lsh(doc_id)",
    ],
]

SCHEMA_VERSION_TABLE = (
    "CREATE TABLE IF NOT EXISTS schema_version ("
    " version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
)

# pgvector: applied when the extension is available (at creation or on a later open)
VECTOR_UPGRADE = [
    "CREATE EXTENSION IF NOT EXISTS vector",
    "ALTER TABLE vectors ALTER COLUMN vec TYPE vector USING vec::vector",
]


def hnsw_index_sql(dim: int) -> str:
    """An HNSW cosine index over the vectors of one dimension (pgvector indexes need a fixed one)."""
    d = int(dim)
    return (f"CREATE INDEX IF NOT EXISTS vectors_hnsw_{d} ON vectors "
            f"USING hnsw ((vec::vector({d})) vector_cosine_ops) WHERE dim = {d}")


# RUM (Debian: postgresql-15-rum), applied when the server has it: a text index that also keeps
# lexeme positions, so ``ORDER BY tsv <=> query LIMIT k`` is answered from the index in rank order
# (GIN can only say which rows match; ranking them then reads every matching row's tsvector)
RUM_UPGRADE = [
    "CREATE EXTENSION IF NOT EXISTS rum",
    "CREATE INDEX IF NOT EXISTS documents_tsv_rum ON documents USING rum (tsv rum_tsvector_ops)",
]

# pg_trgm, applied when the server has it: sources, URLs and outlets indexed by trigrams, so the
# source filter (a substring, ILIKE '%x%') is looked up instead of scanning every source
TRGM_UPGRADE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS sources_trgm ON sources USING gin "
    "(source gin_trgm_ops, url gin_trgm_ops, outlet gin_trgm_ops)",
]

# how often each query word occurs, from the planner's statistics of the tsvector column (ANALYZE
# keeps the most common lexemes with the share of rows holding each): the largest share among the
# word's lexemes in every configuration in use, 0 for a word too rare to be listed (and for every
# word while the table holds fewer than 1000 documents: small corpora are ranked whole)
WORD_SHARES = """
WITH st AS (SELECT most_common_elems::text::text[] AS e, most_common_elem_freqs AS f FROM pg_stats
            WHERE schemaname = current_schema() AND tablename = 'documents' AND attname = 'tsv'),
     share AS (SELECT u.e, u.f FROM st, unnest(st.e, st.f) AS u(e, f) WHERE u.e IS NOT NULL)
SELECT w.word, CASE WHEN (SELECT reltuples FROM pg_class WHERE oid = 'documents'::regclass) < 1000 THEN 0
                    ELSE COALESCE(MAX(share.f), 0) END AS f
FROM unnest(%s::text[]) AS w(word) CROSS JOIN unnest(%s::regconfig[]) AS c(cfg)
LEFT JOIN LATERAL unnest(to_tsvector(c.cfg, w.word)) AS l ON true
LEFT JOIN share ON share.e = l.lexeme
GROUP BY w.word
"""

# ISO 639-1 code → PostgreSQL 15's built-in Snowball configuration; anything else uses "simple"
TS_CONFIGS = {
    "ar": "arabic", "hy": "armenian", "eu": "basque", "ca": "catalan", "da": "danish", "nl": "dutch",
    "en": "english", "fi": "finnish", "fr": "french", "de": "german", "el": "greek", "hi": "hindi",
    "hu": "hungarian", "id": "indonesian", "ga": "irish", "it": "italian", "lt": "lithuanian",
    "ne": "nepali", "no": "norwegian", "nb": "norwegian", "nn": "norwegian", "pt": "portuguese",
    "ro": "romanian", "ru": "russian", "sr": "serbian", "es": "spanish", "sv": "swedish", "ta": "tamil",
    "tr": "turkish", "yi": "yiddish",
}


def ts_config(lang: str | None, available: frozenset[str]) -> str:
    """The text-search configuration for a document language ("simple" when none fits)."""
    base = (lang or "").lower().replace("_", "-").split("-")[0]
    cfg = TS_CONFIGS.get(base, "simple")
    return cfg if cfg in available else "simple"


_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def query_words(query: str) -> list[str]:
    """A query's words (runs of letters and digits; never tsquery syntax), at most 64."""
    return _WORD.findall(query or "")[:64]


def text_query(query: str, configs: list[str], *, extra: list[str] | None = None) -> tuple[str, list[str]]:
    """A tsquery SQL expression (and its arguments) for a user's query: each word is a term, terms
    are ORed (ranking sorts it out), and the query is parsed with every configuration in
    ``configs`` plus "simple", so each document is matched with the stemming of its language.
    Words are runs of letters and digits, so user input can never be a tsquery syntax error;
    ``extra`` terms (prefixes ``word:*`` made by the caller from such words) are ORed in."""
    words = query_words(query) + list(extra or [])
    if not words:
        return "", []
    text = " | ".join(words)
    cfgs = sorted({"simple", *configs})
    expr = " || ".join("to_tsquery(%s::regconfig, %s)" for _ in cfgs)
    args: list[str] = []
    for c in cfgs:
        args += [c, text]
    return f"({expr})", args
