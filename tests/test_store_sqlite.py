"""The shared store suite against SQLite (in memory and on disk), plus SQLite specifics."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsweave.errors import StoreError
from newsweave.store import open_store
from newsweave.store.sqlite import SQLiteStore
from store_suite import EventStoryTest, ReadRecordsTest, RoundTripPropertyTest, WriteDocumentsTest, make_doc


class TestSQLiteMemory(WriteDocumentsTest, ReadRecordsTest, EventStoryTest, RoundTripPropertyTest):
    @pytest.fixture
    def store(self) -> Iterator[SQLiteStore]:
        s = SQLiteStore(":memory:")
        yield s
        s.close()


class TestSQLiteFile(WriteDocumentsTest, ReadRecordsTest, EventStoryTest):
    @pytest.fixture
    def store(self, tmp_path: Path) -> Iterator[SQLiteStore]:
        s = SQLiteStore(tmp_path / "t.db")
        yield s
        s.close()


def test_wal_and_schema_version(tmp_path: Path) -> None:
    s = SQLiteStore(tmp_path / "w.db")
    assert s.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    v = s.conn.execute("PRAGMA user_version").fetchone()[0]
    s.close()
    s2 = SQLiteStore(tmp_path / "w.db")  # reopening migrates nothing and keeps data
    assert s2.conn.execute("PRAGMA user_version").fetchone()[0] == v
    s2.close()


def test_newer_schema_refused(tmp_path: Path) -> None:
    p = tmp_path / "n.db"
    c = sqlite3.connect(p)
    c.execute("PRAGMA user_version=999")
    c.close()
    with pytest.raises(StoreError, match="newer"):
        SQLiteStore(p)


def test_not_a_database(tmp_path: Path) -> None:
    p = tmp_path / "junk.db"
    p.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="not a newsweave database"):
        SQLiteStore(p)


def test_missing_folder() -> None:
    with pytest.raises(StoreError, match="does not exist"):
        open_store("/nonexistent/folder/x.db")


def test_raw_kept_compressed(tmp_path: Path) -> None:
    s = SQLiteStore(tmp_path / "r.db")
    d = make_doc("x" * 10000)
    s.write_document(d)
    size = s.conn.execute("SELECT length(raw) FROM documents").fetchone()[0]
    assert size < 1000 and s.load_document(d.id).raw == d.raw
    s.close()
