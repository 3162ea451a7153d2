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

import re
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from ..model import Entity, Mention
from .candidates import CandidateFinder, name_cues, stop_words
from .kb import EntityKB
from .names import DE_SUFFIXES, fold, inflection_variants, name_key, slugify, to_english, word_key
from .roles import RoleFinder, RoleMatch, _roles_data, doc_dates

_WORD = re.compile(r"\w+(?:[-.&]\w+)*\.?")
_MAX_NGRAM = 5
_ACRONYM_LIKE = re.compile(r"[A-Z]{2,}[A-Za-z]*|[A-Z][a-z]*[A-Z]{2,}[A-Za-z]*")  # JADES, NIRSpec
MODEL_LANGS = ("de", "en")
COMPOUND_HEAD = 0.85  # confidence of a compound-head span ("Nato" in "Nato-Beitritt")


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
        self._gaz_infl = _inflected(self._gaz)
        self._opener_cache: dict[str, dict[str, bool]] = {}
        # accent-folded names ("Dubaï" -> Dubai), tried for words with non-ASCII letters only
        self._gaz_fold: dict[str, str] = {}
        for n, key in self._gaz.items():
            self._gaz_fold.setdefault(fold(n), key)
        self._gaz_fold_len = {fold(k): v for k, v in self._gaz_len.items()}
        self.candidates = CandidateFinder(kb)
        temporal = _roles_data().get("name_cues", {}).get("temporal", {})
        self._temporal = {fold(w) for ws in temporal.values() for w in ws}
        self._glued: dict[str, re.Pattern[str]] = {}
        self._org_nouns: tuple[str, ...] | None = None

    def roles(self, lang: str) -> RoleFinder:
        if lang not in self._roles:
            self._roles[lang] = RoleFinder(self.kb, lang if lang in ("de", "en") else "en")
        return self._roles[lang]

    # -- 1. gazetteer --------------------------------------------------------------------------
    def gazetteer(self, text: str, lang: str = "en", table: dict[str, str] | None = None,
                  wspans: list[tuple[int, int]] | None = None) -> list[Span]:
        """Spans of known names (longest first, up to five words). German single words are also
        tried without case endings ("Stoltenbergs", "NATO-Russland-Rates"); the span stays the
        whole surface word. ``wspans`` are the text's :data:`_WORD` spans, when already found."""
        gaz = self._gaz if table is None else table
        lengths = self._gaz_len if table is None else _first_word_lengths(table)
        infl = self._gaz_infl if table is None else _inflected(table)
        words = word_spans(text) if wspans is None else wspans
        out: list[Span] = []
        i = 0
        for j in self._openers(text, words, lang, lengths, infl, table is None):
            if j < i:
                continue
            i = j
            hit = None
            first = text[words[i][0] : words[i][1]]
            longest = lengths.get(first) or lengths.get(first.rstrip("."), 0)
            folded = table is None and not longest and not first.isascii() and first[:1].isupper()
            if folded:
                longest = self._gaz_fold_len.get(fold(first), 0)
            if not longest and lang == "de" and first[:1].isupper():
                longest = 1  # inflected single word: tried below
            for n in range(min(longest, len(words) - i), 0, -1):
                s, e = words[i][0], words[i + n - 1][1]
                for end in (e, e - 1) if text[e - 1] == "." else (e,):
                    surface = text[s:end]
                    key = gaz.get(surface) or (self._gaz_fold.get(fold(surface)) if folded else None)
                    if key is None and n == 1 and lang == "de":
                        key = infl.get(surface)
                    if key:
                        typ = self.kb.entities[key].type if key in self.kb.entities else key.split(":")[0]
                        hit = (n, Span(s, end, typ, "kb", key, 0.95))
                        break
                if hit:
                    break
            if hit is None and lang == "de" and table is None and "-" in first:
                hit = self._compound_head(words[i][0], first)
            if hit:
                out.append(hit[1])
                i += hit[0]
            else:
                i += 1
        return out

    def _openers(self, text: str, words: list[tuple[int, int]], lang: str, lengths: dict[str, int],
                 infl: dict[str, str], main: bool) -> list[int]:
        """Indices of the words that may open a gazetteer hit: every other word would be tried
        and skipped by :meth:`gazetteer`, so leaving them out changes nothing but the time (most
        words of a text open nothing; German capitalises every noun). Cached per word for the
        main table."""
        cache = self._opener_cache.setdefault(lang, {}) if main else {}
        if len(cache) > 200_000:
            cache.clear()
        de = lang == "de"
        out = []
        for idx, (s, e) in enumerate(words):
            w = text[s:e]
            ok = cache.get(w)
            if ok is None:
                bare = w.rstrip(".")
                ok = w in lengths or bare in lengths
                if not ok and main and not w.isascii() and w[:1].isupper():
                    ok = fold(w) in self._gaz_fold_len or (de and fold(bare) in self._gaz_fold)
                if not ok and de and w[:1].isupper():
                    ok = w in infl or (w[:-1] in infl if w.endswith(".") else False)
                    ok = ok or (main and "-" in w and w.split("-", 1)[0] in self._gaz)
                cache[w] = ok
            if ok:
                out.append(idx)
        return out

    def _compound_head(self, start: int, word: str) -> tuple[int, Span] | None:
        """A German compound led by a known organisation or place: the "Nato" of
        "Nato-Beitritt", the "EU" of "EU-Gipfel" (the span is the head only)."""
        head = word.split("-", 1)[0]
        key = self._gaz.get(head)
        if key is None or len(head) < 2:
            return None
        e = self.kb.entities.get(key)
        if e is None or e.type not in ("ORG", "LOC"):
            return None
        return 1, Span(start, start + len(head), e.type, "kb", key, COMPOUND_HEAD)

    def _overreaching(self, text: str, sp: Span, known: Span | None) -> bool:
        """A German model span that starts with a known name and runs on into words that are not
        part of it, so the known name alone is the entity: a compound about the name ("Nato-Beitritt"
        as MISC or ORG, "Nato-Beitritt Finnlands"), unless its last part makes it an organisation's
        own name ("EU-Kommission", roles.json ``organisation_nouns``); an acronym followed by a
        noun ("die PKK Unterschlupf gewähren")."""
        if known is None or known.end >= sp.end:
            return False
        if known.confidence == COMPOUND_HEAD:
            word = text[sp.start : sp.end]
            if sp.type == "MISC" or " " in word:
                return True
            tail = fold(word.rpartition("-")[2])
            forms = (tail, tail[:-1], tail[:-2])  # "-Rates", "-Kommissionen"
            return not any(f.endswith(n) for f in forms for n in self._organisation_nouns())
        head = text[known.start : known.end]
        return head.isupper() and 2 <= len(head) <= 5 and text[known.end : known.end + 1] == " "

    def _organisation_nouns(self) -> tuple[str, ...]:
        if self._org_nouns is None:
            self._org_nouns = tuple({fold(w) for w in name_cues("organisation_nouns", "de")})
        return self._org_nouns

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

    def clean_span(self, text: str, sp: Span, lang: str) -> Span | None:
        """A model or candidate span trimmed: determiners and trailing lowercase words
        (:func:`_trim`), a trailing date phrase of a place ("Dhabi am Donnerstag" -> "Dhabi"),
        and a role word glued to a first name ("Konferenzpräsident Sultan" -> "Sultan")."""
        out = _trim(text, sp)
        if out is None:
            return None
        words = list(re.finditer(r"\S+", text[out.start : out.end]))
        if out.type != "PER" and len(words) > 1:
            for i, w in enumerate(words[1:], 1):
                if fold(w.group(0).strip(",.;")) in self._temporal:
                    keep = words[:i]
                    while len(keep) > 1 and keep[-1].group(0)[0].islower():
                        keep.pop()
                    out = Span(out.start, out.start + keep[-1].end(), out.type, out.source, out.key, out.confidence)
                    break
        elif out.type == "PER" and len(words) > 1 and self._glued_role(lang).fullmatch(words[0].group(0)):
            out = Span(out.start + words[1].start(), out.end, out.type, out.source, out.key, out.confidence)
        return out

    def _glued_role(self, lang: str) -> re.Pattern[str]:
        """A word that ends with a role title ("Konferenzpräsident", "Regierungschefin")."""
        if lang not in self._glued:
            rd = _roles_data()
            titles = [t for t in rd["head_titles"].get(lang, {}) if " " not in t]
            finder = self.roles(lang)
            titles += [t for t in finder.title_kind if " " not in t and "-" not in t and len(t) >= 4]
            alt = "|".join(sorted({re.escape(t.lower()) for t in titles}, key=len, reverse=True)) or "(?!)"
            self._glued[lang] = re.compile(rf"(?i:[A-Za-zÄÖÜäöüß]+-?(?:{alt})(?:in|en|s|n)?)") if lang == "de" \
                else re.compile("(?!)")
        return self._glued[lang]

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

    def person_key(self, surface: str, lang: str) -> str:
        """The key of a person the knowledge does not know: the slug of the English spelling,
        or the key this run already gave a transliteration variant ("Sacharowa"/"Zakharova")."""
        known = self.candidates.known.get(name_key(surface))
        if known is not None and known[1] == "PER":
            return known[0]
        return f"PER:{slugify(to_english(surface, lang) or surface) or name_key(surface)}"

    def link_names(self, text: str, spans: list[Span], lang: str) -> None:
        full_names: dict[str, str] = {}  # surname key -> person key, from full names in this doc
        first_names: dict[str, set[str]] = {}  # given name key -> person keys, same
        words_of: dict[tuple[str, ...], str] = {}  # word keys of a full name -> person key
        self._vote_person_types(text, spans)
        for sp in spans:
            surface = text[sp.start : sp.end]
            if sp.key is None:
                sp.key = self._kb_key(surface, sp.type, lang)
            if sp.key:
                e = self.kb.get(sp.key)
                if e is not None:
                    sp.type = e.type
            elif sp.type == "LOC" and sp.source == "ner" and _ACRONYM_LIKE.fullmatch(surface):
                sp.type, sp.confidence = "MISC", 0.6  # "NIRSpec", "JADES": instruments, not places
        for sp in sorted(spans, key=lambda x: -(x.end - x.start)):  # longest names first
            surface = text[sp.start : sp.end]
            words = surface.split()
            if sp.type != "PER" or len(words) < 2:
                continue
            wk = tuple(word_key(w) for w in words)
            if sp.key is None:  # "Al Jaber", "von der Leyen": the surname of a longer name here
                sp.key = next((k for ws, k in words_of.items() if len(ws) > len(wk) and ws[-len(wk):] == wk), None)
            sp.key = sp.key or self.person_key(surface, lang)
            words_of.setdefault(wk, sp.key)
            full_names.setdefault(word_key(words[-1]), sp.key)
            if words[0] not in _PARTICLES and sp.source != "context":
                first_names.setdefault(word_key(words[0]), set()).add(sp.key)
        for sp in spans:
            if sp.key:
                continue
            surface = text[sp.start : sp.end]
            given = first_names.get(word_key(surface), set())
            if sp.type == "PER" and len(given) == 1 and word_key(surface) not in full_names:
                sp.key = next(iter(given))  # "Konferenzpräsident Sultan" after "Sultan Al Jaber"
                continue
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
                sp.key = sp.key or self.person_key(surface, lang)
            else:
                sp.key = f"{sp.type}:{slugify(surface)}"

    @staticmethod
    def _vote_person_types(text: str, spans: list[Span]) -> None:
        """One name, one type: a model span that ends with the words of a person span of this
        document is a person too ("Sultan Al Jaber" tagged ORG beside "Al Jaber" tagged PER)."""
        persons = {tuple(text[s.start : s.end].split()) for s in spans if s.type == "PER" and s.source != "kb"}
        persons = {p for p in persons if len(p) >= 2 or (p and len(p[0]) >= 4)}
        if not persons:
            return
        for sp in spans:
            if sp.type in ("ORG", "MISC") and sp.source in ("ner", "cand") and sp.key is None:
                words = tuple(text[sp.start : sp.end].split())
                if len(words) >= 2 and any(len(p) < len(words) and words[-len(p):] == p for p in persons):
                    sp.type = "PER"

    def propagate(self, text: str, lang: str, spans: list[Span], roles: list[RoleMatch],
                  wspans: list[tuple[int, int]] | None = None) -> list[Span]:
        """Surnames of the persons this document names in full, wherever NER missed them."""
        table: dict[str, str] = {}
        for sp in spans:
            words = text[sp.start : sp.end].split()
            if sp.type == "PER" and sp.key and len(words) >= 2 and len(words[-1]) >= 3:
                table.setdefault(words[-1], sp.key)
        if not table:
            return spans
        busy = spans + [Span(r.start, r.end, "ROLE", "role") for r in roles]
        extra = [g for g in self.gazetteer(text, lang, table, wspans)
                 if not any(g.start < b.end and b.start < g.end for b in busy)]
        return sorted(spans + extra, key=lambda x: x.start)

    # -- 4. context aliases --------------------------------------------------------------------
    def context_spans(self, text: str, lang: str, named: set[str], taken: list[Span],
                      roles: list[RoleMatch], wspans: list[tuple[int, int]] | None = None) -> list[Span]:
        out = []
        busy = [(s.start, s.end) for s in taken] + [(r.start, r.end) for r in roles]
        stems = self._ctx_stems.get(lang)
        if stems is None:
            stems = self._ctx_stems[lang] = {fold_stem(a) for e in self.kb.entities.values()
                                             for a in e.context_aliases.get(lang, [])}
        for ws, we in word_spans(text) if wspans is None else wspans:
            word = text[ws:we].rstrip(".")
            if fold_stem(word) not in stems:
                continue
            key = self.kb.context_alias(word, lang)
            if key is None or key not in named:
                continue
            if lang == "de" and not word[0].isupper():
                continue
            s, e = ws, ws + len(word)
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
        # a document's entities depend on the document and the knowledge base only, never on
        # which documents this process saw before (the Ray workers and a re-run must agree);
        # names are joined across documents by their keys, in the store
        self.candidates.known.clear()
        roles = self.roles(lang).find(text)
        stop = _stop_words(lang)
        raw = [Span(s, e, t, "ner") for s, e, t in ner]
        if lang not in MODEL_LANGS and not ner:  # no NER model: capitalised candidates
            raw = [Span(c.start, c.end, c.type, "cand", c.key, c.confidence)
                   for c in self.candidates.find(text, lang)]
        ner_spans = [sp for sp0 in raw if (sp := self.clean_span(text, sp0, lang)) is not None
                     and text[sp.start : sp.end].lower() not in stop]
        wspans = word_spans(text)
        gaz = self.gazetteer(text, lang, wspans=wspans)
        if gaz and lang == "de":
            kb_at = {g.start: g for g in gaz}
            ner_spans = [sp for sp in ner_spans if not self._overreaching(text, sp, kb_at.get(sp.start))]
        spans = self.merge(ner_spans, gaz, roles)
        self.link_names(text, spans, lang)
        spans = self.propagate(text, lang, spans, roles, wspans)
        for sp in spans:  # what this document teaches the next ones (fallback typing, variants)
            if sp.key and sp.confidence >= 0.6 and sp.source in ("ner", "kb", "cand"):
                self.candidates.remember(text[sp.start : sp.end], sp.key, sp.type)
        named = {s.key for s in spans if s.key}
        for sp in spans:  # "the Alliance" tagged by NER: NATO when NATO is named
            if sp.key and sp.key not in self.kb.entities:
                ctx = self.kb.context_alias(text[sp.start : sp.end], lang)
                if ctx in named:
                    sp.key, sp.type = ctx, self.kb.entities[ctx].type
        spans = sorted(spans + self.context_spans(text, lang, named, spans, roles, wspans), key=lambda s: s.start)
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


@lru_cache(maxsize=16)
def _stop_words(lang: str) -> frozenset[str]:
    """spaCy's stop words and the language's ``name_cues.function_words`` (roles.json): a one-word
    'name' that is one of them ("Let", "Where", a sentence-initial "Knapp" or "Rund") is a
    tagging error of capitalised text."""
    return stop_words(lang) | frozenset(w.lower() for w in name_cues("function_words", lang))


def fold_stem(word: str) -> str:
    """A cheap prefilter key: the first five letters, lowercased."""
    return word[:5].lower()


def word_spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _WORD.finditer(text)]


def _inflected(table: dict[str, str]) -> dict[str, str]:
    """German inflected form -> key, for every name of ``table``: the precomputed inverse of
    :func:`~.names.inflection_variants` (the first variant it lists wins, as a lookup would)."""
    rank: dict[str, tuple[int, int, str]] = {}
    order = {name: i for i, name in enumerate(table)}
    for name, key in table.items():
        if len(name) < 3:
            continue
        for j, suf in enumerate(DE_SUFFIXES):
            form = name + suf
            cand = (j, order[name], key)
            if form not in rank or cand < rank[form]:
                rank[form] = cand
    return {form: key for form, (_, _, key) in rank.items()}


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
    mit Führern" -> "Wladimir Putin"); drop empty spans. A name never spans a line break: the
    tagger may take the blank lines before a paragraph's first word into the name ("\n\nRasmussen")
    or run on into the next line; the span keeps its first line's words."""
    seg = text[sp.start : sp.end]
    if not seg.strip():
        return None
    start = sp.start + len(seg) - len(seg.lstrip())
    nl = text.find("\n", start, sp.end)
    end = nl if nl >= 0 else sp.end
    while end > start and text[end - 1].isspace():
        end -= 1
    if (start, end) != (sp.start, sp.end):
        sp = Span(start, end, sp.type, sp.source, sp.key, sp.confidence)
    det = _DETERMINER.match(text[sp.start : sp.end])
    if det and sp.end - sp.start > det.end():
        sp = Span(sp.start + det.end(), sp.end, sp.type, sp.source, sp.key, sp.confidence)
    words = list(re.finditer(r"\S+", text[sp.start : sp.end]))
    if words[0].group(0)[0].islower() and words[0].group(0) not in _PARTICLES:
        return None  # names start with a capital, a digit or a name particle ("alles Notwendige")
    if all(w.group(0) in _PARTICLES for w in words):
        return None  # the "el" of "Scharm el Scheich" alone
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
