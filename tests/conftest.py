"""Shared fixtures: the shared data folder, the seeds, a seeded database built once per session."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # store_suite

from newsweave.paths import shared_dir


@pytest.fixture(scope="session")
def shared() -> Path:
    d = shared_dir()
    if d is None:
        pytest.skip("the shared data folder (../shared beside the repo, or $NEWSWEAVE_SHARED) is absent")
    return d


@pytest.fixture(scope="session")
def seeds_dir(shared: Path) -> Path:
    d = shared / "corpus" / "seeds"
    if not d.is_dir():
        pytest.skip(f"seed corpus missing at {d}")
    return d


@pytest.fixture(scope="session")
def seed_expected(seeds_dir: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((seeds_dir / "expected.json").read_text(encoding="utf-8"))
    return data
