"""``newsweave eval TASK --data PATH``: one module per task, each with ``evaluate`` and
``format_report``. Floors that CI enforces live in ``eval/floors/<task>.json``."""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

from ..errors import EvalError

TASKS = ("extraction", "ner", "time", "quotes", "dating", "timeline")
FLOORS_DIR = Path(__file__).resolve().parent / "floors"


def run_eval(task: str, data: Path, **opts: Any) -> tuple[str, dict[str, Any]]:
    if task not in TASKS:
        raise EvalError(f"unknown eval task {task!r}; valid tasks: {', '.join(TASKS)}")
    if not Path(data).exists():
        raise EvalError(f"eval data {str(data)!r} does not exist")
    try:
        mod = importlib.import_module(f"newsweave.eval.{task}")
    except ImportError as exc:
        raise EvalError(f"eval task {task!r} is not available in this installation: {exc}") from exc
    metrics: dict[str, Any] = mod.evaluate(Path(data), **{k: v for k, v in opts.items() if v is not None})
    return mod.format_report(metrics), metrics


def floors(task: str) -> dict[str, Any]:
    """The minimum figures CI enforces for a task (empty when none are set)."""
    p = FLOORS_DIR / f"{task}.json"
    data: dict[str, Any] = json.loads(p.read_text()) if p.exists() else {}
    return data
