"""Where quotations are: direct quotes by their marks, indirect speech by cue and clause.

Direct quotes: every common style („…“, “…”, "…", »…«, «…», ‚…‘, '…', and broken mixes such as
„…““). A quote opens at an opening mark and closes at the first mark that can close it *in the
same paragraph*; a quote never closes in its paragraph ends there, so one unbalanced mark cannot
swallow the rest of the article. Stray marks right after a closing one are skipped.

Indirect speech (German and English): a speech cue from ``knowledge/quote_cues.json`` followed by
a ``dass``/``that`` clause, or (German) by a comma and a clause in Konjunktiv I ("sagte, Moskau
sei bereit"); "laut X" / "according to X" put the rest of the sentence in X's mouth.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..paths import KNOWLEDGE_DIR

# opening mark -> marks that may close it
CLOSERS: dict[str, str] = {
    "„": "“”\"",
    "“": "”“\"",
    "\"": "\"”“",
    "«": "»",
    "»": "«",
    "‚": "‘’'",
    "‘": "’'",
    "'": "'’",
    "”": "”",  # some sites open with a right mark
}
ALL_MARKS = set("„“”\"«»‚‘’'")
MIN_WORDS = 3  # shorter quoted fragments ("alles Notwendige") are scare quotes or terms


@dataclass
class RawQuote:
    start: int  # content start (after the mark)
    end: int  # content end (before the closing mark, or paragraph end)
    open_at: int  # position of the opening mark
    close_end: int  # position after the closing mark(s) (== end when unclosed)
    closed: bool


@lru_cache(maxsize=1)
def cues() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((KNOWLEDGE_DIR / "quote_cues.json").read_text(encoding="utf-8"))
    return data


def _can_open(text: str, i: int, mark: str) -> bool:
    prev = text[i - 1] if i > 0 else " "
    nxt = text[i + 1] if i + 1 < len(text) else " "
    if mark in "'’‘":  # apostrophes: Russia's, don't, '90s
        return not prev.isalnum() and nxt.isalpha()
    if mark == "\"":
        return not prev.isalnum() and not nxt.isspace()
    return not nxt.isspace() or mark in "„«»"


def _can_close(text: str, i: int, mark: str) -> bool:
    prev = text[i - 1] if i > 0 else " "
    nxt = text[i + 1] if i + 1 < len(text) else " "
    if mark in "'’":
        return not nxt.isalnum() and prev not in " \t"
    return True


def direct_quotes(text: str) -> list[RawQuote]:
    out: list[RawQuote] = []
    for para in re.finditer(r"[^\n]+", text):
        p0, p1 = para.start(), para.end()
        i = p0
        while i < p1:
            ch = text[i]
            if ch not in CLOSERS or not _can_open(text, i, ch):
                i += 1
                continue
            close = -1
            for j in range(i + 1, p1):
                if text[j] in CLOSERS[ch] and _can_close(text, j, text[j]):
                    close = j
                    break
            if close < 0 and ch in "'‘‚":
                i += 1  # an unclosed single mark is an apostrophe or a stray, not a quote
                continue
            if close < 0:
                end = p1
                while end > i + 1 and text[end - 1].isspace():
                    end -= 1
                q = RawQuote(i + 1, end, i, end, False)
                i = p1
            else:
                after = close + 1
                while after < p1 and text[after] in ALL_MARKS and text[after] not in "'":
                    after += 1  # broken doubled closers: „…““
                q = RawQuote(i + 1, close, i, after, True)
                i = after
            content = text[q.start : q.end]
            while q.end > q.start and text[q.end - 1] in " \t":
                q.end -= 1
            if len(re.findall(r"\w+", content)) >= MIN_WORDS or (q.closed and content.strip() and _cue_follows(text, q.close_end, p1)):
                out.append(q)
    return out


def _cue_follows(text: str, at: int, hi: int) -> bool:
    """A short quote is still one when an attribution follows right after it: "»Ha!«, rief er",
    "“No,” she said" (a short quote with no cue after it is a term or a scare quote)."""
    words = re.findall(r"\w+", text[at : min(hi, at + 40)])[:3]
    if not re.match(r"[ \t]*,?[ \t]*\w", text[at : at + 8]):
        return False
    return any(is_cue(w, lang) and w.lower() not in ("so", "laut", "according") for w in words for lang in ("de", "en"))


# -- indirect speech ----------------------------------------------------------------------------
_KONJ1 = re.compile(
    r"\b(?:sei|seien|seist|habe|hätte|hätten|werde|würde|würden|könne|könnten|müsse|müssten|wolle|"
    r"solle|dürfe|möge|gebe|wisse|bleibe|stehe|gehe|komme|liege|brauche|plane|arbeite|unterstütze|"
    r"verfüge|beabsichtige|wünsche|erwarte|bereite|halte|sehe|trage|handle|lasse|gelte)\b"
)


@lru_cache(maxsize=16)
def _cue_sets(lang: str) -> tuple[frozenset[str], frozenset[str]]:
    """(exact cue words, verb stems) of a language, as sets: every word of a text is looked up."""
    c = cues().get(lang, {})
    return frozenset(c.get("exact", ())), frozenset(c.get("verbs", ()))


def is_cue(word: str, lang: str) -> bool:
    if lang == "de" and word[:1].isupper() and word.lower() not in ("laut", "so"):
        return False  # German verbs are lowercase; "Antwort", "Sagen" are nouns
    exact, stems = _cue_sets(lang)
    w = word.lower()
    if w in exact:
        return True
    # a verb stem and at most three letters of ending: "fragte" (frag), "flüsterten" (flüster)
    return lang == "de" and any(w[:i] in stems for i in range(max(1, len(w) - 3), len(w) + 1))


@dataclass
class RawIndirect:
    start: int
    end: int
    cue_start: int
    cue_end: int


_EN_BARE = re.compile(
    r"\s*,?\s+(?!(?:in|on|at|to|by|for|with|from|about|during|after|before|as|of|so|and|but|or|"
    r"the\s+(?:statement|report)|it\s+is\s+not)\b)(?=[A-Za-z])"
)
# a sentence ends at . ! ? before a space, except after initials and abbreviations (U.S., R.)
_SENT_END = re.compile(r"(?<!\.[A-Z])(?<!\s[A-Z])(?<!^[A-Z])[.!?](?=\s|$)|\n")


MAX_SENTENCE = 1000  # characters: a run-on "sentence" is cut here, so the cost stays linear


def sentence_end(text: str, pos: int) -> int:
    m = _SENT_END.search(text, pos, pos + MAX_SENTENCE)
    return m.start() if m else min(len(text), pos + MAX_SENTENCE)


_SENTENCE = re.compile(r"[^\n]+?(?:(?<!\.[A-Z])(?<!\s[A-Z])[.!?](?=\s|$)|(?=\n)|$)")
_TAIL = re.compile(r",[ \t]+(?P<tail>[^,;:„“”\"]{2,80}?)[ \t]*[.!?]?$")


def postposed_quotes(text: str, lang: str) -> list[RawIndirect]:
    """Reported speech with the attribution after it: "The plan will fail, officials said." /
    "Der Plan scheitert, sagte er." The content is the sentence up to the comma."""
    out: list[RawIndirect] = []
    for m in _SENTENCE.finditer(text):
        sent = m.group(0)
        t = _TAIL.search(sent)
        if not t:
            continue
        words = list(re.finditer(r"\b\w+\b", t.group("tail")))
        if not words or len(words) > 10:
            continue
        cue = next((w for w in words if is_cue(w.group(0), lang) and w.group(0).lower() != "so"
                    and (w.group(0).lower() != "according" or t.group("tail")[w.end():].startswith(" to "))), None)
        if cue is None:
            continue
        lead = len(sent) - len(sent.lstrip(" \t\"'„“”»«"))
        start, end = m.start() + lead, m.start() + t.start()
        if len(re.findall(r"\w+", text[start:end])) < MIN_WORDS + 1:
            continue
        base = m.start() + t.start("tail")
        cue_end = base + cue.end() + (3 if cue.group(0).lower() == "according" else 0)  # "according to"
        out.append(RawIndirect(start, end, base + cue.start(), cue_end))
    return out


_ACCORDING = re.compile(r"\b[Aa]ccording to [^,.;:\n]{2,80}?,[ \t]+")


def according_quotes(text: str) -> list[RawIndirect]:
    """English "According to X, CONTENT.": the content runs from the comma to the sentence end."""
    out = []
    for m in _ACCORDING.finditer(text):
        start, end = m.end(), sentence_end(text, m.end())
        if len(re.findall(r"\w+", text[start:end])) >= MIN_WORDS + 1:
            out.append(RawIndirect(start, end, m.start(), m.start() + len("according to")))
    return out


_LAUT = re.compile(r"(?:(?<=^)|(?<=[.!?:]\s)|(?<=\n))(?:Laut|Nach Angaben)[ \t]+")
_NP_START = {"der", "die", "das", "dem", "den", "des", "ein", "eine", "einem", "einer", "eines", "von", "vom"}
_NP_INNER = _NP_START | {"und"}


def laut_quotes(text: str) -> list[RawIndirect]:
    """German "Laut X VERB ..." / "Nach Angaben des X VERB ..." at a sentence start: the source
    phrase ends where the finite verb follows it (German puts the verb second), and the content
    is the rest of the sentence ("Laut Blinken haben sich 50 Länder dazu bereit erklärt, …")."""
    out = []
    for m in _LAUT.finditer(text):
        send = sentence_end(text, m.end())
        words = list(re.finditer(r"[\w.’'-]+", text[m.end() : send]))
        if not words or not (words[0].group(0)[:1].isupper() or words[0].group(0) in _NP_START):
            continue  # "Laut und deutlich …": the adjective, no source
        verb = None
        for i, w in enumerate(words[:8]):
            tok = w.group(0)
            inner = tok in _NP_INNER or (i and words[i - 1].group(0) in _NP_INNER and re.fullmatch(r"[a-zäöüß]+e[nrsm]?", tok))
            if tok[:1].islower() and not inner:
                verb = i
                break
        if not verb:  # no source phrase, or no verb after it within reach
            continue
        start = m.end() + words[verb].start()
        if len(re.findall(r"\w+", text[start:send])) >= MIN_WORDS + 1:
            cue_end = m.start() + len(m.group(0).rstrip())
            out.append(RawIndirect(start, send, m.start(), cue_end))
    return out


def indirect_quotes(text: str, lang: str) -> list[RawIndirect]:
    out: list[RawIndirect] = postposed_quotes(text, lang)
    out += according_quotes(text) if lang == "en" else laut_quotes(text) if lang == "de" else []
    comp = "|".join(cues().get(lang, {}).get("complementisers", ["that"]))
    for m in re.finditer(r"\b\w+\b", text):
        word = m.group(0)
        if not is_cue(word, lang) or word.lower() in ("so", "according", "laut", "zufolge"):
            continue
        send = sentence_end(text, m.end())
        rest = text[m.end() : send]
        if lang == "de":
            # cue [up to 10 words without a comma] , dass (or the older daß) CLAUSE  |  cue [..] , CLAUSE-with-Konjunktiv-I
            k = re.match(r"(?:[^,;:„“”\"]{0,80}?)(?:\s+(?:an|hinzu|fest|mit|ein|hervor))?\s*,\s*((?:dass|daß)\s+)?", rest)
            if not k or not (k.group(1) or _KONJ1.search(rest[k.end() : k.end() + 200])):
                continue
            start = m.end() + k.end()
        else:
            k = re.match(rf"(?:\s+[\w.]+){{0,2}}?\s+(?:{comp})\s+", rest)
            if k is None and word.lower() in ("said", "says", "say", "added", "argued", "warned", "claimed"):
                k = _EN_BARE.match(rest)
            if not k:
                continue
            start = m.end() + k.end()
        end = send
        if end - start < 12 or len(re.findall(r"\w+", text[start:end])) < MIN_WORDS:
            continue
        if any(o.cue_start == m.start() for o in out):
            continue
        if out and out[-1].end == end and out[-1].start == start:
            out[-1] = RawIndirect(start, end, m.start(), m.end())  # "bestätigte … und sagte, …"
            continue
        out.append(RawIndirect(start, end, m.start(), m.end()))
    return out
