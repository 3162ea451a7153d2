"""Tie one document's name spans and role spans to canonical entity keys.

Input: the clean text, its language, the NER spans (start, end, type) and the document date.
Output: :class:`~newsweave.model.Mention` objects (offsets into the text) and the document's
:class:`~newsweave.model.Entity` records. Order of work:

1. gazetteer spans from the knowledge base (exact aliases, "NATO", "Brüssel", "Weißen Haus"),
   merged with the NER spans (the longer wins; the knowledge base decides the type);
2. role spans (:mod:`.roles`) take precedence over any name span they overlap;
3. names are linked: knowledge alias (with German inflection and compounds), transliteration key
   for persons, surname → the full name used earlier in the same document, else a new key from
   the transliteration-aware name key, so the same unknown person gets the same key everywhere;
4. context aliases ("das Bündnis", "the Alliance") count only when their entity is named too;
5. roles are resolved to persons (appositive name, office holder at the date, nationality).
"""

from __future__ import annotations

import importlib
import re
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from ..model import Entity, Mention
from .kb import EntityKB
from .names import inflection_variants, name_key, slugify, to_english, word_key
from .roles import RoleFinder, RoleMatch, doc_dates

_WORD = re.compile(r"\w+(?:[-.&]\w+)*\.?")
_MAX_NGRAM = 5


@dataclass
class Span:
    start: int
    end: int
    type: str
    source: str  # ner | kb | context
    key: str | None = None
    confidence: float = 0.8


class Linker:
    def __init__(self, kb: EntityKB) -> None:
        self.kb = kb
        self._roles: dict[str, RoleFinder] = {}
        self._ctx_stems: dict[str, set[str]] = {}
        self._gaz: dict[str, str] = {}  # exact alias -> key (case-sensitive)
        for key, e in kb.entities.items():
            if e.type == "PER":
                names = [n for ns in e.aliases.values() for n in ns if " " in n] + [e.name]
            else:
                names = [e.name] + [n for ns in e.aliases.values() for n in ns]
            for n in names:
                if len(n) >= 2 and (e.type != "PER" or " " in n):
                    self._gaz.setdefault(n, key)
        # surnames of known persons, where the surname names one person only
        for key, e in kb.entities.items():
            if e.type == "PER":
                last = e.name.split()[-1]
                if len(last) >= 4 and last[0].isupper() and kb.person_by_surname(last) == [key]:
                    self._gaz.setdefault(last, key)
        self._gaz_len = _first_word_lengths(self._gaz)

    def roles(self, lang: str) -> RoleFinder:
        if lang not in self._roles:
            self._roles[lang] = RoleFinder(self.kb, lang if lang in ("de", "en") else "en")
        return self._roles[lang]

    # -- 1. gazetteer --------------------------------------------------------------------------
    def gazetteer(self, text: str, lang: str = "en", table: dict[str, str] | None = None) -> list[Span]:
        """Spans of known names (longest first, up to five words). German single words are also
        tried without case endings ("Stoltenbergs", "NATO-Russland-Rates"); the span stays the
        whole surface word."""
        gaz = self._gaz if table is None else table
        lengths = self._gaz_len if table is None else _first_word_lengths(table)
        words = [(m.start(), m.end()) for m in _WORD.finditer(text)]
        out: list[Span] = []
        i = 0
        while i < len(words):
            hit = None
            first = text[words[i][0] : words[i][1]]
            longest = lengths.get(first) or lengths.get(first.rstrip("."), 0)
            if not longest and lang == "de" and first[:1].isupper():
                longest = 1  # inflected single word: tried below
            for n in range(min(longest, len(words) - i), 0, -1):
                s, e = words[i][0], words[i + n - 1][1]
                for end in (e, e - 1) if text[e - 1] == "." else (e,):
                    surface = text[s:end]
                    key = gaz.get(surface)
                    if key is None and n == 1 and lang == "de":
                        key = next((gaz[v] for v in inflection_variants(surface, lang) if v in gaz), None)
                    if key:
                        typ = self.kb.entities[key].type if key in self.kb.entities else key.split(":")[0]
                        hit = (n, Span(s, end, typ, "kb", key, 0.95))
                        break
                if hit:
                    break
            if hit:
                out.append(hit[1])
                i += hit[0]
            else:
                i += 1
        return out

    # -- 2. merge ------------------------------------------------------------------------------
    @staticmethod
    def merge(ner: list[Span], gaz: list[Span], roles: list[RoleMatch]) -> list[Span]:
        end = max([0] + [x.end for x in ner] + [x.end for x in gaz] + [r.end for r in roles])
        taken = bytearray(end)  # one flag per character: linear in the text, whatever the spans
        for r in roles:
            taken[r.start : r.end] = b"\x01" * (r.end - r.start)
        gaz_sorted = sorted(gaz, key=lambda g: g.start)
        gaz_starts = [g.start for g in gaz_sorted]
        ner = [n for n in ner if not Linker._covered(n, gaz_sorted, gaz_starts)]
        spans: list[Span] = []
        for sp in sorted(gaz + ner, key=lambda s: (-(s.end - s.start), s.source != "kb", s.start)):
            if any(taken[sp.start : sp.end]):
                continue
            spans.append(sp)
            taken[sp.start : sp.end] = b"\x01" * (sp.end - sp.start)
        return sorted(spans, key=lambda s: s.start)

    @staticmethod
    def _covered(sp: Span, by: list[Span], starts: list[int]) -> bool:
        """Whether the given spans (sorted by start) cover every word character of ``sp``
        ("Washington D.C." by "Washington" + "D.C.")."""
        i, j = bisect_left(starts, sp.start), bisect_left(starts, sp.end)
        inside = [b for b in by[i:j] if b.end <= sp.end]
        if not inside:
            return False
        covered = sum(b.end - b.start for b in inside)
        return covered >= (sp.end - sp.start) - len(inside) + 1

    # -- 3. linking names -----------------------------------------------------------------------
    def _kb_key(self, surface: str, typ: str, lang: str) -> str | None:
        keys = self.kb.by_alias(surface, lang)
        if not keys and "-" in surface:  # "NATO-Russland-Rates": inflected last part of a compound
            head, _, last = surface.rpartition("-")
            for v in inflection_variants(last, lang):
                keys = self.kb.by_alias(f"{head}-{v}", lang)
                if keys:
                    break
        if keys:
            same = [k for k in keys if self.kb.entities[k].type == typ]
            return (same or keys)[0]
        if typ == "PER":
            found = self.kb.person_by_name(surface)
            if len(found) == 1:
                return found[0]
        return None

    def link_names(self, text: str, spans: list[Span], lang: str) -> None:
        full_names: dict[str, str] = {}  # surname key -> person key, from full names in this doc
        for sp in spans:
            surface = text[sp.start : sp.end]
            if sp.key is None:
                sp.key = self._kb_key(surface, sp.type, lang)
            if sp.key:
                e = self.kb.get(sp.key)
                if e is not None:
                    sp.type = e.type
            if sp.type == "PER" and len(surface.split()) >= 2:
                sp.key = sp.key or f"PER:{name_key(surface) or slugify(surface)}"
                last = surface.split()[-1]
                full_names.setdefault(word_key(last), sp.key)
        for sp in spans:
            if sp.key:
                continue
            surface = text[sp.start : sp.end]
            if sp.source == "ner" and " " not in surface and any(
                word_key(f) in full_names for f in [surface, *inflection_variants(surface, lang)]
            ):
                sp.type = "PER"  # one name, one type per document: "McKinley" after "Kevin McKinley"
            if sp.type == "PER":
                forms = [surface, *inflection_variants(surface, lang)]
                local = [full_names[word_key(f)] for f in forms if word_key(f) in full_names]
                if local:
                    sp.key = local[0]
                    continue
                for f in forms:
                    kb_hits = self.kb.person_by_surname(f)
                    if len(kb_hits) == 1:
                        sp.key = kb_hits[0]
                        break
                sp.key = sp.key or f"PER:{name_key(surface) or slugify(surface)}"
            else:
                sp.key = f"{sp.type}:{slugify(surface)}"

    def propagate(self, text: str, lang: str, spans: list[Span], roles: list[RoleMatch]) -> list[Span]:
        """Surnames of the persons this document names in full, wherever NER missed them."""
        table: dict[str, str] = {}
        for sp in spans:
            words = text[sp.start : sp.end].split()
            if sp.type == "PER" and sp.key and len(words) >= 2 and len(words[-1]) >= 3:
                table.setdefault(words[-1], sp.key)
        if not table:
            return spans
        busy = spans + [Span(r.start, r.end, "ROLE", "role") for r in roles]
        extra = [g for g in self.gazetteer(text, lang, table)
                 if not any(g.start < b.end and b.start < g.end for b in busy)]
        return sorted(spans + extra, key=lambda x: x.start)

    # -- 4. context aliases --------------------------------------------------------------------
    def context_spans(self, text: str, lang: str, named: set[str], taken: list[Span],
                      roles: list[RoleMatch]) -> list[Span]:
        out = []
        busy = [(s.start, s.end) for s in taken] + [(r.start, r.end) for r in roles]
        stems = self._ctx_stems.get(lang)
        if stems is None:
            stems = self._ctx_stems[lang] = {fold_stem(a) for e in self.kb.entities.values()
                                             for a in e.context_aliases.get(lang, [])}
        for m in _WORD.finditer(text):
            word = m.group(0).rstrip(".")
            if fold_stem(word) not in stems:
                continue
            key = self.kb.context_alias(word, lang)
            if key is None or key not in named:
                continue
            if lang == "de" and not word[0].isupper():
                continue
            s, e = m.start(), m.start() + len(word)
            if any(s < be and bs < e for bs, be in busy):
                continue
            out.append(Span(s, e, self.kb.entities[key].type, "context", key, 0.7))
        return out

    # -- 5. roles --------------------------------------------------------------------------------
    def resolve_role(self, r: RoleMatch, text: str, spans: dict[int, Span], counts: Counter[str],
                     dates: list[date], lang: str, appositive_only: bool = False) -> tuple[str | None, str | None]:
        """(office key, person key) for a role match."""
        after = re.match(r"[ \t]*,?[ \t]*", text[r.end :])
        pos = r.end + (after.end() if after else 0)
        sp = spans.get(pos)
        if sp is not None and sp.type == "PER":
            office = r.office
            person = self.kb.get(sp.key or "")
            if office is None and r.kind and person is not None and person.nationality:
                office = self.roles(lang).office_for(person.nationality, r.kind)
            return office, sp.key
        if appositive_only:
            return r.office, None
        if r.person_noun:
            cands = [(counts[k], k) for k in counts if k.startswith("PER:")
                     and (e := self.kb.get(k)) is not None and e.nationality == r.nationality]
            return None, max(cands)[1] if cands else None
        if r.marker == "former":
            return r.office, None
        if r.office:
            return r.office, self._holder(r.office, dates, counts)
        # no scope: try the scopes the document names, most mentioned first
        finder = self.roles(lang)
        scoped = Counter({s: counts[k] for k in counts if (s := self.kb.scope_of(k))})
        for k in counts:
            e = self.kb.get(k)
            if e is not None and e.nationality:
                scoped[e.nationality] += counts[k]
        fallback: tuple[str | None, str | None] = (None, None)
        for scope, _ in scoped.most_common():
            office = finder.office_for(scope, r.kind or "")
            if office is None:
                continue
            who = self._holder(office, dates, counts, named_only=True)
            if who:
                return office, who
            if fallback[0] is None and dates:
                fallback = (office, self._holder(office, dates, counts))
        return fallback

    def _holder(self, office: str, dates: list[date], counts: Counter[str], named_only: bool = False) -> str | None:
        holders: list[str] = []
        if dates:
            for d in dates:
                holders += [h for h in self.kb.holders(office, d) if h not in holders]
        elif self.kb.offices is not None:
            holders = [t.person_key for t in self.kb.offices.terms(office)]
        named = [h for h in holders if counts.get(h)]
        if named:
            return max(named, key=lambda h: counts[h])
        if named_only or not dates:
            return None
        return holders[0] if len(holders) == 1 else None

    # -- all together ------------------------------------------------------------------------------
    def link(self, text: str, lang: str, ner: list[tuple[int, int, str]], published: Any = None
             ) -> tuple[list[Mention], dict[str, Entity]]:
        roles = self.roles(lang).find(text)
        stop = _stop_words(lang)
        ner_spans = [sp for s, e, t in ner if (sp := _trim(text, Span(s, e, t, "ner"))) is not None
                     and text[sp.start : sp.end].lower() not in stop]
        spans = self.merge(ner_spans, self.gazetteer(text, lang), roles)
        self.link_names(text, spans, lang)
        spans = self.propagate(text, lang, spans, roles)
        named = {s.key for s in spans if s.key}
        for sp in spans:  # "the Alliance" tagged by NER: NATO when NATO is named
            if sp.key and sp.key not in self.kb.entities:
                ctx = self.kb.context_alias(text[sp.start : sp.end], lang)
                if ctx in named:
                    sp.key, sp.type = ctx, self.kb.entities[ctx].type
        spans = sorted(spans + self.context_spans(text, lang, named, spans, roles), key=lambda s: s.start)
        counts: Counter[str] = Counter(s.key for s in spans if s.key)
        dates = doc_dates(published)
        mentions = [Mention(s.start, s.end, text[s.start : s.end], s.type, s.key, None, s.confidence)
                    for s in spans]
        # roles with an appositive name first: they bind people to offices, and a person bound
        # to one office ("der designierte Präsident Donald Trump") is no candidate for another
        by_start = {sp.start: sp for sp in spans}
        resolved: dict[int, tuple[str | None, str | None]] = {}
        bound: dict[str, str | None] = {}
        for i, r in enumerate(roles):
            office, person = self.resolve_role(r, text, by_start, counts, dates, lang, appositive_only=True)
            if person:
                resolved[i] = (office, person)
                bound.setdefault(person, office)
        for i, r in enumerate(roles):
            if i not in resolved:
                kind = r.office.partition(".")[2] if r.office else r.kind
                other = Counter({k: c for k, c in counts.items() if kind is None or not bound.get(k)
                                 or (bound[k] or "").partition(".")[2] == kind})
                resolved[i] = self.resolve_role(r, text, by_start, other, dates, lang)
            office, person = resolved[i]
            if office is None and person is None:
                continue
            mentions.append(Mention(r.start, r.end, r.text, "ROLE", person, office, 0.9 if person else 0.5))
        mentions.sort(key=lambda m: (m.start, m.end))
        return mentions, self.entities(mentions, lang)

    def entities(self, mentions: list[Mention], lang: str) -> dict[str, Entity]:
        out: dict[str, Entity] = {}
        for m in mentions:
            if not m.entity_key:
                continue
            e = out.get(m.entity_key)
            if e is None:
                kbe = self.kb.get(m.entity_key)
                typ = kbe.type if kbe else (m.type if m.type != "ROLE" else "PER")
                e = Entity(m.entity_key, kbe.name if kbe else m.text, typ, {})
                if kbe:
                    for al in {"en", lang}:
                        forms = kbe.aliases.get(al, [])
                        if forms:
                            e.aliases[al] = list(forms)
                out[m.entity_key] = e
            if m.type != "ROLE":
                forms = e.aliases.setdefault(lang, [])
                if m.text not in forms:
                    forms.append(m.text)
                if self.kb.get(m.entity_key) is None and len(m.text) > len(e.name):
                    e.name = m.text
        for e in out.values():
            if self.kb.get(e.key) is None and e.type == "PER":
                en = to_english(e.name, lang)
                if en:
                    e.aliases.setdefault("en", [])
                    if en not in e.aliases["en"]:
                        e.aliases["en"].append(en)
        return out


@lru_cache(maxsize=8)
def _stop_words(lang: str) -> frozenset[str]:
    """spaCy's stop words: a one-word 'name' that is a stop word ("Let", "Where") is a tagging
    error of title-case text."""
    try:
        module = importlib.import_module(f"spacy.lang.{lang}.stop_words")
    except ImportError:
        return frozenset()
    return frozenset(getattr(module, "STOP_WORDS", ()))


def fold_stem(word: str) -> str:
    """A cheap prefilter key: the first five letters, lowercased."""
    return word[:5].lower()


def _first_word_lengths(table: dict[str, str]) -> dict[str, int]:
    """First word of each name -> the most words a name starting with it has (for fast lookup)."""
    out: dict[str, int] = {}
    for name in table:
        words = _WORD.findall(name)
        if words:
            for first in (words[0], words[0].rstrip(".")):
                out[first] = max(out.get(first, 0), len(words))
    return out


_DETERMINER = re.compile(r"(?:the|The|THE|Der|Die|Das|Den|Dem|Des|Ein|Eine|Einen|Einem|Einer)\s+")
_PARTICLES = {"von", "van", "de", "der", "den", "da", "di", "du", "la", "le", "bin", "al", "el", "ibn", "zu", "y"}


def _trim(text: str, sp: Span) -> Span | None:
    """Cut a person span at the first lowercase word that is no name particle ("Wladimir Putin
    mit Führern" -> "Wladimir Putin"); drop empty spans."""
    if not text[sp.start : sp.end].strip():
        return None
    det = _DETERMINER.match(text[sp.start : sp.end])
    if det and sp.end - sp.start > det.end():
        sp = Span(sp.start + det.end(), sp.end, sp.type, sp.source, sp.key, sp.confidence)
    words = list(re.finditer(r"\S+", text[sp.start : sp.end]))
    if words[0].group(0)[0].islower() and words[0].group(0) not in _PARTICLES:
        return None  # names start with a capital, a digit or a name particle ("alles Notwendige")
    if sp.type != "PER":
        while len(words) > 1 and words[-1].group(0)[0].islower():
            words.pop()  # "Bündnis zurückgezogen" -> "Bündnis"
        return Span(sp.start, sp.start + words[-1].end(), sp.type, sp.source, sp.key, sp.confidence)
    for m in re.finditer(r"\S+", text[sp.start : sp.end]):
        w = m.group(0)
        if m.start() > 0 and w[0].islower() and w not in _PARTICLES:
            end = sp.start + m.start()
            while end > sp.start and text[end - 1] in " ,;":
                end -= 1
            return Span(sp.start, end, sp.type, sp.source, sp.key, sp.confidence) if end > sp.start else None
    return sp
