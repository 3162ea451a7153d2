"""The Python API. The CLI, the REST API and the web UI are thin layers over these functions.

    >>> from newsweave import api
    >>> store = api.open_db("news.db")
    >>> report = api.ingest(store, ["articles/"])
    >>> [d["title"] for d in api.articles(store, lang="de")]
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import InputError, NewsweaveError, PipelineError, StageError, StoreError
from .model import Document, RawItem
from .paths import SAMPLE_DIR
from .pipeline import Pipeline, build_pipeline, default_stage_names
from .store import KINDS, DocFilter, Store, open_store

__all__ = [
    "KINDS", "DocFilter", "IngestReport", "articles", "export_records", "ingest", "open_db", "sample_paths",
    "show", "status",
]

ProgressFn = Callable[[int, str], None]  # (items done so far, current source)


def open_db(url: str | Path | None = None) -> Store:
    return open_store(url)


@dataclass
class IngestReport:
    ingested: int = 0  # new documents stored
    duplicates: int = 0  # same content as a stored document: one more source for it
    unchanged: int = 0  # the same bytes from the same source were ingested before
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (source, reason)
    languages: Counter[str] = field(default_factory=Counter)
    doc_ids: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.rejected

    def as_dict(self) -> dict[str, Any]:
        return {
            "ingested": self.ingested, "duplicates": self.duplicates, "unchanged": self.unchanged,
            "rejected": [{"source": s, "reason": r} for s, r in self.rejected],
            "languages": dict(self.languages),
        }


def sample_paths() -> list[str]:
    """The bundled sample corpus: every article file (the truth file and README excluded)."""
    return [str(SAMPLE_DIR / "corpus")]


def sample_manifest() -> str | None:
    m = SAMPLE_DIR / "corpus" / "manifest.csv"
    return str(m) if m.exists() else None


def linker_for(store: Store) -> Any | None:
    """The corpus-level linking step (events, stories) with its neighbour index and copy
    detector open. Raises StoreError when the store cannot link (then ingest with
    ``link=False`` / ``--no-link``)."""
    from .link import Linker

    linker = Linker(store)
    try:
        _ = linker.index, linker.dedup
    except (AttributeError, NotImplementedError) as exc:
        raise StoreError(
            f"the linking step (events, stories) does not run on {type(store).__name__} yet "
            f"({type(exc).__name__}: {exc}); ingest with link=False (CLI: --no-link) to run "
            "every per-document stage without it") from exc
    return linker


def iter_items(paths: Sequence[str], **opts: Any) -> Iterator[RawItem | InputError]:
    from .stages.ingest import iter_items as _iter

    yield from _iter(paths, **opts)


def ingest(
    store: Store,
    paths: Sequence[str],
    *,
    until: str | None = None,
    pattern: str | None = None,
    field_map: dict[str, str] | None = None,
    manifest: str | None = None,
    batch_size: int = 16,
    progress: ProgressFn | None = None,
    pipeline: Pipeline | None = None,
    link: bool = True,
    corpus_window: int | None = None,
    items: Iterable[RawItem | InputError] | None = None,
) -> IngestReport:
    """Read every input, run the pipeline, then store, count and link the documents in input
    order (``engines.local.Committer``: the inferred dates of each window of documents are
    settled together first, see ``stages.time.redate_corpus``).

    ``items`` replaces reading ``paths`` with inputs already read elsewhere (the REST API's
    request bodies, see ``stages.ingest.read_bytes``), each with the source name it should keep.

    Bad inputs are reported in ``IngestReport.rejected`` (each once, with its source and the
    reason) and skipped; the good ones land. Re-running the same command is a no-op for what
    already landed, so an interrupted run is finished by running it again. ``corpus_window``:
    documents dated together (default ``engines.local.CORPUS_WINDOW``; 0: each on its own)."""
    from .engines.local import CORPUS_WINDOW, EMPTY_TEXT, Committer, Outcome
    from .stages.ingest import to_document

    names = default_stage_names()
    if until and until not in names:
        raise PipelineError(f"unknown stage {until!r} for --until; valid stages: {', '.join(names)}")
    if pipeline is None:
        pipe = build_pipeline(names[: names.index(until) + 1] if until else names)
    else:
        pipe = pipeline.until(until) if until else pipeline
    # events and stories need every per-document stage's output
    committer = Committer(store, link=link and pipe.names[-1] == names[-1],
                          corpus_window=CORPUS_WINDOW if corpus_window is None else corpus_window)
    report = committer.report
    batch: list[Document] = []

    def reject(source: str, reason: str) -> None:
        committer.take(Outcome("reject", source, reason))

    def flush() -> None:
        if not batch:
            return
        out = pipe.run(batch, on_error=lambda d, e: reject(d.source, e.reason if isinstance(e, StageError) else str(e)))
        for doc in out:
            committer.take(Outcome("reject", doc.source, EMPTY_TEXT) if not doc.text.strip() else Outcome("doc", doc.source, doc=doc))
        batch.clear()

    opts: dict[str, Any] = {"pattern": pattern, "field_map": field_map, "manifest": manifest}
    inputs = items if items is not None else iter_items(paths, **{k: v for k, v in opts.items() if v is not None})
    for done, item in enumerate(inputs, start=1):
        if isinstance(item, InputError):
            reject(item.source, item.reason)
        else:
            try:
                doc = to_document(item)
            except NewsweaveError as exc:
                reject(item.source.source, str(exc))
            else:
                # the store keys sources by the document's own bytes (a JSON record's text, not the file's)
                if store.known_raw(hashlib.sha256(doc.raw).hexdigest(), item.source.source):
                    committer.take(Outcome("unchanged", item.source.source))
                else:
                    batch.append(doc)
                    if len(batch) >= batch_size:
                        flush()
        if progress:
            progress(done, item.source if isinstance(item, InputError) else item.source.source)
    flush()
    committer.finish()
    return report


def sync_search_index(store: Store) -> None:
    """Pay for the search module's posting index at ingest time, not on the first search."""
    from .search.postings import PostingIndex

    idx = PostingIndex.for_store(store)
    if idx is not None:
        idx.sync()


def status(store: Store) -> dict[str, Any]:
    out = store.stats()
    out["db"] = store.url
    return out


def articles(
    store: Store, flt: DocFilter | None = None, *, limit: int = 50, after: str | None = None
) -> list[dict[str, Any]]:
    return list(store.iter_records("documents", flt, limit=limit, after=after))


def show(store: Store, doc_id: str) -> dict[str, Any]:
    """One document with everything derived from it."""
    doc = store.get_document(resolve_id(store, "documents", doc_id))
    for kind in ("mentions", "quotes", "times"):
        rows = store.iter_records(kind, DocFilter(doc_id=doc["id"]))
        doc[kind] = sorted(rows, key=lambda r: (r["start"], r["end"]))
    return doc


def resolve_id(store: Store, kind: str, prefix: str) -> str:
    """Accept a unique id prefix, as git does for commits."""
    try:
        store.get_record(kind, prefix)
        return prefix
    except NewsweaveError:
        pass
    matches = [r["id"] for r in store.iter_records(kind) if r["id"].startswith(prefix)]
    if len(matches) == 1:
        return matches[0]
    from .errors import NotFoundError

    if not matches:
        raise NotFoundError(kind.rstrip("s"), prefix)
    raise NewsweaveError(f"id prefix {prefix!r} is ambiguous: {', '.join(matches[:5])}")


def export_records(store: Store, kind: str, flt: DocFilter | None = None) -> Iterable[dict[str, Any]]:
    if kind not in KINDS:
        raise NewsweaveError(f"unknown export kind {kind!r}; valid kinds: {', '.join(KINDS)}")
    return store.iter_records(kind, flt)
