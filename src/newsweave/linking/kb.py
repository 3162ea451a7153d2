"""The entity knowledge base: canonical organisations, places and persons with their names.

Built from ``knowledge/entities.json`` (organisations and places with aliases per language,
exonyms, acronyms, context aliases such as "das Bündnis") and the persons of the office
knowledge (``knowledge/offices.py``). Every name is indexed by its folded form and, for persons,
by its transliteration-aware :func:`~.names.name_key`; surnames are indexed too, so "Blinken"
alone links to Antony Blinken when no one else in the knowledge carries that surname.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..paths import KNOWLEDGE_DIR
from .names import fold, inflection_variants, name_key, word_key

log = logging.getLogger(__name__)


@dataclass
class KBEntity:
    key: str
    name: str
    type: str
    aliases: dict[str, list[str]] = field(default_factory=dict)
    context_aliases: dict[str, list[str]] = field(default_factory=dict)
    scope: str | None = None  # office scope code: "nato", "us", ...
    nationality: str | None = None  # persons


class EntityKB:
    def __init__(self, entities: list[KBEntity], offices: Any = None) -> None:
        self.offices = offices  # an OfficeKB, or None when the office knowledge is unavailable
        self.entities: dict[str, KBEntity] = {}
        self._alias: dict[str, list[str]] = {}
        self._context: dict[str, dict[str, str]] = {}  # lang -> folded alias -> key
        self._pkey: dict[str, list[str]] = {}
        self._surname: dict[str, list[str]] = {}
        self._scope: dict[str, str] = {}
        for e in entities:
            self.add(e)

    def add(self, e: KBEntity) -> None:
        old = self.entities.get(e.key)
        if old is not None:
            for lang, names in e.aliases.items():
                old.aliases.setdefault(lang, [])
                old.aliases[lang] += [n for n in names if n not in old.aliases[lang]]
            e = old
        self.entities[e.key] = e
        names = [e.name] + [n for ns in e.aliases.values() for n in ns]
        for n in names:
            keys = self._alias.setdefault(fold(n), [])
            if e.key not in keys:
                keys.append(e.key)
            if e.type == "PER":
                self._index_person_name(n, e.key)
        for lang, ns in e.context_aliases.items():
            for n in ns:
                self._context.setdefault(lang, {})[fold(n)] = e.key
        if e.scope and e.scope not in self._scope:
            self._scope[e.scope] = e.key

    def _index_person_name(self, name: str, key: str) -> None:
        k = name_key(name)
        if k and key not in self._pkey.setdefault(k, []):
            self._pkey[k].append(key)
        parts = k.split("-")
        if len(parts) >= 2 and key not in self._surname.setdefault(parts[-1], []):
            self._surname[parts[-1]].append(key)

    # -- lookups --------------------------------------------------------------------------------
    def get(self, key: str) -> KBEntity | None:
        return self.entities.get(key)

    def by_alias(self, surface: str, lang: str = "en") -> list[str]:
        """Keys whose name or alias is this surface, trying German/English inflections too."""
        for form in [surface, *inflection_variants(surface, lang)]:
            keys = self._alias.get(fold(form))
            if keys:
                return list(keys)
        return []

    def context_alias(self, surface: str, lang: str) -> str | None:
        """The entity a context alias names ('das Bündnis' -> NATO); valid only when the caller
        has checked that the entity itself is named in the document."""
        table = self._context.get(lang, {})
        for form in [surface, *inflection_variants(surface, lang)]:
            if fold(form) in table:
                return table[fold(form)]
        return None

    def person_by_name(self, name: str) -> list[str]:
        """Person keys by full name, transliteration-aware ('Wladimir Putin')."""
        return list(self._pkey.get(name_key(name), []))

    def person_by_surname(self, surname: str) -> list[str]:
        return list(self._surname.get(word_key(surname), []))

    def by_scope(self, scope: str) -> str | None:
        """The entity of an office scope: 'nato' -> 'ORG:nato', 'us' -> 'LOC:united-states'."""
        return self._scope.get(scope)

    def scope_of(self, key: str) -> str | None:
        e = self.entities.get(key)
        return e.scope if e else None

    def holders(self, office_key: str, on: date) -> list[str]:
        if self.offices is None:
            return []
        try:
            return [p.key for p in self.offices.holders(office_key, on)]
        except KeyError:
            return []

    def office_exists(self, office_key: str) -> bool:
        if self.offices is None:
            return False
        try:
            self.offices.office(office_key)
        except KeyError:
            return False
        return True


def _read_entities(path: Path) -> list[KBEntity]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(str(path), f"cannot read entity knowledge: {exc}") from exc
    out = []
    for row in data.get("entities", []):
        out.append(KBEntity(
            key=row["key"], name=row["name"], type=row["type"], aliases=row.get("aliases", {}),
            context_aliases=row.get("context_aliases", {}), scope=row.get("scope"),
        ))
    return out


def _load_offices() -> Any:
    try:
        from ..knowledge.offices import load_offices

        return load_offices()
    except Exception as exc:
        log.warning("office knowledge unavailable, roles resolve from context only: %s", exc)
        return None


@lru_cache(maxsize=1)
def load_kb() -> EntityKB:
    """The packaged entity knowledge plus the office knowledge's persons, loaded once."""
    offices = _load_offices()
    entities = _read_entities(KNOWLEDGE_DIR / "entities.json")
    kb = EntityKB(entities, offices)
    if offices is not None:
        for p in offices.persons():
            kb.add(KBEntity(key=p.key, name=p.name, type="PER", aliases=dict(p.aliases),
                            nationality=p.nationality))
        for s in offices.scopes():
            if kb.by_scope(s.code) is None:
                names = s.names.get("en") or [s.code]
                found = kb.by_alias(names[0])
                if found:
                    kb._scope[s.code] = found[0]
    return kb
