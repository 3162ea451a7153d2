"""The exceptions newsweave raises. Faces translate them; nothing is swallowed silently.

    NewsweaveError
     ├── InputError          an input could not be read or parsed (names the input and why)
     │    └── EmptyInputError    the input has no text worth keeping
     ├── PipelineError       stages wired wrongly (names the stage and what is missing)
     ├── StageError          a stage failed on one document (names the stage and the input)
     ├── StoreError          the store cannot do what was asked
     │    └── NotFoundError      an id that is not in the store
     ├── ModelUnavailable    a model or optional dependency is missing (says how to install it)
     ├── EngineError         a distributed run (Ray) failed as a whole
     └── EvalError           an eval dataset is missing or malformed
"""

from __future__ import annotations


class NewsweaveError(Exception):
    """Base of every error newsweave raises on purpose."""


class InputError(NewsweaveError):
    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


class EmptyInputError(InputError):
    pass


class PipelineError(NewsweaveError):
    pass


class StageError(NewsweaveError):
    def __init__(self, stage: str, source: str, reason: str) -> None:
        super().__init__(f"{source}: stage {stage!r} failed: {reason}")
        self.stage = stage
        self.source = source
        self.reason = reason


class StoreError(NewsweaveError):
    pass


class NotFoundError(StoreError):
    def __init__(self, kind: str, ident: str) -> None:
        super().__init__(f"no {kind} with id {ident!r}")
        self.kind = kind
        self.ident = ident


class ModelUnavailable(NewsweaveError):
    pass


class EngineError(NewsweaveError):
    pass


class EvalError(NewsweaveError):
    pass
