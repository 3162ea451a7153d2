"""Ingest dates a pile's undated articles as a corpus before linking: an article that says only
"on Thursday ... Tuesday's flood" gets its day from the articles that date the flood, its times
are re-tagged against that day, and the evidence says the corpus decided it. Dates given by
metadata stay as they are. The texts are the project's own (a fictional flood)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from newsweave import api
from newsweave.engines import ingest_local
from newsweave.store import open_store

DATED = {
    "d1.txt": "Tuesday, 2 March 2021 - A flood swept through Riverton on 2 March 2021, officials said. "
    "The Riverton dam failed after days of rain.",
    "d2.txt": "Wednesday, 3 March 2021 - Rescuers in Riverton searched homes after the flood of 2 March 2021. "
    "The dam failure displaced hundreds.",
    "d3.txt": "Thursday, 4 March 2021 - Riverton counted the cost of the flood of 2 March 2021 as the dam "
    "was inspected and rain eased.",
    "d4.txt": "Monday, 8 March 2021 - Schools in Riverton reopened on 8 March 2021 after the flood, the "
    "council said, and the dam repairs began.",
}
UNDATED = (
    "Volunteers arrived in Riverton on Thursday to help families whose homes were hit by Tuesday's "
    "flood when the dam failed."
)
WITH_METADATA = "Riverton's mayor thanked the volunteers on Friday. The dam will be rebuilt next year."


@pytest.fixture()
def pile(tmp_path: Path) -> Path:
    for name, text in DATED.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "u1.txt").write_text(UNDATED, encoding="utf-8")
    (tmp_path / "m1.txt").write_text(WITH_METADATA, encoding="utf-8")
    (tmp_path / "m1.txt.meta.json").write_text(json.dumps({"published": "2021-03-12"}), encoding="utf-8")
    return tmp_path


def _by_file(store) -> dict[str, dict]:
    out = {}
    for r in store.iter_records("documents"):
        for s in r["sources"]:
            out[Path(s["source"]).name] = r
    return out


def _times(store, doc_id: str) -> dict[str, str | None]:
    return {t["text"]: t["value"] for t in store.iter_records("times", api.DocFilter(doc_id=doc_id))}


def test_an_undated_article_gets_its_day_from_the_pile(pile: Path) -> None:
    store = open_store(":memory:")
    report = api.ingest(store, [str(pile)], until="time")
    assert report.ingested == 6 and not report.rejected
    docs = _by_file(store)
    pub = docs["u1.txt"]["published"]
    assert pub["source"] == "inferred"
    # Tuesday's flood is 2 March; the volunteers' Thursday is 4 March: published 4-5 March
    assert date(2021, 3, 4) <= date.fromisoformat(pub["value"]) <= date(2021, 3, 5), pub["evidence"]
    assert any(e.startswith("corpus:") for e in pub["evidence"])
    # re-tagged against the new day: "Thursday" is the Thursday before it
    assert _times(store, docs["u1.txt"]["id"])["Thursday"] == "2021-03-04"


def test_dates_from_metadata_are_kept(pile: Path) -> None:
    store = open_store(":memory:")
    api.ingest(store, [str(pile)], until="time")
    pub = _by_file(store)["m1.txt"]["published"]
    assert pub["source"] == "metadata" and pub["value"] == "2021-03-12"
    assert not any(e.startswith("corpus:") for e in pub["evidence"])


def test_without_a_corpus_window_each_article_is_dated_alone(pile: Path) -> None:
    store = open_store(":memory:")
    api.ingest(store, [str(pile)], until="time", corpus_window=0)
    pub = _by_file(store)["u1.txt"]["published"]
    assert pub["value"] is None  # a weekday alone dates nothing
    assert not any(e.startswith("corpus:") for e in pub["evidence"])


def test_the_engine_path_stores_the_same_dates(pile: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    db = tmp_path_factory.mktemp("db") / "nw.db"
    ingest_local(str(db), [str(pile)], until="time")
    store = open_store(str(db))
    try:
        engine = {k: v["published"] for k, v in _by_file(store).items()}
    finally:
        store.close()
    mem = open_store(":memory:")
    api.ingest(mem, [str(pile)], until="time")
    assert engine == {k: v["published"] for k, v in _by_file(mem).items()}


def test_a_small_window_still_dates_what_it_holds(pile: Path) -> None:
    """Windows of two documents: the undated article meets at most one dated one, which is
    not enough to tie it to the flood; nothing is invented and every document is stored."""
    store = open_store(":memory:")
    report = api.ingest(store, [str(pile)], until="time", corpus_window=2)
    assert report.ingested == 6
    pub = _by_file(store)["u1.txt"]["published"]
    assert pub["value"] is None or date(2021, 3, 2) <= date.fromisoformat(pub["value"]) <= date(2021, 3, 9)


def _cli_ingest(db: Path, pile: Path, *extra: str) -> dict[str, dict]:
    env = {**os.environ, "NEWSWEAVE_DB": ""}
    r = subprocess.run([sys.executable, "-m", "newsweave", "--db", str(db), "ingest", str(pile), "--until", "time",
                        *extra], capture_output=True, env=env, timeout=600)
    assert r.returncode == 0, r.stderr.decode()
    store = open_store(str(db))
    try:
        return _by_file(store)
    finally:
        store.close()


@pytest.mark.slow
def test_the_cli_sets_the_corpus_window(pile: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    tmp = tmp_path_factory.mktemp("cli")
    together = _cli_ingest(tmp / "a.db", pile)["u1.txt"]["published"]
    alone = _cli_ingest(tmp / "b.db", pile, "--corpus-window", "0")["u1.txt"]["published"]
    assert together["value"] is not None and any(e.startswith("corpus:") for e in together["evidence"])
    assert alone["value"] is None and not any(e.startswith("corpus:") for e in alone["evidence"])
    bad = subprocess.run([sys.executable, "-m", "newsweave", "--db", str(tmp / "c.db"), "ingest", str(pile),
                          "--corpus-window", "-1"], capture_output=True, timeout=600)
    assert bad.returncode != 0 and b"--corpus-window" in bad.stderr


@pytest.mark.slow
@pytest.mark.integration
def test_the_ray_engine_sets_the_corpus_window(pile: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    ray = pytest.importorskip("ray", reason='Ray is not installed (pip install "ray[data]==2.60.0")')
    from newsweave.engines.ray_engine import ingest_ray

    tmp = tmp_path_factory.mktemp("ray")
    mine = not ray.is_initialized()
    if mine:
        ray.init(num_cpus=1, include_dashboard=False, log_to_driver=False, logging_level="ERROR")
    try:
        ingest_ray(str(tmp / "a.db"), [str(pile)], until="time", batch_size=4)
        ingest_ray(str(tmp / "b.db"), [str(pile)], until="time", batch_size=4, corpus_window=0)
    finally:
        if mine:
            ray.shutdown()
    together, alone = (open_store(str(tmp / name)) for name in ("a.db", "b.db"))
    try:
        assert _by_file(together)["u1.txt"]["published"]["value"] is not None
        assert _by_file(alone)["u1.txt"]["published"]["value"] is None
    finally:
        together.close()
        alone.close()
