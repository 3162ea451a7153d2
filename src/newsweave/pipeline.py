"""Assemble the per-document stages, check their wiring, run them over batches.

A stage is a small object with a ``name``, a ``version``, the document fields it ``requires``
and the fields it ``adds``, an optional ``load()`` for heavy models (called lazily, once per
process), and ``__call__(doc) -> doc``. Stages that work better on batches (spaCy's
``nlp.pipe``, an embedding model) may also define ``batch(docs) -> docs``.

The pipeline is checked when it is assembled: a stage whose requirement no earlier stage adds
is rejected with a message naming it and listing what is available. Corpus-level steps that
need the store (events, stories) run after the documents are written; see ``api.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from .errors import PipelineError, StageError
from .model import Document

# Fields present on every document as ingest makes it.
INGEST_FIELDS = frozenset({"raw", "format", "sources"})


@runtime_checkable
class Stage(Protocol):
    name: str
    version: str
    requires: frozenset[str]
    adds: frozenset[str]

    def __call__(self, doc: Document) -> Document: ...


def run_batch(stage: Stage, docs: list[Document]) -> list[Document]:
    batch = getattr(stage, "batch", None)
    if callable(batch):
        out: list[Document] = batch(docs)
        return out
    return [stage(d) for d in docs]


def ensure_loaded(stage: Stage) -> None:
    """Load a stage's model once per process (stages keep their own 'loaded' flag)."""
    load = getattr(stage, "load", None)
    if callable(load):
        load()


@dataclass
class Pipeline:
    stages: list[Stage]
    available: frozenset[str] = field(default=INGEST_FIELDS)

    def __post_init__(self) -> None:
        have = set(self.available)
        seen: set[str] = set()
        for st in self.stages:
            if st.name in seen:
                raise PipelineError(f"stage {st.name!r} appears twice in the pipeline")
            seen.add(st.name)
            missing = set(st.requires) - have
            if missing:
                raise PipelineError(
                    f"stage {st.name!r} requires {sorted(missing)}, which no earlier stage adds; "
                    f"available at that point: {sorted(have)}"
                )
            have |= set(st.adds)

    @property
    def names(self) -> list[str]:
        return [s.name for s in self.stages]

    def until(self, name: str) -> Pipeline:
        """The pipeline cut after the stage called ``name`` (for ``--until``)."""
        if name not in self.names:
            raise PipelineError(f"unknown stage {name!r}; valid stages: {', '.join(self.names)}")
        return Pipeline(self.stages[: self.names.index(name) + 1], self.available)

    def versions(self) -> dict[str, str]:
        return {s.name: s.version for s in self.stages}

    def run(
        self,
        docs: Sequence[Document],
        on_error: Callable[[Document, StageError], None] | None = None,
    ) -> list[Document]:
        """Run every stage over a batch. A document that fails a stage is reported through
        ``on_error`` and dropped from the batch; the others go on."""
        current = list(docs)
        for st in self.stages:
            ensure_loaded(st)
            try:
                current = run_batch(st, current)
            except Exception:
                # the batch failed as a whole: retry document by document to isolate the bad one
                survivors = []
                for d in current:
                    try:
                        survivors.extend(run_batch(st, [d]))
                    except Exception as exc:  # reported with the stage's name
                        err = StageError(st.name, d.source, f"{type(exc).__name__}: {exc}")
                        if on_error is None:
                            raise err from exc
                        on_error(d, err)
                current = survivors
            for d in current:
                d.stage_versions[st.name] = st.version
        return current


def default_stage_names() -> list[str]:
    return ["clean", "language", "segment", "time", "entities", "quotes", "embed"]


def build_pipeline(names: Iterable[str] | None = None, **options: object) -> Pipeline:
    """The default per-document pipeline; ``options`` go to the stage factories."""
    from .stages import registry

    chosen = list(names) if names is not None else default_stage_names()
    return Pipeline([registry.make(n, **options) for n in chosen])
