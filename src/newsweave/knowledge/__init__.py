"""Versioned knowledge files (offices, anchors, entities, boilerplate, cues) and their loaders."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..errors import InputError


def read_json(path: Path, what: str) -> dict[str, Any]:
    """A knowledge file as a JSON object; a clear InputError naming the file otherwise."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(str(path), f"cannot read {what}: {exc}") from exc
    if not isinstance(data, dict):
        raise InputError(str(path), f"{what} must be a JSON object")
    return data
