"""Bad input and crashes: every good document lands, each bad input is reported once, a run
killed with SIGKILL leaves a consistent database that the same command then completes."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from newsweave import api
from newsweave.synthetic import write_corpus

NW = [sys.executable, "-m", "newsweave"]
# Large enough that a run up to segmentation is still going when the first documents are seen.
N_KILL = 2000
WINDOW = 100  # documents written in one transaction (the corpus-dating window)


def _consistent(db: Path) -> int:
    c = sqlite3.connect(db)
    assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    n = c.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
    assert c.execute("SELECT COUNT(*) FROM documents_fts").fetchone()[0] == n
    assert c.execute("SELECT COUNT(*) FROM documents d WHERE NOT EXISTS "
                     "(SELECT 1 FROM sources s WHERE s.doc_id = d.id)").fetchone()[0] == 0
    assert c.execute("SELECT COUNT(*) FROM mentions m WHERE NOT EXISTS "
                     "(SELECT 1 FROM documents d WHERE d.id = m.doc_id)").fetchone()[0] == 0
    c.close()
    return int(n)


@pytest.mark.slow
@pytest.mark.integration
def test_kill_9_then_rerun(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    write_corpus(corpus, N_KILL, seed=3)
    db = tmp_path / "k.db"
    cmd = [*NW, "--db", str(db), "ingest", str(corpus), "--until", "segment", "--corpus-window", str(WINDOW)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 120
    landed = 0
    while time.time() < deadline:
        time.sleep(0.05)
        if db.exists():
            try:
                landed = sqlite3.connect(db, timeout=1).execute("SELECT COUNT(*) FROM documents").fetchone()[0]
            except sqlite3.Error:
                continue
            if landed >= 20:
                break
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert 0 < landed < N_KILL, f"the run should have been killed half-way ({landed} landed)"
    assert landed % WINDOW == 0, f"a window of documents lands whole ({landed} landed)"
    _consistent(db)
    r = subprocess.run(cmd, capture_output=True, timeout=600)
    assert r.returncode == 0, r.stderr.decode()
    assert _consistent(db) == N_KILL


@pytest.mark.slow
def test_mixed_bad_inputs(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    good = write_corpus(folder / "good", 30, seed=5)
    bad = folder / "bad"
    bad.mkdir()
    (bad / "empty.txt").write_bytes(b"")
    (bad / "binary.txt").write_bytes(os.urandom(3000).replace(b"\n", b"\0"))
    (bad / "broken.json").write_text('{"title": "x", "text": ', encoding="utf-8")
    (bad / "lines.jsonl").write_text(
        json.dumps({"title": "Good line", "text": "Der Bürgermeister von Köln eröffnete am Freitag eine neue "
                    "Brücke über den Rhein. Die Bauarbeiten hatten vier Jahre gedauert."}) + "\n{not json\n",
        encoding="utf-8")
    (bad / "latin1.txt").write_bytes(
        "Die Stadtwerke in München erhöhen die Preise für Fernwärme ab dem kommenden Jahr deutlich, "
        "teilte das Unternehmen am Dienstag mit. Größere Haushalte müssen mit höheren Kosten rechnen.".encode("latin-1"))
    (bad / "truncated.html").write_text(
        "<html><head><title>Neue Brücke</title></head><body><article><p>Der Stadtrat von Bonn hat am Mittwoch "
        "den Bau einer neuen Brücke beschlossen. Die Kosten liegen bei vierzig Millionen Euro, sagte der "
        "Oberbürgermeister nach der Sitzung.</p><p>Die Arbeiten sollen im Frühjahr begin", encoding="utf-8")
    store = api.open_db(tmp_path / "m.db")
    report = api.ingest(store, [str(folder)], until="segment")
    rejected = {Path(s.split("#")[0]).name for s, _ in report.rejected}
    assert {"empty.txt", "binary.txt", "broken.json"} <= rejected
    assert len(report.rejected) == len({s for s, _ in report.rejected}), "each bad input is reported once"
    assert any(s.startswith(str(bad / "lines.jsonl")) for s, _ in report.rejected)
    texts = [d["text"] for d in store.iter_records("documents")]
    assert any("Fernwärme" in t for t in texts), "latin-1 input decoded"
    assert any("Brücke über den Rhein" in t for t in texts), "good JSONL line landed"
    assert any("neuen Brücke beschlossen" in t for t in texts), "truncated HTML still extracted"
    assert report.ingested == len(good) + 3


@pytest.mark.slow
def test_200_mb_file_is_refused_with_its_size(tmp_path: Path) -> None:
    big = tmp_path / "huge.txt"
    with big.open("wb") as fh:
        chunk = b"Die Stadt baut eine neue Bruecke ueber den Fluss. " * 20000
        while fh.tell() < 200_000_000:
            fh.write(chunk)
    small = write_corpus(tmp_path / "ok", 3, seed=9)
    store = api.open_db(tmp_path / "big.db")
    report = api.ingest(store, [str(big), *map(str, small)], until="segment")
    assert [s for s, _ in report.rejected] == [str(big)]
    assert "larger than" in report.rejected[0][1]
    assert report.ingested == 3


@pytest.mark.slow
@pytest.mark.integration
def test_directory_of_10000_files_some_bad(tmp_path: Path) -> None:
    folder = tmp_path / "many"
    write_corpus(folder, 9980, seed=11)
    bad = folder / "bad"
    bad.mkdir()
    for i in range(10):
        (bad / f"empty-{i}.txt").write_bytes(b"")
        (bad / f"broken-{i}.json").write_text('{"text": "unterminated', encoding="utf-8")
    store = api.open_db(tmp_path / "many.db")
    report = api.ingest(store, [str(folder)], until="segment")
    assert len(report.rejected) == 20 == len({s for s, _ in report.rejected})
    assert report.ingested + report.duplicates == 9980
    assert store.count("documents") == report.ingested
