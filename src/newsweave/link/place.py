"""Where an article's event happened: a place the text says it happened *at*, or none.

A place mention counts only with evidence that it is the scene, not a topic: a dateline at the
start of the text ("BRUSSELS (Reuters) -", "Brüssel -"), or a locative phrase ("in Washington",
"in Brüssel", "à Bruxelles", "in the Hungarian capital, Budapest", "in der ungarischen
Hauptstadt Budapest"). Each candidate is scored

    evidence (dateline 3, locative 2) × position (earlier sentences weigh more)
             × (1.5 when its sentence has a meeting or ceremony word) × (0.5 for a country)

and the best one wins. Without such evidence the article has no place: "talks with Moscow"
or "Russia's troops" name a subject, and the most mentioned place is often only that.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

from ..model import Document, Mention, stable_id

KNOWLEDGE = Path(__file__).resolve().parent.parent / "knowledge" / "entities.json"
LOCATIVE = frozenset(["in", "im", "at", "à", "a", "au", "aux", "en", "em", "no", "na", "nel", "nella", "w", "v"])
CAPITAL_WORDS = frozenset(["capital", "hauptstadt", "capitale", "city", "stadt", "ville", "ciudad", "città"])
DATELINE_DASH = re.compile(r"^\s*(\([^)]{1,40}\))?\s*[-–—:,]")
MEETING = re.compile(
    r"\b(met|meet(s|ing)?|summit|talks|signed|sign(s|ing)?|visit(s|ed|ing)?|arrived|held|gathered|conference|"
    r"ceremony|sworn|crowned|launch(ed)?|opened|vote[ds]?|ratif\w+|"
    r"traf(en)?|treffen|gipfel|gespräch\w*|besuch\w*|unterzeichn\w*|pressekonferenz|konferenz|zeremonie|"
    r"abstimm\w*|eröffn\w*|réuni\w*|sommet|rencontr\w*|sign[ée]\w*|visite|conférence|cérémonie|"
    r"reuni[óo]n|cumbre|firm[óo]|vertice|incontr\w*|giur\w*)\b",
    re.IGNORECASE,
)
SENTENCES = 8  # a place named this late is rarely where the event happened


@lru_cache(maxsize=1)
def country_keys() -> frozenset[str]:
    """Keys of the places the knowledge base knows as countries (they carry a country scope)."""
    try:
        data = json.loads(KNOWLEDGE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return frozenset()
    return frozenset(e["key"] for e in data.get("entities", []) if e.get("type") == "LOC" and e.get("scope"))


def _locative_before(text: str, m: Mention, sent_start: int) -> bool:
    """A locative word right before the mention, or before "the capital" / "der ... Hauptstadt"."""
    words = text[max(sent_start, m.start - 60) : m.start].replace(",", " ").split()
    if not words:
        return False
    if words[-1].casefold() in LOCATIVE:
        return True
    # "in the Hungarian capital Budapest", "in der ungarischen Hauptstadt Budapest"
    for i in range(len(words) - 1, max(-1, len(words) - 5), -1):
        if words[i].casefold() in CAPITAL_WORDS:
            return any(w.casefold() in LOCATIVE for w in words[max(0, i - 3) : i])
    return False


def place_candidates(doc: Document) -> list[tuple[float, Mention, str]]:
    """(score, mention, why) for each place mention with evidence, best first."""
    locs = [m for m in doc.mentions if m.type == "LOC" and m.entity_key]
    if not locs:
        return []
    sents = doc.sentences or []
    countries = country_keys()
    out: list[tuple[float, Mention, str]] = []
    for m in sorted(locs, key=lambda m: m.start):
        idx = next((i for i, s in enumerate(sents) if s.start <= m.start < s.end), 0 if not sents else len(sents))
        if idx >= SENTENCES:
            break
        s_start, s_end = (sents[idx].start, sents[idx].end) if idx < len(sents) else (0, len(doc.text))
        if m.start - s_start <= 2 and idx == 0 and DATELINE_DASH.match(doc.text[m.end : m.end + 45]):
            evidence, why = 3.0, "dateline"
        elif _locative_before(doc.text, m, s_start):
            evidence, why = 2.0, "locative"
        else:
            continue
        score = evidence / (1.0 + 0.35 * idx)
        if MEETING.search(doc.text[s_start:s_end]):
            score *= 1.5
            why += " + event word"
        if m.entity_key in countries:
            score *= 0.5
            why += ", a country"
        out.append((score, m, why))
    out.sort(key=lambda t: -t[0])
    return out


def guess_place(doc: Document) -> tuple[str | None, float]:
    """The entity id of the place the article's event happened at and the evidence score, or
    (None, 0) without evidence. An event adds up its members' scores per place."""
    cands = place_candidates(doc)
    if not cands or not cands[0][1].entity_key:
        return None, 0.0
    return stable_id("entity", cands[0][1].entity_key), round(cands[0][0], 3)
