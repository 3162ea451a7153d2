"""The seed facts of ``../shared/corpus/seeds/expected.json``, checked through the fixed CLI and
export contract by the shared seed checker, area by area, exactly as it is run on main."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.integration]

# Areas that must pass completely. Everything listed in expected.json is asserted.
AREAS = ["clean", "time", "entities", "quotes", "events"]


@pytest.fixture(scope="module")
def seed_db(tmp_path_factory: pytest.TempPathFactory, seeds_dir: Path) -> Path:
    db = tmp_path_factory.mktemp("seedcheck") / "seeds.db"
    nw = Path(sys.executable).with_name("newsweave")
    r = subprocess.run([str(nw), "--db", str(db), "ingest", *sorted(str(p) for p in seeds_dir.glob("*.txt"))],
                       capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr
    return db


@pytest.mark.parametrize("area", AREAS)
def test_seed_area(area: str, seed_db: Path, shared: Path, seeds_dir: Path) -> None:
    checker = shared / "tools" / "seedcheck.py"
    if not checker.exists():
        pytest.skip(f"seed checker missing at {checker}")
    nw = Path(sys.executable).with_name("newsweave")
    r = subprocess.run([sys.executable, str(checker), str(nw), str(seed_db), str(seeds_dir / "expected.json"), area],
                       capture_output=True, text=True, timeout=600)
    m = re.search(rf"{area}: (\d+)/(\d+) seed facts", r.stdout)
    assert m, r.stdout + r.stderr
    passed, total = int(m.group(1)), int(m.group(2))
    assert total > 0
    assert passed == total, f"{area}: {passed}/{total}\n{r.stdout}"
