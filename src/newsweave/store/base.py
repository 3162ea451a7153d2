"""The storage interface every backend implements, and the record shapes it returns.

Records come back as plain dicts in the export shapes of DESIGN.md's Contracts, so the CLI,
the REST API and exports need no further translation. A backend passes ``tests/store_suite.py``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

from ..model import Document

KINDS = ("documents", "mentions", "entities", "quotes", "times", "events", "stories", "links")

WriteStatus = Literal["new", "duplicate", "updated"]


@dataclass
class WriteResult:
    doc_id: str
    status: WriteStatus


@dataclass(frozen=True)
class TextMatch:
    """Must-match full-text conditions, as a search box's syntax asks for them (the search module's
    parser makes them from ``"exact phrases"``, ``word*`` and ``-word``). Words are runs of
    letters and digits, so no backend's query syntax can reach the store through them.

    A document passes when it holds every phrase (its words in this order, case and accents aside;
    on PostgreSQL by their stems in the document's language), a word starting with every prefix,
    and none of the excluded phrases (one word is a phrase of one)."""

    phrases: tuple[tuple[str, ...], ...] = ()
    prefixes: tuple[str, ...] = ()
    exclude: tuple[tuple[str, ...], ...] = ()

    @property
    def positive(self) -> bool:
        """True when something must occur (else only exclusions, or nothing)."""
        return bool(self.phrases or self.prefixes)

    def __bool__(self) -> bool:
        return bool(self.phrases or self.prefixes or self.exclude)


@dataclass
class DocFilter:
    """Filters shared by listing, export and search."""

    lang: str | None = None
    source: str | None = None  # part of a source path, URL or outlet (case-insensitive); see shapes.doc_where
    date_from: str | None = None  # published.value >= (ISO date)
    date_to: str | None = None
    entity_id: str | None = None
    event_id: str | None = None
    story_id: str | None = None
    ids: list[str] | None = None  # record ids
    doc_id: str | None = None  # for mentions, quotes, times: of this document only
    match: TextMatch | None = None  # documents whose text matches (see TextMatch)


@dataclass
class EventRecord:
    id: str
    doc_ids: list[str]
    title: str = ""
    date: str | None = None  # best date (ISO)
    date_start: str | None = None
    date_end: str | None = None
    place: str | None = None
    participants: list[str] = field(default_factory=list)  # entity ids
    summary: str = ""
    story_id: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass
class StoryRecord:
    id: str
    event_ids: list[str]  # in date order
    title: str = ""
    actors: list[str] = field(default_factory=list)  # entity ids
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass
class LinkRecord:
    src: str
    dst: str
    type: str  # duplicate | near-duplicate | translation | same-event
    score: float

    @property
    def id(self) -> str:
        from ..model import stable_id

        a, b = sorted((self.src, self.dst))
        return stable_id("link", self.type, a, b)


def json_value(v: Any) -> Any:
    """A JSON column's value from :meth:`Store.query`: SQLite gives the JSON text, PostgreSQL
    (jsonb) the decoded value; both become the decoded value (None stays None)."""
    return json.loads(v) if isinstance(v, (str, bytes)) else v


@runtime_checkable
class Store(Protocol):
    """What newsweave needs from a database. Implementations: SQLiteStore (default), PostgresStore."""

    url: str

    # -- documents -------------------------------------------------------------------------
    def known_raw(self, raw_sha: str, source: str) -> str | None:
        """The id of the document already made from these raw bytes from this source, if any."""
        ...

    def write_document(self, doc: Document) -> WriteResult:
        """Write a document and every stage output in one transaction.

        A document whose id is already stored gains the new source and is otherwise left as it
        is (``duplicate``) unless ``replace`` semantics are asked by re-running stages."""
        ...

    def replace_outputs(self, doc: Document) -> None:
        """Rewrite a stored document's stage outputs (after a stage version change)."""
        ...

    def get_document(self, doc_id: str) -> dict[str, Any]: ...

    def load_document(self, doc_id: str) -> Document: ...

    def iter_records(
        self, kind: str, flt: DocFilter | None = None, *, limit: int | None = None, after: str | None = None
    ) -> Iterator[dict[str, Any]]:
        """Records of one export kind in id order, starting after the id ``after``."""
        ...

    def get_record(self, kind: str, ident: str) -> dict[str, Any]: ...

    def count(self, kind: str) -> int: ...

    def stats(self) -> dict[str, Any]: ...

    def delete_document(self, doc_id: str) -> bool: ...

    # -- search ----------------------------------------------------------------------------
    def search_text(self, query: str, *, limit: int = 50, flt: DocFilter | None = None) -> list[tuple[str, float]]:
        """Full-text search: (doc_id, score) best first; score is higher-is-better. Every word of
        ``query`` is just a word (no query syntax); ``flt.match`` adds must-match conditions."""
        ...

    def match_text(self, match: TextMatch, *, limit: int = 50, flt: DocFilter | None = None) -> list[tuple[str, float]]:
        """The documents that satisfy ``match`` (which must ask for a phrase or prefix), ranked by
        how well they match its phrases and prefixes: (doc_id, score) best first."""
        ...

    # -- vectors, events, stories, links ---------------------------------------------------
    def get_vectors(self, doc_ids: Iterable[str]) -> dict[str, list[float]]: ...

    def iter_vectors(self) -> Iterator[tuple[str, list[float]]]: ...

    def put_event(self, ev: EventRecord) -> None: ...

    def get_event(self, event_id: str) -> EventRecord | None: ...

    def delete_event(self, event_id: str) -> None: ...

    def put_story(self, st: StoryRecord) -> None: ...

    def get_story(self, story_id: str) -> StoryRecord | None: ...

    def delete_story(self, story_id: str) -> None: ...

    def iter_events(self) -> Iterator[EventRecord]: ...

    def iter_stories(self) -> Iterator[StoryRecord]: ...

    def put_links(self, links: Iterable[LinkRecord]) -> None: ...

    def set_state(self, key: str, value: Any) -> None:
        """Small persistent state for corpus-level steps (index positions, versions)."""
        ...

    def get_state(self, key: str, default: Any = None) -> Any: ...

    # -- neutral reads and corpus-level linking state ---------------------------------------
    def query(self, sql: str, args: Iterable[Any] = ()) -> Sequence[Any]:
        """A read query written once for every backend: ``?`` placeholders and the SQL both
        SQLite and PostgreSQL understand. Rows are read by position or column name; decode JSON
        columns with :func:`json_value`."""
        ...

    def set_document_links(self, doc_id: str, *, event_id: str | None, story_id: str | None) -> None: ...

    def batch(self) -> AbstractContextManager[None]:
        """``with store.batch():`` makes the writes inside one transaction, in this thread: one
        commit instead of one per write (the linking step makes four small writes per document).
        Each write inside stays atomic on its own; an exception rolls back the whole batch, and
        so does a lost connection (not retried: the caller runs the batch again). Nested batches
        are part of the outer one."""
        ...

    def lsh_candidates(self, buckets: list[tuple[int, int]], limit: int) -> list[str]:
        """Documents sharing LSH (band, bucket) pairs with ``buckets``, most shared first."""
        ...

    def get_minhashes(self, doc_ids: list[str]) -> dict[str, bytes]: ...

    def put_minhash(self, doc_id: str, sig: bytes, buckets: list[tuple[int, int]]) -> None: ...

    def close(self) -> None: ...
