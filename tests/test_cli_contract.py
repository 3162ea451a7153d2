"""The CLI contract of DESIGN.md, exercised through the real ``newsweave`` command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from newsweave.store import KINDS

pytestmark = pytest.mark.slow

NW = [sys.executable, "-m", "newsweave"]


def run(db: Path, *args: str, stdin: bytes | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "NEWSWEAVE_DB": ""}
    return subprocess.run([*NW, "--db", str(db), *args], input=stdin, capture_output=True, cwd=cwd, env=env,
                          timeout=600)


def export(db: Path, kind: str) -> list[dict[str, Any]]:
    r = run(db, "export", kind, "--format", "jsonl")
    assert r.returncode == 0, r.stderr.decode()
    return [json.loads(line) for line in r.stdout.decode().splitlines() if line.strip()]


@pytest.fixture(scope="module")
def seed_db(tmp_path_factory: pytest.TempPathFactory, seeds_dir: Path) -> Path:
    db = tmp_path_factory.mktemp("cli") / "seeds.db"
    r = run(db, "ingest", *sorted(str(p) for p in seeds_dir.glob("*.txt")))
    assert r.returncode == 0, r.stderr.decode()
    return db


def test_seeds_land(seed_db: Path, seed_expected: dict[str, Any]) -> None:
    docs = export(seed_db, "documents")
    assert len(docs) == 5
    langs = sorted(d["lang"] for d in docs)
    assert langs == ["de", "de", "de", "de", "en"]
    for d in docs:
        assert {"id", "source", "lang", "title", "text", "removed", "published", "event_id", "story_id"} <= set(d)
        for r in d["removed"]:
            assert {"start", "end", "reason", "text"} <= set(r)
            assert d["raw_text"][r["start"]:r["end"]] == r["text"]


def test_reingest_is_noop(seed_db: Path, seeds_dir: Path) -> None:
    before = export(seed_db, "documents")
    r = run(seed_db, "ingest", str(seeds_dir), "--glob", "*.txt")
    assert r.returncode == 0, r.stderr.decode()
    assert b"ingested 0" in r.stdout and b"unchanged 5" in r.stdout
    assert [d["id"] for d in export(seed_db, "documents")] == [d["id"] for d in before]


@pytest.mark.parametrize("kind", KINDS)
def test_export_kinds_have_ids(seed_db: Path, kind: str) -> None:
    for rec in export(seed_db, kind):
        assert rec["id"]
        if kind in ("mentions", "quotes", "times"):
            assert {"doc_id", "start", "end", "text"} <= set(rec)


@pytest.mark.parametrize("fmt", ["json", "csv", "md", "html", "graphml"])
def test_export_formats(seed_db: Path, fmt: str, tmp_path: Path) -> None:
    out = tmp_path / f"x.{fmt}"
    r = run(seed_db, "export", "documents", "--format", fmt, "-o", str(out))
    assert r.returncode == 0, r.stderr.decode()
    assert out.stat().st_size > 100


def test_bad_kind_and_format(seed_db: Path) -> None:
    r = run(seed_db, "export", "nonsense")
    assert r.returncode == 1 and b"valid kinds" in r.stderr
    r = run(seed_db, "export", "documents", "--format", "xml")
    assert r.returncode == 1 and b"valid formats" in r.stderr


def test_rejected_inputs_exit_3(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text("Die Regierung in Berlin hat am Montag einen neuen Haushalt vorgelegt. "
                    "Der Finanzminister sprach von einem soliden Plan für das kommende Jahr.", encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    binary = tmp_path / "blob.txt"
    binary.write_bytes(bytes(range(256)) * 20)
    db = tmp_path / "bad.db"
    r = run(db, "ingest", str(good), str(empty), str(binary))
    assert r.returncode == 3
    err = r.stderr.decode()
    assert "empty.txt" in err and "blob.txt" in err
    assert err.count("empty.txt") == 1
    assert len(export(db, "documents")) == 1


def test_stdin(tmp_path: Path) -> None:
    db = tmp_path / "stdin.db"
    text = (b"The city council of Lyon approved a new tram line on Tuesday. The mayor said the work would "
            b"start next spring and take two years.")
    r = run(db, "ingest", "-", stdin=text)
    assert r.returncode == 0, r.stderr.decode()
    (d,) = export(db, "documents")
    assert d["lang"] == "en" and "tram line" in d["text"]


def test_usage_error_exit_1(tmp_path: Path) -> None:
    r = run(tmp_path / "x.db", "ingest")
    assert r.returncode == 1


def test_every_command_has_help() -> None:
    import newsweave.cli_more  # noqa: F401
    from newsweave.cli import app, main  # noqa: F401 - main registers the extra commands

    for cmd in app.registered_commands:
        assert (cmd.help or (cmd.callback.__doc__ if cmd.callback else None)), f"{cmd.name} has no help text"
