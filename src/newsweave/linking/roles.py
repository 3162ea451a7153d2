"""Role mentions: titles and descriptions of people, found in text and resolved to a person.

Patterns are built from data, not written per title: the office labels of the office knowledge
(own labels such as "NATO-Generalsekretär" and generic ones per office kind such as
"Außenminister", "Secretary of State"), its scope names and adjectives ("US-", "britisch",
"Russian"), and ``knowledge/roles.json`` (head titles like "Chef", person nouns like "Politiker",
markers like "amtierende" or "designierte"). A role is resolved in this order:

1. an appositive name right after it ("NATO-Generalsekretär Jens Stoltenberg");
2. the office named by the whole label, or by title kind + scope (prefix, adjective, genitive
   complement "der Allianz"), or by kind + the scopes named in the document, and then the holder
   of that office at the document's date, preferring a holder the document itself names;
3. nationality descriptions ("der norwegische Politiker"): the most mentioned person of that
   nationality in the document.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from ..paths import KNOWLEDGE_DIR
from .kb import EntityKB
from .names import fold, inflection_variants

_ADJ_END = r"(?:e|en|er|es|em)?"


@dataclass
class RoleMatch:
    start: int
    end: int
    text: str
    title: str
    kind: str | None = None
    scope: str | None = None
    office: str | None = None
    nationality: str | None = None
    person_noun: bool = False
    marker: str | None = None  # current | elect | former


@lru_cache(maxsize=1)
def _roles_data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((KNOWLEDGE_DIR / "roles.json").read_text(encoding="utf-8"))
    return data


_TOKEN = re.compile(r"\w+")


def _first_token(title: str) -> str:
    m = _TOKEN.search(title)
    return m.group(0) if m else ""


def _alt(words: list[str], *, ignore_case: bool = False) -> str:
    """A regex alternative of the words, longest match preferred, spaces matching runs of blanks.

    Written as a trie ("Präsident(?:in|en)?" rather than "Präsidentin|Präsidenten|Präsident"):
    the same strings with the same preference, but the regex engine tests a few branches per
    character instead of every title, which made role finding the linker's slowest step.
    ``ignore_case``: the pattern is used inside ``(?i:...)``, so words are merged case-blind.
    """
    trie: dict[str, Any] = {}
    for w in {w.lower() if ignore_case else w for w in words if w}:
        node = trie
        for tok in re.findall(r" +|.", w, flags=re.S):
            node = node.setdefault(" " if tok.startswith(" ") else tok, {})
        node[""] = {}
    return _trie_regex(trie)


def _trie_regex(node: dict[str, Any]) -> str:
    end = "" in node
    branches = [(r"[ \t]+" if k == " " else re.escape(k)) + _trie_regex(child)
                for k, child in sorted(node.items()) if k != ""]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 and not end else "(?:" + "|".join(branches) + ")"
    return body + "?" if end else body


class RoleFinder:
    """Finds role mentions in one language; build once per (KB, language)."""

    def __init__(self, kb: EntityKB, lang: str) -> None:
        self.kb = kb
        self.lang = lang
        self._office_cache: dict[tuple[str, str | None, str | None], str | None] = {}
        self._maybe: dict[str, bool] = {}
        rd = _roles_data()
        self.title_kind: dict[str, str] = {}
        titles: list[str] = []
        offices = kb.offices
        kinds: dict[str, set[str]] = {}
        if offices is not None:
            for o in offices.offices():
                kinds.setdefault(o.kind, set()).add(o.scope)
                for label in o.labels.get(lang, []):
                    titles.append(label)
                    if label not in o.own_labels.get(lang, []):
                        self.title_kind.setdefault(fold(label), o.kind)
        for label, kind in rd["head_titles"].get(lang, {}).items():
            titles.append(label)
            self.title_kind.setdefault(fold(label), kind)
        self.person_nouns = {fold(n) for n in rd["person_nouns"].get(lang, [])}
        titles += rd["person_nouns"].get(lang, [])
        self.kinds = kinds
        self.markers: dict[str, str] = {}
        for name, m in (("current_markers", "current"), ("elect_markers", "elect"), ("former_markers", "former")):
            for w in rd.get(name, {}).get(lang, []):
                self.markers[fold(w)] = m
        # scope words: prefixes ("US-"), adjectives ("britisch"), names ("NATO", "U.S.")
        self.scope_words: dict[str, str] = {}
        adjectives: list[str] = []
        prefixes: list[str] = []
        if offices is not None:
            for s in offices.scopes():
                names = s.names.get(lang, []) if lang == "en" else []
                for form in s.adjectives.get(lang, []) + names:
                    if form.endswith("-"):
                        prefixes.append(form[:-1])
                        self.scope_words[fold(form[:-1])] = s.code
                    else:
                        adjectives.append(form)
                        self.scope_words.setdefault(fold(form), s.code)
        for e in kb.entities.values():
            if e.scope:
                for form in e.aliases.get(lang, []) + e.aliases.get("en", []):
                    self.scope_words.setdefault(fold(form), e.scope)
                    if lang == "de" and re.fullmatch(r"[A-Z][A-Za-z.]{1,5}", form):
                        prefixes.append(form)
        self.first_tokens = {t.lower() for title in titles if (t := _first_token(title))}
        generic_adj = rd.get("generic_adjectives", {}).get(lang, [])
        marker_words = [w for w in self.markers]
        det = "|".join(w.capitalize() for w in rd["determiners"][lang])
        if lang == "de":
            adj = f"(?:(?:{_alt(adjectives + marker_words + generic_adj)}){_ADJ_END}[ \\t]+)"
            pfx = f"(?:(?:{_alt(prefixes)})-)"
            gen = rf"(?:[ \t]+(?:der|des)[ \t]+{adj}?{pfx}?[A-ZÄÖÜ][\w]+)"
            self.title_regex = re.compile(_alt(titles))
            self.regex = re.compile(
                rf"(?P<det>\b(?:{det})[ \t]+)?(?P<adjs>{adj}{{0,3}})(?P<pfx>{pfx}?)"
                rf"(?P<title>{_alt(titles)})(?:s|en|n|in|innen)?\b(?P<gen>{gen}?)"
            )
        else:
            scopes_en = f"(?:(?:{_alt([*adjectives, *prefixes])})[ \\t]+)"
            adj = f"(?:(?:{_alt(marker_words + generic_adj)})[ \\t]+)"
            self.title_regex = re.compile(f"(?i:{_alt(titles, ignore_case=True)})")
            self.regex = re.compile(
                rf"(?P<det>\b(?:{det})[ \t]+)?(?P<adjs>{adj}{{0,2}})(?P<pfx>{scopes_en}?)"
                rf"(?P<title>(?i:{_alt(titles, ignore_case=True)}))\b(?P<gen>(?:[ \t]+of[ \t]+(?:the[ \t]+)?[A-Z][\w.]+)?)"
            )

    # -- finding --------------------------------------------------------------------------------
    def find(self, text: str) -> list[RoleMatch]:
        """Role matches, found title first (a fast literal search) and then matched in full in a
        small window around each title, so long texts cost linear time."""
        out: list[RoleMatch] = []
        done = 0
        for w in _TOKEN.finditer(text):
            if w.start() < done or not self._maybe_title(w.group(0)):
                continue
            t = self.title_regex.match(text, w.start())
            if t is None:
                continue
            for m in self.regex.finditer(text, max(done, t.start() - 120), min(len(text), t.end() + 120)):
                if m.end() <= t.start():
                    continue
                if m.start() > t.start():
                    break
                r = self._interpret(m, text)
                if r is not None:
                    out.append(r)
                done = m.end()
                break
        return out

    def _maybe_title(self, token: str) -> bool:
        """Whether a word may open a title (cached per word: every word of every text asks)."""
        got = self._maybe.get(token)
        if got is None:
            low = token.lower()
            got = low in self.first_tokens or any(
                low.endswith(e) and low[: -len(e)] in self.first_tokens for e in ("s", "en", "n", "in", "innen"))
            if len(self._maybe) > 200_000:
                self._maybe.clear()
            self._maybe[token] = got
        return got

    def _interpret(self, m: re.Match[str], text: str) -> RoleMatch | None:
        start = m.start()
        if m.group("det"):
            before = text[: m.start()].rstrip(" \t")
            if before and before[-1] not in ".!?:\n\"“”„«»":
                # a determiner belongs to the span only where it opens the sentence ("Der
                # norwegische Politiker ..."); mid-sentence the span is the title itself
                start = m.start("adjs") if m.group("adjs") else (m.start("pfx") if m.group("pfx") else m.start("title"))
        end = m.end()
        title = m.group("title")
        t_fold = fold(title)
        if self.lang == "en" and title[0].islower() and not (m.group("pfx") or m.group("det") or m.group("gen")):
            return None  # a bare lowercase "president" is not a role mention
        adjs = [fold(a) for a in m.group("adjs").split()]
        r = RoleMatch(start, end, text[start:end], title)
        for a in adjs:
            base = re.sub(r"(e|en|er|es|em)$", "", a)
            if a in self.markers or base + "e" in self.markers:
                r.marker = self.markers.get(a) or self.markers.get(base + "e")
            for form in (a, base, base + "isch"):
                if form in self.scope_words:
                    r.scope = r.nationality = self.scope_words[form]
        if m.group("pfx"):
            p = fold(m.group("pfx").strip().rstrip("-"))
            r.scope = self.scope_words.get(p, r.scope)
        r.person_noun = t_fold in self.person_nouns
        if r.person_noun:
            return r if r.nationality else None
        r.kind = self._kind(t_fold)
        if m.group("gen"):
            r.scope = self._scope_of_phrase(m.group("gen")) or r.scope
            if r.scope is None:  # an unrelated complement ("der Präsident der Sitzung") is dropped
                r.end, r.text = m.start("gen"), text[start : m.start("gen")]
        if r.marker == "elect" and r.kind == "head_of_state":
            r.kind = "president_elect"
        r.office = self._office(r)
        if r.office is None and r.kind is None:
            return None
        return r

    def _kind(self, t_fold: str) -> str | None:
        if t_fold in self.title_kind:
            return self.title_kind[t_fold]
        for v in inflection_variants(t_fold, self.lang):
            if v in self.title_kind:
                return self.title_kind[v]
        return None

    def _scope_of_phrase(self, phrase: str) -> str | None:
        words = phrase.split()
        last = words[-1] if words else ""
        for form in [last, *inflection_variants(last, self.lang)]:
            f = fold(form)
            if f in self.scope_words:
                return self.scope_words[f]
            if "-" in f and f.split("-")[0] in self.scope_words:
                return self.scope_words[f.split("-")[0]]
            key = self.kb.context_alias(form, self.lang)
            if key and self.kb.scope_of(key):
                return self.kb.scope_of(key)
        return None

    def _office(self, r: RoleMatch) -> str | None:
        offices = self.kb.offices
        if offices is None:
            return None
        label = r.text
        if label.split()[0].lower() in ("der", "die", "the", "des", "dem", "den"):
            label = label.split(None, 1)[1] if " " in label else label
        cache_key = (label, r.scope, r.kind)
        if cache_key not in self._office_cache:
            self._office_cache[cache_key] = self._lookup_office(offices, label, r)
        return self._office_cache[cache_key]

    def _lookup_office(self, offices: Any, label: str, r: RoleMatch) -> str | None:
        for form in [label, *inflection_variants(label, self.lang)]:
            found = offices.find_offices(form)
            if found:
                return str(found[0].key)
        if r.scope and r.kind:
            return self.office_for(r.scope, r.kind)
        return None

    def office_for(self, scope: str, kind: str) -> str | None:
        fallbacks = _roles_data()["kind_fallbacks"].get(kind, [kind])
        for k in fallbacks:
            key = f"{scope}.{k}"
            if self.kb.office_exists(key):
                return key
        return None


def doc_dates(published: Any) -> list[date]:
    """Dates to resolve roles at: the document's best date, else its range's ends and middle."""
    if published is None:
        return []
    vals = []
    for v in (published.value, published.earliest, published.latest):
        if v:
            try:
                vals.append(date.fromisoformat(str(v)[:10]))
            except ValueError:
                continue
    if published.value and vals:
        return vals[:1]
    if len(vals) == 2:
        lo, hi = vals
        return [lo, lo + (hi - lo) / 2, hi - timedelta(days=1) if hi > lo else hi]
    return vals
