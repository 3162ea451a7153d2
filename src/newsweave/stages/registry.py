"""Stage factories by name. Each stage module registers itself; heavy imports stay lazy."""

from __future__ import annotations

import importlib
from typing import Any

from ..errors import PipelineError

# name -> "module:factory"; the module is imported only when the stage is made
_FACTORIES: dict[str, str] = {
    "clean": "newsweave.stages.clean:CleanStage",
    "language": "newsweave.stages.language:LanguageStage",
    "segment": "newsweave.stages.segment:SegmentStage",
    "time": "newsweave.stages.time:TimeStage",
    "entities": "newsweave.stages.entities:EntitiesStage",
    "quotes": "newsweave.stages.quotes:QuotesStage",
    "embed": "newsweave.stages.embed:EmbedStage",
}


def names() -> list[str]:
    return list(_FACTORIES)


def make(name: str, **options: Any) -> Any:
    if name not in _FACTORIES:
        raise PipelineError(f"unknown stage {name!r}; valid stages: {', '.join(_FACTORIES)}")
    module, _, attr = _FACTORIES[name].partition(":")
    cls = getattr(importlib.import_module(module), attr)
    return cls(**{k: v for k, v in options.items() if k in getattr(cls, "options", ())})
