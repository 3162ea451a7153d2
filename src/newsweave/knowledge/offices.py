"""Who held which office when: the office knowledge base and its loader.

The data lives in ``offices.json`` beside this module (versioned with the package). A user can
extend or correct it with their own ``offices.json`` in the folder named by the environment
variable ``NEWSWEAVE_KNOWLEDGE_DIR``; it is merged over the packaged file (see README.md here).

    kb = load_offices()
    kb.holders("nato.secretary_general", date(2021, 6, 7))   # [Person(key="PER:jens-stoltenberg", ...)]
    kb.terms_of("PER:mark-rutte")                            # [Term("nl.head_of_government", ...), ...]
    kb.office("us.secretary_of_state").key                   # "us.foreign_minister" (alias keys resolve)
    kb.find_person("Wladimir Putin")                         # [Person(key="PER:vladimir-putin", ...)]
    kb.find_offices("US-Außenminister")                      # [Office("us.foreign_minister", ...)]

Terms are half-open: a holder holds the office from ``start`` (inclusive) to ``end`` (exclusive;
the day the successor took over), ``end`` None while in office.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import InputError
from . import read_json

PACKAGED = Path(__file__).resolve().parent / "offices.json"
ENV_DIR = "NEWSWEAVE_KNOWLEDGE_DIR"


@dataclass(frozen=True)
class Person:
    key: str
    name: str
    aliases: dict[str, list[str]] = field(default_factory=dict, hash=False, compare=False)
    nationality: str | None = None
    born: int | None = None
    died: int | None = None

    def all_names(self) -> list[str]:
        out = [self.name]
        for names in self.aliases.values():
            out += [n for n in names if n not in out]
        return out


@dataclass(frozen=True)
class Term:
    office_key: str
    person_key: str
    start: date
    end: date | None = None
    note: str | None = None

    def covers(self, on: date) -> bool:
        return self.start <= on and (self.end is None or on < self.end)


@dataclass(frozen=True)
class Office:
    key: str
    scope: str
    kind: str
    labels: dict[str, list[str]] = field(default_factory=dict, hash=False, compare=False)
    own_labels: dict[str, list[str]] = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class Scope:
    code: str
    names: dict[str, list[str]] = field(default_factory=dict, hash=False, compare=False)
    adjectives: dict[str, list[str]] = field(default_factory=dict, hash=False, compare=False)


def fold(text: str) -> str:
    """Accent- and case-insensitive comparison form: 'Sébastien  Lecornu' -> 'sebastien lecornu'."""
    t = unicodedata.normalize("NFKD", text)
    t = "".join(c for c in t if not unicodedata.combining(c))
    t = t.replace("ß", "ss").replace("ø", "o").replace("Ø", "o").replace("ł", "l").replace("Ł", "l")
    t = t.replace("ı", "i").replace("đ", "d").replace("æ", "ae")
    return re.sub(r"[\s\u2010-\u2015]+", " ", t.replace("’", "'")).strip().casefold()


def slug(name: str) -> str:
    """The ASCII slug of a canonical name: 'Jens Stoltenberg' -> 'jens-stoltenberg'."""
    return re.sub(r"[^a-z0-9]+", "-", fold(name)).strip("-")


def parse_day(value: str, *, end: bool = False) -> date:
    """'2021', '2021-12' or '2021-12-08' -> a date (first day, or with ``end`` the first day after)."""
    parts = [int(p) for p in value.split("-")]
    if len(parts) == 3:
        return date(*parts)
    if len(parts) == 2:
        if not end:
            return date(parts[0], parts[1], 1)
        y, m = (parts[0] + 1, 1) if parts[1] == 12 else (parts[0], parts[1] + 1)
        return date(y, m, 1)
    return date(parts[0] + 1 if end else parts[0], 1, 1)


class OfficeKB:
    """Offices, persons and terms, indexed for lookups by office, person, name and label."""

    def __init__(self, data: dict[str, Any], origin: str = "offices.json") -> None:
        self.version: str = str(data.get("version", "0"))
        self.verified_until: str | None = data.get("verified_until")
        self._scopes = {
            code: Scope(code, s.get("names", {}), s.get("adjectives", {}))
            for code, s in data.get("scopes", {}).items()
        }
        kinds: dict[str, dict[str, list[str]]] = data.get("kinds", {})
        self._persons: dict[str, Person] = {}
        for p in data.get("persons", []):
            self._add_person(p)
        self._aliases: dict[str, str] = {}
        self._offices: dict[str, Office] = {}
        self._terms: dict[str, list[Term]] = {}
        raw_offices: dict[str, Any] = data.get("offices", {})
        for key, spec in raw_offices.items():
            scope, _, kind = key.partition(".")
            kind = spec.get("kind", kind)
            own = {lang: list(v) for lang, v in spec.get("labels", {}).items()}
            merged = {lang: list(v) for lang, v in own.items()}
            for lang, generic in kinds.get(kind, {}).items():
                merged.setdefault(lang, [])
                merged[lang] += [g for g in generic if g not in merged[lang]]
            self._offices[key] = Office(key, scope, kind, merged, own)
            for alias in spec.get("aliases", []):
                self._aliases[alias] = key
        for key, spec in raw_offices.items():
            rows = spec.get("terms")
            if "terms_of" in spec:
                rows = raw_offices[spec["terms_of"]].get("terms", [])
            self._terms[key] = [self._term(key, row, origin) for row in rows or []]
        self._by_person: dict[str, list[Term]] = {}
        for terms in self._terms.values():
            for t in terms:
                self._by_person.setdefault(t.person_key, []).append(t)
        for terms in self._by_person.values():
            terms.sort(key=lambda t: t.start)
        self._fill_nationalities()
        self._names: dict[str, list[str]] = {}
        for p in self._persons.values():
            for n in p.all_names():
                keys = self._names.setdefault(fold(n), [])
                if p.key not in keys:
                    keys.append(p.key)
        self._labels: dict[str, list[str]] = {}
        for o in self._offices.values():
            for names in o.own_labels.values():
                for n in names:
                    keys = self._labels.setdefault(fold(n), [])
                    if o.key not in keys:
                        keys.append(o.key)
        # for labels made of a scope prefix or adjective and a generic label: each scope's folded
        # forms, longest first, and its offices by folded label
        self._scope_forms = [
            (code, sorted(dict.fromkeys(fold(f) for table in (sc.adjectives, sc.names) for forms in table.values() for f in forms),
                          key=len, reverse=True))
            for code, sc in self._scopes.items()
        ]
        self._scope_labels: dict[tuple[str, str], list[Office]] = {}
        for o in self._offices.values():
            for f in dict.fromkeys(fold(g) for gs in o.labels.values() for g in gs):
                self._scope_labels.setdefault((o.scope, f), []).append(o)

    # -- building -------------------------------------------------------------------------------
    def _add_person(self, p: dict[str, Any]) -> Person:
        key = p.get("key") or f"PER:{slug(p['name'])}"
        old = self._persons.get(key)
        aliases = {lang: list(v) for lang, v in (old.aliases if old else {}).items()}
        for lang, names in p.get("aliases", {}).items():
            aliases.setdefault(lang, [])
            aliases[lang] += [n for n in names if n not in aliases[lang]]
        person = Person(
            key=key,
            name=p.get("name") or (old.name if old else key),
            aliases=aliases,
            nationality=p.get("nationality", old.nationality if old else None),
            born=p.get("born", old.born if old else None),
            died=p.get("died", old.died if old else None),
        )
        self._persons[key] = person
        return person

    def _term(self, office_key: str, row: list[Any], origin: str) -> Term:
        if not isinstance(row, list) or len(row) < 2:
            raise InputError(
                origin, f"office {office_key!r}: a term must be [name, start, end?], got {row!r}"
            )
        who = str(row[0])
        key = who if who.startswith("PER:") else f"PER:{slug(who)}"
        if key not in self._persons:
            self._add_person({"key": key, "name": who})
        try:
            start = parse_day(str(row[1]))
            end = parse_day(str(row[2])) if len(row) > 2 and row[2] else None
        except ValueError as exc:
            raise InputError(origin, f"office {office_key!r}: bad date in term {row!r}: {exc}") from exc
        note = str(row[3]) if len(row) > 3 and row[3] else None
        return Term(office_key, key, start, end, note)

    def _fill_nationalities(self) -> None:
        for key, terms in self._by_person.items():
            p = self._persons[key]
            if p.nationality is None:
                national = [t for t in terms if len(t.office_key.split(".")[0]) == 2]
                if national:
                    nat = national[0].office_key.split(".")[0]
                    self._persons[key] = Person(p.key, p.name, p.aliases, nat, p.born, p.died)

    # -- lookups --------------------------------------------------------------------------------
    def resolve_key(self, office_key: str) -> str:
        return self._aliases.get(office_key, office_key)

    def office(self, office_key: str) -> Office:
        key = self.resolve_key(office_key)
        if key not in self._offices:
            raise KeyError(f"unknown office {office_key!r}; e.g. {', '.join(sorted(self._offices)[:8])}, ...")
        return self._offices[key]

    def offices(self) -> list[Office]:
        return list(self._offices.values())

    def scope(self, code: str) -> Scope | None:
        return self._scopes.get(code)

    def scopes(self) -> list[Scope]:
        return list(self._scopes.values())

    def persons(self) -> list[Person]:
        return list(self._persons.values())

    def person(self, key: str) -> Person | None:
        return self._persons.get(key)

    def terms(self, office_key: str) -> list[Term]:
        return list(self._terms.get(self.resolve_key(office_key), []))

    def holders(self, office_key: str, on: date) -> list[Person]:
        """Who held the office on that day (usually one person; none outside the data's range)."""
        return [self._persons[t.person_key] for t in self.terms(office_key) if t.covers(on)]

    def terms_of(self, person_key: str) -> list[Term]:
        return list(self._by_person.get(person_key, []))

    def find_person(self, name: str) -> list[Person]:
        """Persons with that full name or alias (accent- and case-insensitive)."""
        return [self._persons[k] for k in self._names.get(fold(name), [])]

    def find_offices(self, label: str) -> list[Office]:
        """Offices named by a label: an office's own label ("NATO-Generalsekretär", "Secretary of
        State"), or a scope prefix/adjective plus a generic label ("US-Außenminister",
        "britischer Verteidigungsminister", "French foreign minister")."""
        f = fold(label)
        found = [self._offices[k] for k in self._labels.get(f, [])]
        if found:
            return found
        for code, forms in self._scope_forms:
            for form in forms:
                rest = _strip_prefix(f, form)
                if rest is not None and (hits := self._scope_labels.get((code, rest))):
                    return list(hits)
        return []


def _strip_prefix(label: str, form: str) -> str | None:
    """'us-aussenminister' minus 'us-' -> 'aussenminister'; 'deutscher aussenminister' minus
    'deutsch' -> 'aussenminister' (German adjective endings allowed)."""
    if form.endswith("-"):
        return label[len(form) :] if label.startswith(form) else None
    m = re.match(re.escape(form) + r"(?:e|er|es|en|em)?[ -]", label)
    return label[m.end() :] if m else None


def merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """Merge a user's knowledge over the packaged one: offices are merged key by key (labels
    added, ``terms`` replaced when given, ``extra_terms`` appended), persons appended (a person
    with a known key is updated), scopes and kinds updated."""
    out = json.loads(json.dumps(base))
    for k in ("scopes", "kinds"):
        out.setdefault(k, {}).update(extra.get(k, {}))
    for key, spec in extra.get("offices", {}).items():
        cur = out["offices"].setdefault(key, {})
        for lang, labels in spec.get("labels", {}).items():
            cur.setdefault("labels", {}).setdefault(lang, [])
            cur["labels"][lang] += [x for x in labels if x not in cur["labels"][lang]]
        for k in ("terms", "terms_of", "kind", "aliases"):
            if k in spec:
                cur[k] = spec[k]
        if spec.get("extra_terms"):
            cur.setdefault("terms", []).extend(spec["extra_terms"])
    out["persons"] = out.get("persons", []) + extra.get("persons", [])
    if "version" in extra:
        out["version"] = f"{out.get('version')}+{extra['version']}"
    return out


@lru_cache(maxsize=4)
def _load(user_dir: str | None) -> OfficeKB:
    data = read_json(PACKAGED, "office knowledge")
    origin = str(PACKAGED)
    if user_dir:
        user = Path(user_dir) / "offices.json"
        if user.is_file():
            data = merge(data, read_json(user, "office knowledge"))
            origin = f"{PACKAGED} + {user}"
    return OfficeKB(data, origin)


def load_offices() -> OfficeKB:
    """The office knowledge base (packaged data merged with $NEWSWEAVE_KNOWLEDGE_DIR), loaded once."""
    return _load(os.environ.get(ENV_DIR) or None)
