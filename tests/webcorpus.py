"""Test helpers for search, REST and web UI tests: a corpus database built once per test run, and a
real uvicorn server on a free 127.0.0.1 port.

The corpus is the five seeds (from the shared folder, when present), the bundled sample corpus and
one article of our own whose text contains an HTML/script payload (it must render as text).
Ingest runs the real pipeline through ``newsweave.api.ingest``; stages not installed yet in this
checkout are left out (``until=`` the last one present), and tests that need their output skip.
"""

from __future__ import annotations

import contextlib
import importlib.util
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from newsweave import api
from newsweave.paths import shared_dir
from newsweave.pipeline import INGEST_FIELDS, build_pipeline, default_stage_names

XSS_MARKER = "Harbour council approves ferry timetable"
XSS_TEXT = f"""{XSS_MARKER}

The harbour council of a small coastal town voted on Tuesday to keep the winter ferry timetable.
A reader comment pasted into the article read <script>window.__pwned = 1; alert("xss")</script> and
<img src=x onerror="window.__pwned = 2"> which the site printed verbatim.
Councillors said the timetable would be reviewed again next spring after a public consultation.
"""

_built: dict[str, Path] = {}
_lock = threading.Lock()


def available_stages() -> list[str]:
    """The default stages that can run in this checkout, in order (a stage whose module is not
    written yet is left out, and so is every stage that needs what it adds)."""
    from newsweave.stages import registry

    have = set(INGEST_FIELDS)
    out = []
    for name in default_stage_names():
        try:
            stage = registry.make(name)
        except ImportError:
            continue
        if set(stage.requires) - have:
            continue
        have |= set(stage.adds)
        out.append(name)
    return out


def seed_paths() -> list[str]:
    sh = shared_dir()
    if sh is None or not (sh / "corpus" / "seeds").is_dir():
        return []
    return sorted(str(p) for p in (sh / "corpus" / "seeds").glob("*.txt"))


def _ingest(store: Any, paths: list[str]) -> None:
    names = available_stages()
    complete = names == default_stage_names()
    pipe = None if complete else build_pipeline(names)
    until = None if complete else names[-1]
    try:
        report = api.ingest(store, paths, until=until, pipeline=pipe)
    except ImportError as exc:  # the corpus-level linker is half-installed in this checkout
        if importlib.util.find_spec("newsweave.link") is None:
            raise
        pytest.skip(f"the event linker cannot be imported yet: {exc}")
    assert report.ingested >= len(paths) - len(report.rejected) - 2, report.as_dict()


def corpus_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The path of the shared test corpus database (built on first use in this process)."""
    with _lock:
        if "db" not in _built:
            root = tmp_path_factory.mktemp("webcorpus")
            extra = root / "inputs"
            extra.mkdir()
            xss = extra / "harbour-council-en.txt"
            xss.write_text(XSS_TEXT, encoding="utf-8")
            db = root / "corpus.db"
            store = api.open_db(db)
            _ingest(store, [*seed_paths(), *api.sample_paths(), str(xss)])
            store.close()
            _built["db"] = db
        return _built["db"]


def free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def running_server(db: Path, **options: Any) -> Iterator[str]:
    """A real uvicorn server over ``db`` in a thread; yields its base URL and stops it after."""
    import uvicorn

    from newsweave.rest import create_app

    store = api.open_db(db)
    app = create_app(store, **options)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        store.close()


def find_doc(store: Any, name: str) -> str | None:
    """The id of the document whose source path ends with ``name``."""
    for r in store.iter_records("documents"):
        if any(s["source"].endswith(name) for s in r["sources"]):
            return str(r["id"])
    return None
