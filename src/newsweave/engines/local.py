"""The engine-neutral parts of batch ingest, and the local (one-process) engine built on them.

Ingest is split into three roles so that any engine can run the middle one wherever it likes:

1. **plan** (driver, cheap): :func:`plan_units` lists the work in input order: one
   :class:`Unit` per file (with its manifest row), per stdin item, or per input that cannot be
   read at all. Files are read by the workers, so a cluster reads its inputs in parallel.
2. **enrich** (workers, heavy): :class:`BatchWorker` loads the pipeline's models once, reads the
   units' files, skips raw bytes the store already holds, runs every stage and, when the store
   takes concurrent writers (PostgreSQL), writes each document in its own transaction. It returns
   one :class:`Outcome` per item, in input order.
3. **commit** (driver, ordered): :class:`Committer` takes outcomes in input order, dates the
   inferred (undated) documents of each window of ``corpus_window`` documents together
   (``stages.time.redate_corpus``: articles that report the same happenings narrow each other's
   day, and those whose day moved are re-tagged), writes them when the workers did not (SQLite:
   one writer) or rewrites the re-dated ones the workers wrote, counts them, and links each new
   document (events, stories), which depends on the order documents arrive in.

Retries are safe because document ids are content hashes and writes are idempotent: a batch
that is run twice (a worker killed half-way) finds its documents already stored. A document
that is stored but not yet linked (its first attempt died before the driver linked it) is run
again and linked once; one that is stored and linked counts as unchanged.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from ..errors import InputError, NewsweaveError, NotFoundError, PipelineError, StageError, StoreError
from ..model import Document, RawItem
from ..pipeline import Pipeline, build_pipeline, default_stage_names, ensure_loaded
from ..store import DocFilter, Store, open_store

__all__ = ["CORPUS_WINDOW", "BatchWorker", "Committer", "Outcome", "Unit", "can_link", "ingest_local", "open_linker",
           "plan_units", "stage_names"]

EMPTY_TEXT = "no article text left after cleaning"
ProgressFn = Callable[[int, str], None]  # (items done so far, current source)


@dataclass(frozen=True)
class Unit:
    """One piece of planned work: a file to read, an item already read (stdin), or an error."""

    kind: Literal["path", "item", "error"]
    source: str
    meta: dict[str, Any] = field(default_factory=dict)  # the manifest row of a path
    item: RawItem | None = None
    reason: str = ""


@dataclass
class Outcome:
    """What became of one input item. ``status`` is the store's answer when a worker wrote."""

    kind: Literal["doc", "reject", "unchanged"]
    source: str
    reason: str = ""
    doc: Document | None = None
    status: str = ""  # "new" | "duplicate" when the worker wrote the document, else ""

    def dumps(self) -> bytes:
        return pickle.dumps(self, protocol=pickle.HIGHEST_PROTOCOL)


def stage_names(until: str | None = None) -> list[str]:
    """The default stages, cut after ``until`` (the same rule and message as ``api.ingest``)."""
    names = default_stage_names()
    if until and until not in names:
        raise PipelineError(f"unknown stage {until!r} for --until; valid stages: {', '.join(names)}")
    return names[: names.index(until) + 1] if until else names


def links_enabled(names: Sequence[str]) -> bool:
    """Events and stories need every per-document stage's output (as in ``api.ingest``)."""
    return list(names)[-1:] == default_stage_names()[-1:]


def plan_units(
    paths: Sequence[str], *, pattern: str | None = None, field_map: dict[str, str] | None = None,
    manifest: str | None = None,
) -> list[Unit]:
    """The inputs as units, in the order ``stages.ingest.iter_items`` would read them."""
    from ..stages import formats
    from ..stages.ingest import iter_items, read_manifest, walk

    try:
        formats.resolve_field_map(field_map)
    except InputError as err:
        return [Unit("error", err.source, reason=err.reason)]
    units: list[Unit] = []
    rows: dict[str, dict[str, Any]] = {}
    if manifest:
        try:
            rows = read_manifest(manifest)
        except InputError as err:
            units.append(Unit("error", err.source, reason=err.reason))
    skip = {os.path.abspath(manifest)} if manifest else set()

    def path_unit(path: str) -> Unit:
        return Unit("path", path, meta=dict(rows.get(os.path.abspath(path), {})))

    for given in paths:
        if given == "-":  # stdin can only be read here, on the driver
            for x in iter_items(["-"], field_map=field_map):
                units.append(Unit("error", x.source, reason=x.reason) if isinstance(x, InputError)
                             else Unit("item", x.source.source, item=x))
        elif os.path.isdir(given):
            units.extend(path_unit(p) for p in walk(given, recursive=True, pattern=pattern)
                         if os.path.abspath(p) not in skip)
        elif os.path.exists(given):
            units.append(path_unit(given))
        else:
            units.append(Unit("error", given, reason="no such file or directory"))
    return units


def _collect(into: list[tuple[Document, StageError]]) -> Callable[[Document, StageError], None]:
    def on_error(doc: Document, err: StageError) -> None:
        into.append((doc, err))

    return on_error


def _doc_key(doc: Document) -> tuple[str, str]:
    return doc.source, hashlib.sha256(doc.raw).hexdigest()


class BatchWorker:
    """Turns batches of units into outcomes; one per worker process, models loaded once.

    ``writes``: write documents here (a store with concurrent writers) or leave it to the
    driver. ``relink``: the run links documents, so a stored but unlinked one is run again."""

    def __init__(
        self, store_url: str = "", *, names: Sequence[str] | None = None, writes: bool = False,
        relink: bool | None = None, field_map: dict[str, str] | None = None, store: Store | None = None,
        pipe_batch: int = 32, cwd: str | None = None,
    ) -> None:
        self.store_url = store_url
        self.cwd = cwd  # the driver's working directory: relative input paths are read from it
        self.names = list(names) if names is not None else default_stage_names()
        self.writes = writes
        self.relink = links_enabled(self.names) if relink is None else relink
        self.field_map = field_map
        self.pipe_batch = pipe_batch
        self._store = store
        self._pipe: Pipeline | None = None

    def load(self) -> None:
        """Open the store and load every stage's model (idempotent)."""
        if self.cwd and os.path.isdir(self.cwd) and os.getcwd() != self.cwd:
            os.chdir(self.cwd)
        if self._store is None:
            self._store = open_store(self.store_url)
        if self._pipe is None:
            self._pipe = build_pipeline(self.names)
            for st in self._pipe.stages:
                ensure_loaded(st)

    @property
    def store(self) -> Store:
        self.load()
        assert self._store is not None
        return self._store

    def close(self) -> None:
        if self._store is not None and self.store_url:
            self._store.close()
        self._store = None

    # -- reading -------------------------------------------------------------------------------
    def _items(self, units: Iterable[Unit]) -> Iterator[RawItem | Outcome]:
        from ..stages import formats
        from ..stages.ingest import read_path

        fields = formats.resolve_field_map(self.field_map)
        for u in units:
            if u.kind == "error":
                yield Outcome("reject", u.source, u.reason)
            elif u.kind == "item" and u.item is not None:
                yield u.item
            else:
                rows = {os.path.abspath(u.source): u.meta} if u.meta else None
                for x in read_path(u.source, fields=fields, manifest_rows=rows):
                    yield Outcome("reject", x.source, x.reason) if isinstance(x, InputError) else x

    def _linked(self, doc_ids: list[str]) -> set[str]:
        """Which of these stored documents already belong to an event."""
        if not doc_ids:
            return set()
        rows = self.store.iter_records("documents", DocFilter(ids=sorted(set(doc_ids))))
        return {r["id"] for r in rows if r.get("event_id")}

    # -- the batch -----------------------------------------------------------------------------
    def process(self, units: Sequence[Unit]) -> list[Outcome]:
        """One outcome per item of ``units``, in input order."""
        from ..stages.ingest import to_document

        self.load()
        slots: list[Outcome | Document] = []
        known: dict[int, str] = {}  # slot -> stored doc id (same bytes, same source)
        for x in self._items(units):
            if isinstance(x, Outcome):
                slots.append(x)
                continue
            try:
                doc = to_document(x)
            except NewsweaveError as exc:
                slots.append(Outcome("reject", x.source.source, getattr(exc, "reason", str(exc))))
                continue
            # the store keys sources by the document's own bytes (for a JSON record or a feed
            # entry: its text field, not the container's bytes), so that is what is looked up
            did = self.store.known_raw(hashlib.sha256(doc.raw).hexdigest(), x.source.source)
            if did is not None:
                known[len(slots)] = did
            slots.append(doc)
        # stored before: unchanged, unless the run links and the document never got linked
        linked = self._linked(list(known.values())) if self.relink else set(known.values())
        for i, did in known.items():
            if did in linked:
                slots[i] = Outcome("unchanged", slots[i].source)
        docs = [s for s in slots if isinstance(s, Document)]
        done = self._enrich(docs)
        return [s if isinstance(s, Outcome) else done[id(s)] for s in slots]

    def _enrich(self, docs: list[Document]) -> dict[int, Outcome]:
        """Run the pipeline over ``docs`` (in chunks); an outcome for each, keyed by id(input)."""
        assert self._pipe is not None
        out: dict[int, Outcome] = {}
        for i in range(0, len(docs), self.pipe_batch):
            chunk = docs[i : i + self.pipe_batch]
            slots: dict[tuple[str, str], deque[Document]] = defaultdict(deque)
            for d in chunk:
                slots[_doc_key(d)].append(d)
            failed: list[tuple[Document, StageError]] = []
            survivors = self._pipe.run(chunk, on_error=_collect(failed))
            for d, err in failed:
                out[id(slots[_doc_key(d)].popleft())] = Outcome("reject", d.source, err.reason)
            for d in survivors:
                out[id(slots[_doc_key(d)].popleft())] = self._finish(d)
        return out

    def _finish(self, doc: Document) -> Outcome:
        if not doc.text.strip():
            return Outcome("reject", doc.source, EMPTY_TEXT)
        if not self.writes:
            return Outcome("doc", doc.source, doc=doc)
        res = self.store.write_document(doc)
        return Outcome("doc", doc.source, doc=doc, status=res.status)


CORPUS_WINDOW = 2000  # documents dated together as one corpus (bounded: the driver holds them)
CORPUS_DATING_VERSION = "1"  # stage_versions["corpus"] of a document dated as part of a window


class Committer:
    """The driver's side: takes outcomes in input order, dates each window of documents as a
    corpus, writes (if the workers did not), counts, and links new documents in order.
    ``finish()`` completes the last window and linking and returns the report.

    ``corpus_window``: how many documents are dated together (0: each keeps the date the time
    stage gave it)."""

    def __init__(self, store: Store, *, link: bool = True, workers_write: bool = False,
                 progress: ProgressFn | None = None, corpus_window: int = CORPUS_WINDOW) -> None:
        from ..api import IngestReport

        self.store = store
        self.workers_write = workers_write
        self.progress = progress
        self.report = IngestReport()
        self.linker = open_linker(store) if link else None
        self.done = 0
        self.corpus_window = max(0, corpus_window)
        self._window: list[tuple[Document, str]] = []

    def take(self, o: Outcome) -> None:
        self.done += 1
        if o.kind == "reject":
            self.report.rejected.append((o.source, o.reason))
        elif o.kind == "unchanged":
            self.report.unchanged += 1
        elif o.doc is not None:
            self._window.append((o.doc, o.status))
            if len(self._window) >= max(1, self.corpus_window):
                self._flush()
        if self.progress:
            self.progress(self.done, o.source)

    def _flush(self) -> None:
        """Date the window's documents together, write them in one transaction, then count and
        link them in order.

        The window lands whole or not at all, so a run that dies while writing it dates the same
        whole window again when rerun. A document an earlier run already stored (and dated with
        its own window: ``stage_versions["corpus"]`` says so) keeps its stored dates and is not
        dated again among a different set of documents; what a worker wrote ahead of the corpus
        pass is dated again."""
        from ..stages.time import redate_corpus

        window, self._window = self._window, []
        if not window:
            return
        kept = set() if self.workers_write else self._keep_stored(window)
        targets = [d for d, _s in window if id(d) not in kept]
        redated: set[int] = set()
        if self.corpus_window:
            for d in targets:
                d.stage_versions["corpus"] = CORPUS_DATING_VERSION
            redated = {id(d) for d in redate_corpus(targets)}
        seen: set[str] = set()  # the same text twice in a window is linked once
        with self.store.batch():
            written = [self._write(doc, status, id(doc) in redated, seen) for doc, status in window]
        for (doc, _s), (new, doc_id) in zip(window, written, strict=True):
            self._count(doc, new, doc_id)

    def _keep_stored(self, window: list[tuple[Document, str]]) -> set[int]:
        """The window's documents already in the store with an inferred date from a corpus pass,
        their stored publication and event dates put back on them (the linker sees those)."""
        kept: set[int] = set()
        for doc, _s in window:
            if doc.published is None or doc.published.source != "inferred":
                continue
            try:
                stored = self.store.load_document(doc.id)
            except NotFoundError:
                continue
            if "corpus" not in stored.stage_versions:
                continue
            doc.published, doc.event_date = stored.published, stored.event_date
            kept.add(id(doc))
        return kept

    def _write(self, doc: Document, status: str, redated: bool, seen: set[str]) -> tuple[bool, str]:
        """Store one document of the window (unless a worker did); whether it is new to the
        corpus, and its id."""
        if not self.workers_write:
            res = self.store.write_document(doc)
            status, doc_id = res.status, res.doc_id
        else:
            doc_id = doc.id
        # "duplicate" while never linked: written by an earlier attempt that died, or by a
        # worker that ran ahead with a later copy of the same text; it is new to this corpus
        new = status == "new" or (self.linker is not None and doc_id not in seen and not self._is_linked(doc_id))
        seen.add(doc_id)
        if new and redated and (self.workers_write or status != "new"):  # stored with its first date
            self.store.replace_outputs(doc)
        return new, doc_id

    def _count(self, doc: Document, new: bool, doc_id: str) -> None:
        if not new:
            self.report.duplicates += 1
            return
        self.report.ingested += 1
        self.report.languages[doc.lang] += 1
        self.report.doc_ids.append(doc_id)
        if self.linker is not None:
            self.linker.add(doc)

    def _is_linked(self, doc_id: str) -> bool:
        return bool(self.store.get_document(doc_id).get("event_id"))

    def finish(self) -> Any:
        from ..api import sync_search_index

        self._flush()
        if self.linker is not None:
            self.linker.finish()
        sync_search_index(self.store)
        return self.report


def open_linker(store: Store) -> Any | None:
    """The store's Linker with its neighbour index and copy detector open, or None when this
    installation has no linking step. Opened before any worker writes: the online step must see
    exactly the documents linked before each new one, not those the workers ran ahead with."""
    from ..api import linker_for

    return linker_for(store)


def can_link(store: Store) -> bool:
    """Whether events and stories can be linked on this store."""
    try:
        return open_linker(store) is not None
    except StoreError:
        return False


def chunks(units: Sequence[Unit], size: int) -> Iterator[Sequence[Unit]]:
    for i in range(0, len(units), max(1, size)):
        yield units[i : i + max(1, size)]


def ingest_local(
    store_url: str, paths: Sequence[str], *, until: str | None = None, batch_size: int = 16,
    pattern: str | None = None, field_map: dict[str, str] | None = None, manifest: str | None = None,
    progress: ProgressFn | None = None, store: Store | None = None, link: bool = True,
    corpus_window: int = CORPUS_WINDOW,
) -> Any:
    """Ingest in this process through the plan / enrich / commit split (the reference for the
    distributed engines; ``api.ingest`` gives the same stored results). Returns an IngestReport."""
    names = stage_names(until)
    own = store is None
    st = store if store is not None else open_store(store_url)
    try:
        units = plan_units(paths, pattern=pattern, field_map=field_map, manifest=manifest)
        linking = link and links_enabled(names)
        committer = Committer(st, link=linking, progress=progress, corpus_window=corpus_window)
        worker = BatchWorker(store_url, names=names, field_map=field_map, store=st, pipe_batch=batch_size,
                             relink=linking)
        for batch in chunks(units, batch_size):
            for o in worker.process(batch):
                committer.take(o)
        return committer.finish()
    finally:
        if own:
            st.close()
