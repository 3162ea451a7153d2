"""Dated anchors for dating articles: founding dates of organisations and dated events.

The data is ``knowledge/anchors.json`` (packaged); a user's ``anchors.json`` in
``$NEWSWEAVE_KNOWLEDGE_DIR`` is merged over it (its organisations and events are added; an
entry with a known ``key`` replaces the packaged one). See ``knowledge/README.md``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..knowledge import read_json
from ..knowledge.offices import ENV_DIR
from ..paths import KNOWLEDGE_DIR
from .keywords import guarded, prefixes_of


@dataclass(frozen=True)
class Organisation:
    key: str
    names: tuple[str, ...]
    founded: date
    members: tuple[tuple[int, date], ...] = ()  # (count, from this day), in date order


@dataclass(frozen=True)
class AnchorEvent:
    key: str
    kind: str
    start: date
    end: date | None
    places: tuple[str, ...]
    labels: tuple[str, ...]
    subject: tuple[str, ...] = ()  # patterns naming what the event is about (anywhere in the text)
    action: tuple[str, ...] = ()  # patterns for what happened (in the sentence of the mention)

    @property
    def last_day(self) -> date:
        return self.end or self.start


@dataclass(frozen=True)
class Anchors:
    version: str
    organisations: tuple[Organisation, ...]
    events: tuple[AnchorEvent, ...]
    org_regex: re.Pattern[str]
    event_regex: re.Pattern[str]

    def orgs_in(self, text: str) -> Iterator[re.Match[str]]:
        """``org_regex.finditer(text)``, twice as fast (``keywords.guarded``)."""
        return guarded(self._org_names, _NOT_IN_WORD, text)

    @cached_property
    def _org_names(self) -> re.Pattern[str]:
        return re.compile(self.org_regex.pattern.removeprefix(_NOT_IN_WORD.pattern), self.org_regex.flags)

    def orgs_named(self, name: str) -> list[Organisation]:
        return [o for o in self.organisations if name in o.names]

    def events_labelled(self, label: str) -> list[AnchorEvent]:
        n = re.sub(r"\s+", " ", label).casefold()
        return [e for e in self.events if any(x.casefold() == n for x in e.labels)]

    @cached_property
    def subjects(self) -> tuple[tuple[tuple[str, ...], tuple[str, ...] | None], ...]:
        """The distinct subject pattern sets of the events, each with the literal prefixes one
        of which a text must contain for it to match (``keywords``; None: always search)."""
        seen = dict.fromkeys(e.subject for e in self.events if e.subject)
        return tuple((s, prefixes_of(s)) for s in seen)

    @cached_property
    def label_prefixes(self) -> tuple[str, ...] | None:
        """What a text must contain for ``event_regex`` to match it (see ``keywords``)."""
        return prefixes_of(_label_pattern(x) for e in self.events for x in e.labels)


def _label_pattern(name: str) -> str:
    return re.escape(name).replace(r"\ ", r"\s+")


_NOT_IN_WORD = re.compile(r"(?<![\w-])")


def _names_regex(names: set[str], flags: int = 0) -> re.Pattern[str]:
    alts = sorted(names, key=len, reverse=True)
    body = "|".join(_label_pattern(a) for a in alts) or r"(?!x)x"
    return re.compile(_NOT_IN_WORD.pattern + "(" + body + r")(?:s|es)?(?![\w])", flags)


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for k in ("organisations", "events"):
        keep = {e["key"]: e for e in base.get(k, [])}
        for e in extra.get(k, []):
            keep[e["key"]] = e
        out[k] = list(keep.values())
    return out


@lru_cache(maxsize=4)
def _load(user_dir: str | None) -> Anchors:
    data = read_json(KNOWLEDGE_DIR / "anchors.json", "anchors")
    if user_dir and (Path(user_dir) / "anchors.json").is_file():
        data = _merge(data, read_json(Path(user_dir) / "anchors.json", "anchors"))
    try:
        orgs = tuple(
            Organisation(
                o["key"],
                tuple(o["names"]),
                date.fromisoformat(o["founded"]),
                tuple((int(n), date.fromisoformat(d)) for n, d in o.get("members", [])),
            )
            for o in data["organisations"]
        )
        events = tuple(
            AnchorEvent(
                e["key"],
                e.get("kind", "event"),
                date.fromisoformat(e["start"]),
                date.fromisoformat(e["end"]) if e.get("end") else None,
                tuple(e.get("place", [])),
                tuple(e.get("labels", [])),
                tuple(e.get("cues", {}).get("subject", [])),
                tuple(e.get("cues", {}).get("action", [])),
            )
            for e in data["events"]
        )
    except (KeyError, ValueError) as exc:
        raise InputError("anchors.json", f"malformed entry: {exc}") from exc
    org_names = {n for o in orgs for n in o.names}
    labels = {n for e in events for n in e.labels}
    return Anchors(
        str(data.get("version", "0")),
        orgs,
        events,
        _names_regex(org_names),
        _names_regex(labels, re.IGNORECASE),
    )


def load_anchors() -> Anchors:
    """The anchors (packaged, merged with $NEWSWEAVE_KNOWLEDGE_DIR/anchors.json), loaded once."""
    return _load(os.environ.get(ENV_DIR) or None)
