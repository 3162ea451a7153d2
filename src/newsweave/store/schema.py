"""SQLite schema as numbered migrations. ``PRAGMA user_version`` records how far a file is."""

from __future__ import annotations

MIGRATIONS: list[str] = [
    # 1: the whole data model of DESIGN.md
    """
    CREATE TABLE documents (
        id TEXT PRIMARY KEY,
        raw_sha TEXT NOT NULL,
        raw BLOB NOT NULL,                -- zlib-compressed input bytes, kept byte for byte
        format TEXT NOT NULL,
        raw_text TEXT NOT NULL,           -- text before cleaning; removed offsets point here
        text TEXT NOT NULL,               -- clean text; every derived offset points here
        title TEXT,
        lang TEXT NOT NULL DEFAULT 'und',
        lang_confidence REAL NOT NULL DEFAULT 0,
        removed TEXT NOT NULL DEFAULT '[]',
        meta TEXT NOT NULL DEFAULT '{}',
        paragraphs TEXT NOT NULL DEFAULT '[]',
        sentences TEXT NOT NULL DEFAULT '[]',
        published TEXT,                   -- DateInfo as JSON
        published_value TEXT,             -- published.value, for filters and sorting
        event_date TEXT,
        event_id TEXT,
        story_id TEXT,
        stage_versions TEXT NOT NULL DEFAULT '{}',
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
    );
    CREATE INDEX documents_lang ON documents(lang);
    CREATE INDEX documents_published ON documents(published_value);
    CREATE INDEX documents_event ON documents(event_id);
    CREATE INDEX documents_story ON documents(story_id);

    CREATE TABLE sources (
        doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        source TEXT NOT NULL,
        raw_sha TEXT NOT NULL,
        url TEXT, outlet TEXT, author TEXT, published TEXT, lang TEXT, title TEXT,
        extra TEXT NOT NULL DEFAULT '{}',
        seq INTEGER NOT NULL,
        PRIMARY KEY (doc_id, source)
    );
    CREATE INDEX sources_raw ON sources(raw_sha, source);
    CREATE INDEX sources_source ON sources(source);

    CREATE TABLE entities (
        id TEXT PRIMARY KEY,
        key TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        type TEXT NOT NULL,
        aliases TEXT NOT NULL DEFAULT '{}',   -- {lang: [surface forms]}
        meta TEXT NOT NULL DEFAULT '{}'
    );
    CREATE INDEX entities_name ON entities(name);

    CREATE TABLE mentions (
        id TEXT PRIMARY KEY,
        doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        start INTEGER NOT NULL, "end" INTEGER NOT NULL,
        text TEXT NOT NULL,
        type TEXT NOT NULL,
        entity_id TEXT,
        role TEXT,
        confidence REAL NOT NULL DEFAULT 1
    );
    CREATE INDEX mentions_doc ON mentions(doc_id);
    CREATE INDEX mentions_entity ON mentions(entity_id);

    CREATE TABLE quotes (
        id TEXT PRIMARY KEY,
        doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        start INTEGER NOT NULL, "end" INTEGER NOT NULL,
        text TEXT NOT NULL,
        kind TEXT NOT NULL,
        cue TEXT, cue_start INTEGER, cue_end INTEGER,
        speaker_text TEXT, speaker_start INTEGER, speaker_end INTEGER,
        speaker_entity_id TEXT
    );
    CREATE INDEX quotes_doc ON quotes(doc_id);
    CREATE INDEX quotes_speaker ON quotes(speaker_entity_id);

    CREATE TABLE times (
        id TEXT PRIMARY KEY,
        doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        start INTEGER NOT NULL, "end" INTEGER NOT NULL,
        text TEXT NOT NULL,
        type TEXT NOT NULL,
        value TEXT,
        anchor TEXT,
        mod TEXT
    );
    CREATE INDEX times_doc ON times(doc_id);

    CREATE TABLE vectors (
        doc_id TEXT PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
        model TEXT NOT NULL,
        dim INTEGER NOT NULL,
        vec BLOB NOT NULL                 -- float32 little-endian
    );

    CREATE TABLE events (
        id TEXT PRIMARY KEY,
        title TEXT NOT NULL DEFAULT '',
        date TEXT, date_start TEXT, date_end TEXT,
        place TEXT,
        participants TEXT NOT NULL DEFAULT '[]',
        summary TEXT NOT NULL DEFAULT '',
        story_id TEXT,
        meta TEXT NOT NULL DEFAULT '{}'
    );
    CREATE INDEX events_story ON events(story_id);
    CREATE INDEX events_date ON events(date);

    CREATE TABLE stories (
        id TEXT PRIMARY KEY,
        title TEXT NOT NULL DEFAULT '',
        event_ids TEXT NOT NULL DEFAULT '[]',
        actors TEXT NOT NULL DEFAULT '[]',
        meta TEXT NOT NULL DEFAULT '{}'
    );

    CREATE TABLE links (
        id TEXT PRIMARY KEY,
        src TEXT NOT NULL, dst TEXT NOT NULL,
        type TEXT NOT NULL,
        score REAL NOT NULL
    );
    CREATE INDEX links_src ON links(src);
    CREATE INDEX links_dst ON links(dst);

    CREATE TABLE state (key TEXT PRIMARY KEY, value TEXT NOT NULL);

    CREATE VIRTUAL TABLE documents_fts USING fts5(
        doc_id UNINDEXED, title, text, tokenize = 'unicode61 remove_diacritics 2'
    );
    """,
    # 2: near-duplicate detection state (MinHash signatures and LSH buckets of link/dedup.py)
    """
    CREATE TABLE IF NOT EXISTS link_minhash (
        doc_id TEXT PRIMARY KEY,
        sig BLOB NOT NULL
    );
    CREATE TABLE IF NOT EXISTS link_lsh (band INTEGER NOT NULL, bucket INTEGER NOT NULL, doc_id TEXT NOT NULL);
    CREATE INDEX IF NOT EXISTS link_lsh_bucket ON link_lsh(band, bucket);
    CREATE INDEX IF NOT EXISTS link_lsh_doc ON link_lsh(doc_id)
    """,
    # 3: hybrid search's posting index (search/postings.py), derived from documents: BM25 postings in
    #    segments, the postings made dead by deletes, and the queue of documents whose postings are due,
    #    filled by triggers. Replaces the stemmed FTS5 table that search kept beside the store.
    #    And a covering index for the columns search filters and counts.
    """
    CREATE TABLE IF NOT EXISTS search_segments (
        seg INTEGER PRIMARY KEY,
        level INTEGER NOT NULL,
        docs INTEGER NOT NULL,
        lens BLOB NOT NULL,               -- (rowid, length) pairs, uint32 little-endian
        langs TEXT NOT NULL DEFAULT '[]',
        ids TEXT NOT NULL DEFAULT ''      -- the documents' ids, one a line, in the order of lens
    );
    CREATE INDEX IF NOT EXISTS search_segments_level ON search_segments(level, seg);
    CREATE TABLE IF NOT EXISTS search_postings (
        kind INTEGER NOT NULL,            -- 0 surface words, 1 stems
        term TEXT NOT NULL,
        seg INTEGER NOT NULL,
        n INTEGER NOT NULL,
        docs BLOB NOT NULL,               -- document rowids, uint32 little-endian
        tfs BLOB NOT NULL                 -- term frequencies (title words twice), uint16 little-endian
    );
    CREATE UNIQUE INDEX IF NOT EXISTS search_postings_term ON search_postings(kind, term, seg);
    CREATE INDEX IF NOT EXISTS search_postings_seg ON search_postings(seg);
    CREATE TABLE IF NOT EXISTS search_dead (rowid INTEGER NOT NULL, seg INTEGER NOT NULL, PRIMARY KEY (rowid, seg));
    CREATE TABLE IF NOT EXISTS search_queue (rowid INTEGER PRIMARY KEY);
    CREATE TRIGGER IF NOT EXISTS search_queue_insert AFTER INSERT ON documents BEGIN INSERT OR IGNORE INTO search_queue VALUES (new.rowid); END;
    CREATE TRIGGER IF NOT EXISTS search_queue_update AFTER UPDATE OF title, text, lang ON documents BEGIN INSERT OR IGNORE INTO search_queue VALUES (new.rowid); END;
    CREATE TRIGGER IF NOT EXISTS search_queue_delete AFTER DELETE ON documents BEGIN INSERT OR IGNORE INTO search_queue VALUES (old.rowid); END;
    INSERT OR IGNORE INTO search_queue SELECT rowid FROM documents;
    DROP TABLE IF EXISTS search_stems;
    -- search filters and facets read these columns of hundreds of documents per query: from this
    -- covering index, never from the wide rows (their text would be read to reach the columns)
    CREATE INDEX IF NOT EXISTS documents_card ON documents(id, lang, published_value, event_id, story_id);
    -- and the documents of a language in a date range, straight from an index (a narrow filter)
    CREATE INDEX IF NOT EXISTS documents_lang_published ON documents(lang, published_value)
    """,
    # 4: the store's full-text index reads title and text from documents (external content, keyed
    #    by rowid) and is kept in step by triggers: no second copy of every text, and deleting a
    #    document no longer scans the index for its id (it had to: the id column was unindexed)
    """
    DROP TABLE IF EXISTS documents_fts;
    CREATE VIRTUAL TABLE documents_fts USING fts5(title, text, content = 'documents', content_rowid = 'rowid', tokenize = 'unicode61 remove_diacritics 2');
    CREATE TRIGGER documents_fts_insert AFTER INSERT ON documents BEGIN INSERT INTO documents_fts (rowid, title, text) VALUES (new.rowid, new.title, new.text); END;
    CREATE TRIGGER documents_fts_delete AFTER DELETE ON documents BEGIN INSERT INTO documents_fts (documents_fts, rowid, title, text) VALUES ('delete', old.rowid, old.title, old.text); END;
    CREATE TRIGGER documents_fts_update AFTER UPDATE OF title, text ON documents BEGIN INSERT INTO documents_fts (documents_fts, rowid, title, text) VALUES ('delete', old.rowid, old.title, old.text); INSERT INTO documents_fts (rowid, title, text) VALUES (new.rowid, new.title, new.text); END;
    INSERT INTO documents_fts (documents_fts) VALUES ('rebuild')
    """,
    # 5: the source filter looks documents up in an index instead of scanning their sources: a
    #    trigram index (substrings of three or more characters, case-insensitive) over each
    #    document's sources, URLs and outlets (one line each), keyed by the document's rowid so a
    #    filter's documents come out as rowids; kept in step by triggers on sources and documents
    """
    CREATE VIRTUAL TABLE IF NOT EXISTS doc_sources_fts USING fts5(sources, tokenize = 'trigram');
    CREATE TRIGGER IF NOT EXISTS doc_sources_fts_insert AFTER INSERT ON sources BEGIN DELETE FROM doc_sources_fts WHERE rowid = (SELECT rowid FROM documents WHERE id = new.doc_id); INSERT INTO doc_sources_fts (rowid, sources) SELECT d.rowid, (SELECT group_concat(s.source || char(10) || COALESCE(s.url, '') || char(10) || COALESCE(s.outlet, ''), char(10)) FROM sources s WHERE s.doc_id = d.id) FROM documents d WHERE d.id = new.doc_id; END;
    CREATE TRIGGER IF NOT EXISTS doc_sources_fts_update AFTER UPDATE OF doc_id, source, url, outlet ON sources BEGIN DELETE FROM doc_sources_fts WHERE rowid = (SELECT rowid FROM documents WHERE id = old.doc_id); INSERT INTO doc_sources_fts (rowid, sources) SELECT d.rowid, (SELECT group_concat(s.source || char(10) || COALESCE(s.url, '') || char(10) || COALESCE(s.outlet, ''), char(10)) FROM sources s WHERE s.doc_id = d.id) FROM documents d WHERE d.id = old.doc_id; DELETE FROM doc_sources_fts WHERE rowid = (SELECT rowid FROM documents WHERE id = new.doc_id); INSERT INTO doc_sources_fts (rowid, sources) SELECT d.rowid, (SELECT group_concat(s.source || char(10) || COALESCE(s.url, '') || char(10) || COALESCE(s.outlet, ''), char(10)) FROM sources s WHERE s.doc_id = d.id) FROM documents d WHERE d.id = new.doc_id; END;
    CREATE TRIGGER IF NOT EXISTS doc_sources_fts_delete AFTER DELETE ON sources BEGIN DELETE FROM doc_sources_fts WHERE rowid = (SELECT rowid FROM documents WHERE id = old.doc_id); INSERT INTO doc_sources_fts (rowid, sources) SELECT d.rowid, (SELECT group_concat(s.source || char(10) || COALESCE(s.url, '') || char(10) || COALESCE(s.outlet, ''), char(10)) FROM sources s WHERE s.doc_id = d.id) FROM documents d WHERE d.id = old.doc_id; END;
    CREATE TRIGGER IF NOT EXISTS doc_sources_fts_drop AFTER DELETE ON documents BEGIN DELETE FROM doc_sources_fts WHERE rowid = old.rowid; END;
    INSERT INTO doc_sources_fts (rowid, sources) SELECT d.rowid, (SELECT group_concat(s.source || char(10) || COALESCE(s.url, '') || char(10) || COALESCE(s.outlet, ''), char(10)) FROM sources s WHERE s.doc_id = d.id) FROM documents d
    """,
]
