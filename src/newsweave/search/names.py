"""Find entities named in a query: by name or alias, accent- and transliteration-insensitive.

A Russian name reaches German and English readers through different transliteration tables
(German "Sacharowa", "Lawrow", "Selenskyj"; English "Zakharova", "Lavrov", "Zelenskyy"). Besides
the accent-folded spelling, every name gets *transliteration keys*: letters mapped onto classes
that the common tables write differently (German w / English v, German s / English z, German ch /
English kh, German tsch / English ch, j / y, doubled letters). "ch" is ambiguous between the
tables (German "ch" is English "kh", English "ch" is German "tsch"), so a name gets a key for each
reading. Two names match when they share a key; a key one edit apart matches weakly (long
names only).

The index over the store's entities is built once and rebuilt when the entity table changes.
"""

from __future__ import annotations

import json
import re
import threading
import unicodedata
import weakref
from dataclasses import dataclass, field
from typing import Any, ClassVar

from .sql import change_token

_SPECIAL = str.maketrans({"ß": "ss", "æ": "ae", "ø": "o", "œ": "oe", "ł": "l", "đ": "d", "ı": "i", "þ": "th"})
_NONLETTER = re.compile(r"[^a-z0-9]+")

# (pattern, replacement) applied in order to an accent-folded lower-case word after the
# sibilant clusters are marked; capital letters stand for sound classes and are not touched again.
_RULES: list[tuple[str, str]] = [
    (r"ts|tz|z|s", "s"),
    (r"ph", "f"),
    (r"w", "v"),
    (r"ck|q|k", "k"),
    (r"c(?=[eiy])", "s"),
    (r"c", "k"),
    (r"x", "ks"),
    (r"j", "y"),
    (r"(?:ij|iy|yj|yi|yy|ii|i)$", "y"),
    (r"ie", "i"),
    (r"h", ""),
]
_RULES_RX = [(re.compile(p), r) for p, r in _RULES]


def fold(text: str) -> str:
    """Lower-case, accents removed, punctuation to single spaces."""
    t = unicodedata.normalize("NFKD", text.casefold().translate(_SPECIAL))
    t = "".join(c for c in t if not unicodedata.combining(c))
    return _NONLETTER.sub(" ", t).strip()


def _word_keys(word: str) -> set[str]:
    w = re.sub(r"schtsch|shch", "S", word)
    w = re.sub(r"tsch|tch", "C", w)
    w = re.sub(r"sch|sh|zh", "S", w).replace("kh", "H")
    out = set()
    for ch_as in ("H", "C"):  # German "ch" is English "kh"; English "ch" is German "tsch"
        v = w.replace("ch", ch_as)
        for rx, rep in _RULES_RX:
            v = rx.sub(rep, v)
        out.add(re.sub(r"(.)\1+", r"\1", v))  # doubled letters
    return out


def translit_keys(name: str) -> set[str]:
    """Keys under which a name matches its other transliterations."""
    ws = fold(name).split()
    if not ws:
        return set()
    keys = {""}
    for w in ws[:6]:
        keys = {f"{k} {wk}".strip() for k in keys for wk in _word_keys(w)}
    return keys


def _edit1(a: str, b: str) -> bool:
    """True when a and b are at most one insertion, deletion or substitution apart."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i + (len(a) == len(b)):] == b[i + 1:]


@dataclass
class _Entry:
    id: str
    key: str
    name: str
    type: str
    aliases: dict[str, list[str]]
    mention_count: int
    forms: dict[str, str] = field(default_factory=dict)  # folded form -> the alias it came from
    keys: dict[str, str] = field(default_factory=dict)  # translit key -> the alias it came from


def _all_names(e: _Entry) -> list[str]:
    names = [e.name, *(a for forms in e.aliases.values() for a in forms)]
    slug = e.key.split(":", 1)[-1]
    if slug and "." not in slug:
        names.append(slug.replace("-", " "))
    return list(dict.fromkeys(n for n in names if n and n.strip()))


class EntityIndex:
    """Folded forms and transliteration keys of every entity name, alias and surname."""

    _by_store: ClassVar[weakref.WeakKeyDictionary[Any, EntityIndex]] = weakref.WeakKeyDictionary()
    _guard = threading.Lock()

    def __init__(self, entries: list[_Entry], signature: Any = None) -> None:
        self.entries = entries
        self.signature = signature
        self.token: Any = None  # the store's change token when the signature was last checked
        self.forms: dict[str, list[tuple[_Entry, str, bool]]] = {}  # form -> (entry, alias, whole name?)
        self.keys: dict[str, list[tuple[_Entry, str, bool]]] = {}
        for e in entries:
            for alias in _all_names(e):
                f = fold(alias)
                if not f:
                    continue
                self.forms.setdefault(f, []).append((e, alias, True))
                for k in translit_keys(alias):
                    self.keys.setdefault(k, []).append((e, alias, True))
                toks = f.split()
                if e.type == "PER" and len(toks) > 1 and len(toks[-1]) >= 4:  # a surname alone
                    self.forms.setdefault(toks[-1], []).append((e, alias, False))
                    for k in _word_keys(toks[-1]):
                        self.keys.setdefault(k, []).append((e, alias, False))
        self._by_len: dict[int, list[str]] = {}  # single-word keys by length, for near spellings
        for k in self.keys:
            if " " not in k and len(k) >= 6:
                self._by_len.setdefault(len(k), []).append(k)

    @classmethod
    def for_store(cls, store: Any) -> EntityIndex:
        token = change_token(store)
        with cls._guard:
            try:
                idx = cls._by_store.get(store)
            except TypeError:  # a store that cannot be weakly referenced: no caching
                return cls(_load(store), _signature(store))
            if idx is not None and token is not None and idx.token == token:
                return idx  # nothing written since the last look
            sig = _signature(store)
            if idx is None or idx.signature != sig:
                idx = cls(_load(store), sig)
                cls._by_store[store] = idx
            idx.token = token
            return idx

    def find(self, query: str, *, limit: int = 5) -> list[dict[str, Any]]:
        """Entities named in ``query``, best first, each with how it matched and a score."""
        toks = fold(query).split()
        best: dict[str, tuple[float, str, str, _Entry]] = {}

        def note(e: _Entry, score: float, how: str, alias: str) -> None:
            if e.id not in best or best[e.id][0] < score:
                best[e.id] = (score, how, alias, e)

        whole = " ".join(toks)
        covered: set[int] = set()  # tokens already part of an exact or transliterated match
        for n in range(min(len(toks), 5), 0, -1):
            for i in range(len(toks) - n + 1):
                gram = " ".join(toks[i : i + n])
                if len(gram) < 3:
                    continue
                exact = 1.0 if gram == whole else 0.95
                hit = False
                for e, alias, full in self.forms.get(gram, []):
                    note(e, exact if full else 0.85, "alias" if full else "surname", alias)
                    hit = True
                for k in translit_keys(gram):
                    for e, alias, full in self.keys.get(k, []):
                        note(e, 0.9 if full else 0.8, "transliteration", alias)
                        hit = True
                if hit:
                    covered.update(range(i, i + n))
                elif n == 1 and len(gram) >= 6 and i not in covered:
                    for gk in translit_keys(gram):
                        near = [k for n_ in (len(gk) - 1, len(gk), len(gk) + 1) for k in self._by_len.get(n_, [])]
                        for k in near:
                            if _edit1(gk, k):
                                for e, alias, _full in self.keys[k]:
                                    note(e, 0.7, "similar spelling", alias)
        ranked = sorted(best.values(), key=lambda t: (-t[0], -t[3].mention_count, t[3].name))
        return [
            {"id": e.id, "key": e.key, "name": e.name, "type": e.type, "score": round(s, 3), "match": how,
             "matched_alias": alias, "aliases_by_lang": e.aliases, "mention_count": e.mention_count}
            for s, how, alias, e in ranked[:limit]
        ]


def _signature(store: Any) -> Any:
    if hasattr(store, "_q"):
        r = store._q("SELECT COUNT(*), COALESCE(SUM(LENGTH(aliases)), 0), COALESCE(MAX(rowid), 0) FROM entities")[0]
        m = store._q("SELECT COALESCE(MAX(rowid), 0) FROM mentions")[0]
        return (int(r[0]), int(r[1]), int(r[2]), int(m[0]))
    return store.count("entities"), store.count("mentions")


def _load(store: Any) -> list[_Entry]:
    if hasattr(store, "_q"):
        counts = {r[0]: int(r[1]) for r in store._q(
            "SELECT entity_id, COUNT(*) FROM mentions WHERE entity_id IS NOT NULL GROUP BY entity_id")}
        return [
            _Entry(r["id"], r["key"], r["name"], r["type"], json.loads(r["aliases"]), counts.get(r["id"], 0))
            for r in store._q("SELECT id, key, name, type, aliases FROM entities")
        ]
    return [
        _Entry(r["id"], r["key"], r["name"], r["type"], r.get("aliases_by_lang") or {"": r["aliases"]},
               r.get("mention_count", 0))
        for r in store.iter_records("entities")
    ]


def find_entities(store: Any, query: str, *, limit: int = 5) -> list[dict[str, Any]]:
    """Entities whose name, alias or surname the query contains, in any spelling."""
    return EntityIndex.for_store(store).find(query, limit=limit)
