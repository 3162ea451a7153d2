"""Where things are: the package's data, the shared development data beside the repo."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
KNOWLEDGE_DIR = PACKAGE_DIR / "knowledge"
MODELS_DIR = PACKAGE_DIR / "models"
SAMPLE_DIR = PACKAGE_DIR / "sample"
REPO_DIR = PACKAGE_DIR.parent.parent  # src/newsweave -> repo (in a source checkout)


def shared_dir() -> Path | None:
    """The shared development data (``../shared`` beside the repo, or $NEWSWEAVE_SHARED).

    Returns None when it is absent; tests that need it skip with that reason."""
    env = os.environ.get("NEWSWEAVE_SHARED")
    candidates = [Path(env)] if env else []
    candidates += [REPO_DIR.parent / "shared", Path.cwd().parent / "shared", Path.cwd() / "shared"]
    for c in candidates:
        if (c / "data").is_dir() or (c / "corpus").is_dir():
            return c.resolve()
    return None
