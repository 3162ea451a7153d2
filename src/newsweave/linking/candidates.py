"""Name candidates for Latin-script languages without a NER model (French, Spanish, Italian...).

A candidate is a run of capitalised words, joined across name particles ("Charles de Gaulle",
"Notre-Dame de Paris"), never starting with a function word ("Selon", "Après": spaCy's stop
words of the language plus ``name_cues.function_words`` of ``knowledge/roles.json``). Its type
comes from, in order:

1. the knowledge base (any alias in any language, accents folded: "Dubaï", "Roma");
2. entities already linked in other documents, by transliteration-aware name key
   (:attr:`CandidateFinder.known`, filled by the linker);
3. the word before it: a person title ("président", "M.", "presidente") → PER, a locative
   preposition ("à", "en", "a", "in") → LOC;
4. its shape: an all-capital acronym → ORG, two or three title-case words → PER.

Candidates with no evidence are dropped; all carry a lower confidence than model spans.
"""

from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .kb import EntityKB
from .names import fold, name_key
from .roles import _roles_data

_CAP_WORD = re.compile(r"[A-ZÀ-ÖØ-Þ][\w'’.-]*\w|[A-ZÀ-ÖØ-Þ]\.?")
_PARTICLES = {"de", "del", "della", "di", "da", "du", "des", "la", "le", "van", "von", "y", "dos", "das", "al", "el", "bin"}
_JOINER = re.compile(r"[ \t]+(?:(?:de|del|della|di|da|du|des|van|von|y|dos|das|al|el|bin)[ \t]+(?:la[ \t]+)?)?")
_ELISION = re.compile(r"^(?:[lLdDjJnNsScCmMtT]|[qQ]u|[lL]orsqu|[pP]uisqu)['’]")
_ACRONYM = re.compile(r"[A-ZÀ-Þ]{2,6}s?")
_TITLECASE = re.compile(r"[A-ZÀ-Þ][a-zß-ÿ]+(?:-[A-ZÀ-Þ]?[a-zß-ÿ]+)*")

CONFIDENCE = {"kb": 0.7, "known": 0.65, "cue": 0.6, "shape": 0.5}


@dataclass
class Candidate:
    start: int
    end: int
    type: str
    evidence: str  # kb | known | cue | shape
    key: str | None = None

    @property
    def confidence(self) -> float:
        return CONFIDENCE[self.evidence]


def name_cues(kind: str, lang: str) -> list[str]:
    """A list of ``name_cues`` in ``knowledge/roles.json`` for a language (else its ``default``)."""
    table = _roles_data().get("name_cues", {}).get(kind, {})
    return list(table.get(lang, table.get("default", [])))


@lru_cache(maxsize=16)
def _cues(lang: str) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(person titles, locatives, function words) of a language, folded."""
    function = {fold(w) for w in name_cues("function_words", lang)} | {fold(w) for w in stop_words(lang)}
    return (frozenset(fold(w) for w in name_cues("person_titles", lang)),
            frozenset(fold(w) for w in name_cues("locatives", lang)), frozenset(function))


@lru_cache(maxsize=16)
def stop_words(lang: str) -> frozenset[str]:
    """spaCy's stop words of a language, read from its ``stop_words.py`` alone: importing the
    language package would build its tokenizer exceptions (seconds for French)."""
    if not re.fullmatch(r"[a-z]{2,3}", lang or ""):
        return frozenset()
    spec = importlib.util.find_spec("spacy.lang")
    if spec is None or not spec.submodule_search_locations:
        return frozenset()
    for root in spec.submodule_search_locations:
        path = Path(root) / lang / "stop_words.py"
        if path.is_file():
            mod_spec = importlib.util.spec_from_file_location(f"_newsweave_stop_{lang}", path)
            if mod_spec is None or mod_spec.loader is None:
                return frozenset()
            module = importlib.util.module_from_spec(mod_spec)
            mod_spec.loader.exec_module(module)
            return frozenset(getattr(module, "STOP_WORDS", ()))
    return frozenset()


class CandidateFinder:
    """Finds and types capitalised name candidates; one per linker, shared across documents."""

    def __init__(self, kb: EntityKB) -> None:
        self.kb = kb
        self.known: dict[str, tuple[str, str]] = {}  # name key -> (entity key, type), other documents

    def remember(self, surface: str, key: str, typ: str) -> None:
        k = name_key(surface)
        if k and typ in ("PER", "ORG", "LOC", "MISC") and len(self.known) < 500_000:
            self.known.setdefault(k, (key, typ))

    def find(self, text: str, lang: str) -> list[Candidate]:
        titles, locatives, function = _cues(lang)
        out: list[Candidate] = []
        pos = 0
        while True:
            m = _CAP_WORD.search(text, pos)
            if m is None:
                break
            start, end = m.start(), m.end()
            word = m.group(0)
            el = _ELISION.match(word)  # "L'OTAN", "D'Abu" at a sentence start
            if el is not None:
                start, word = start + el.end(), word[el.end() :]
                if not word[:1].isupper():
                    pos = end
                    continue
            if (fold(word.rstrip(".")) in function or fold(word) in titles
                    or (start > 0 and text[start - 1].isalnum())):
                pos = end
                continue
            # extend over further capitalised words, across particles
            while True:
                j = _JOINER.match(text, end)
                if j is None:
                    break
                nxt = _CAP_WORD.match(text, j.end())
                if nxt is None or fold(nxt.group(0)) in function:
                    break
                if j.group(0).strip() != "" and self._continues(text, nxt.end()):
                    break  # "Lega di Matteo Salvini": a particle joins one last word only
                end = nxt.end()
            pos = end
            surface = text[start:end].rstrip(".")
            end = start + len(surface)
            if len(surface) < 2:
                continue
            cand = self._type(text, start, end, surface, titles, locatives)
            if cand is not None:
                out.append(cand)
        return out

    @staticmethod
    def _continues(text: str, pos: int) -> bool:
        """Whether another capitalised word follows at ``pos`` (after spaces or a particle)."""
        j = _JOINER.match(text, pos)
        return j is not None and _CAP_WORD.match(text, j.end()) is not None

    def _type(self, text: str, start: int, end: int, surface: str, titles: frozenset[str],
              locatives: frozenset[str]) -> Candidate | None:
        keys = self.kb.by_alias(surface, "xx")
        if keys:
            return Candidate(start, end, self.kb.entities[keys[0]].type, "kb", keys[0])
        known = self.known.get(name_key(surface))
        if known is not None:
            return Candidate(start, end, known[1], "known", known[0])
        before = text[max(0, start - 40) : start].split()
        prev = fold(before[-1]) if before else ""
        words = surface.split()
        if prev in titles or (prev and prev.rstrip(".") + "." in titles):
            return Candidate(start, end, "PER", "cue")
        if prev in locatives and not _ACRONYM.fullmatch(surface):
            return Candidate(start, end, "LOC", "cue")
        if _ACRONYM.fullmatch(surface) and len(surface) >= 3:
            return Candidate(start, end, "ORG", "shape")
        if (2 <= len(words) <= 4 and all(_TITLECASE.fullmatch(w) or w in _PARTICLES for w in words)
                and sum(1 for w in words if w not in _PARTICLES) >= 2):
            return Candidate(start, end, "PER", "shape")
        return None
