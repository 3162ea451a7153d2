"""The data model: what every stage reads and writes, and what the store persists.

A :class:`Document` travels through the per-document stages (ingest → clean → language →
segment → time → entities → quotes → embed); each stage fills in its own fields. Every derived
fact carries character offsets into ``Document.text`` (the clean text); removed spans carry
offsets into ``Document.raw_text`` (the text before cleaning), so a fact can always be traced
back to the input.

Ids are content-derived: a document's id is a hash of its normalised clean text, an entity's id
a hash of its canonical key, a mention's id a hash of (document, offsets).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from typing import Any


def stable_id(*parts: object, length: int = 16) -> str:
    """A short, stable hex id from the given parts."""
    h = hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8"))
    return h.hexdigest()[:length]


_WS = re.compile(r"\s+")


def normalise_for_id(text: str) -> str:
    """The normal form a document id is computed from: NFC, case-folded, whitespace collapsed."""
    return _WS.sub(" ", unicodedata.normalize("NFC", text)).strip().casefold()


def document_id(clean_text: str) -> str:
    return stable_id("doc", normalise_for_id(clean_text))


@dataclass
class Source:
    """Where one copy of a document came from (a path, a URL, a record in a feed or archive)."""

    source: str
    url: str | None = None
    outlet: str | None = None
    author: str | None = None
    published: str | None = None  # as given by metadata, ISO date or datetime
    lang: str | None = None  # as given by metadata
    title: str | None = None  # as given by metadata
    fetched: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class RawItem:
    """One input record as read by ingest, before any processing."""

    source: Source
    raw: bytes
    format: str  # text | html | json | feed-item | warc-record
    text: str | None = None  # decoded text, when the reader already has it (JSON fields, feeds)
    html: str | None = None  # HTML to extract from (HTML files, WARC responses, feed content)
    encoding: str | None = None


@dataclass
class Removed:
    """A span cut from the raw text by the clean stage, with the reason."""

    start: int
    end: int
    reason: str
    text: str


@dataclass
class DateInfo:
    """A date with its provenance: a best value, the range the evidence supports, and why.

    ``source`` is one of ``metadata | html | byline | inferred``; ``value`` may be ``None`` when
    there is no evidence (then the range is wide and honest).
    """

    value: str | None
    earliest: str | None = None
    latest: str | None = None
    source: str = "inferred"
    evidence: list[str] = field(default_factory=list)
    confidence: float = 0.0
    granularity: str = "day"  # day | month | year

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> DateInfo | None:
        if not d:
            return None
        known = {k: d[k] for k in cls.__dataclass_fields__ if k in d}
        return cls(**known)


@dataclass
class Paragraph:
    start: int
    end: int
    lang: str
    confidence: float


@dataclass
class Sentence:
    start: int
    end: int


@dataclass
class TimeExpression:
    """A TIMEX3-style temporal expression: type DATE|TIME|DURATION|SET, normalised value."""

    start: int
    end: int
    text: str
    type: str
    value: str | None
    anchor: str | None = None  # the reference date it was resolved against
    mod: str | None = None


@dataclass
class Entity:
    """A canonical real-world thing. ``key`` decides identity; the id is derived from it."""

    key: str
    name: str
    type: str  # PER | ORG | LOC | MISC
    aliases: dict[str, list[str]] = field(default_factory=dict)  # lang -> surface forms
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return stable_id("entity", self.key)


@dataclass
class Mention:
    start: int
    end: int
    text: str
    type: str  # PER | ORG | LOC | MISC | ROLE
    entity_key: str | None = None
    role: str | None = None  # for role mentions: the office key, e.g. "nato_secretary_general"
    confidence: float = 1.0


@dataclass
class Quote:
    start: int
    end: int
    text: str
    kind: str  # direct | indirect
    cue: str | None = None
    cue_start: int | None = None
    cue_end: int | None = None
    speaker_text: str | None = None
    speaker_start: int | None = None
    speaker_end: int | None = None
    speaker_key: str | None = None  # Entity.key of the resolved speaker


@dataclass
class Document:
    """One article. Fields are filled stage by stage; see each stage's ``adds``."""

    raw: bytes
    format: str
    sources: list[Source]
    raw_text: str = ""
    text: str = ""
    title: str | None = None
    removed: list[Removed] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)  # author, url, outlet, byline, ...
    lang: str = "und"
    lang_confidence: float = 0.0
    paragraphs: list[Paragraph] = field(default_factory=list)
    sentences: list[Sentence] = field(default_factory=list)
    tokens: list[tuple[int, int]] = field(default_factory=list)
    published: DateInfo | None = None
    event_date: DateInfo | None = None
    times: list[TimeExpression] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    entities: dict[str, Entity] = field(default_factory=dict)  # key -> Entity
    quotes: list[Quote] = field(default_factory=list)
    vector: list[float] | None = None
    vector_model: str | None = None
    stage_versions: dict[str, str] = field(default_factory=dict)
    _id: str | None = None

    @property
    def id(self) -> str:
        # not cached: the id follows the clean text, which the clean stage sets
        return self._id or document_id(self.text or self.raw_text)

    @property
    def source(self) -> str:
        return self.sources[0].source if self.sources else ""

    def sentence_text(self, s: Sentence) -> str:
        return self.text[s.start : s.end]
