"""The quotes stage: direct and indirect quotations with their cue and speaker.

Spans come from :mod:`.quote_spans`. The speaker of a quote is found, in this order:

1. after a direct quote, in the same sentence: a cue and a name, role or pronoun
   ("…“, sagte Stoltenberg", "…“, fügte der NATO-Chef hinzu", "…,” he said");
2. before it, in the same sentence: the mention closest before the cue ("Austin said at the
   meeting, “…", "Stoltenberg stated that … “…");
3. a sentence that ends with a colon right before the quote ("Er dankte der US-Führung …:").

Pronouns ("er", "sie", "he", "she") take the most recent person mentioned outside quotations
before them (simple in-document coreference). Speakers resolve to the entity of the mention,
role mentions included, so "der NATO-Chef" becomes Jens Stoltenberg.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from typing import Any

from ..model import Document, Mention, Quote
from .quote_spans import MAX_SENTENCE, RawQuote, cues, direct_quotes, indirect_quotes, is_cue, sentence_end

_PERSONISH = ("PER", "ROLE")
_WINDOW = 160
_SOURCE_FIRST = ("according", "laut", "nach")  # cues whose source follows them ("nach Angaben X")


class QuotesStage:
    name = "quotes"
    # 2: more German speech verbs, first-person and phrase speakers, short quotes before a cue,
    # source-first attributions (according to X, laut X, nach Angaben X)
    version = "2"
    requires = frozenset({"text", "lang", "sentences", "mentions", "entities"})
    adds = frozenset({"quotes"})
    options = ()

    def __call__(self, doc: Document) -> Document:
        doc.quotes = find_quotes(doc.text or "", doc.lang, doc.mentions)
        return doc

    def batch(self, docs: list[Document]) -> list[Document]:
        return [self(d) for d in docs]


class Ments:
    """A document's mentions sorted by offset, for window queries in logarithmic time."""

    def __init__(self, mentions: list[Mention]) -> None:
        self.ms = sorted(mentions, key=lambda m: m.start)
        self.starts = [m.start for m in self.ms]
        self.persons = sorted((m for m in mentions if m.type in _PERSONISH and m.entity_key), key=lambda m: m.end)
        self.person_ends = [m.end for m in self.persons]

    def between(self, lo: int, hi: int) -> list[Mention]:
        """Mentions starting in [lo, hi)."""
        return self.ms[bisect_left(self.starts, lo) : bisect_left(self.starts, hi)]

    def last_person_before(self, pos: int) -> Mention | None:
        i = bisect_right(self.person_ends, pos) - 1
        return self.persons[i] if i >= 0 else None


def _inside(spans: list[tuple[int, int]], starts: list[int], pos: int) -> bool:
    i = bisect_right(starts, pos) - 1
    return i >= 0 and spans[i][0] <= pos < spans[i][1]


def find_quotes(text: str, lang: str, mentions: list[Mention]) -> list[Quote]:
    lang = lang if lang in ("de", "en") else "en"
    direct = direct_quotes(text)
    inside = [(q.start, q.end) for q in direct]
    starts = [s for s, _ in inside]
    outside = Ments([m for m in mentions if not _inside(inside, starts, m.start)])
    out: list[Quote] = []
    direct_cues: set[int] = set()
    for q in direct:
        cue, speaker = _attribute_direct(text, lang, q, outside)
        out.append(_make(text, q.start, q.end, "direct", cue, speaker, lang, outside))
        if cue:
            direct_cues.add(cue[0])
    for r in indirect_quotes(text, lang):
        j = bisect_left(starts, r.start)
        if _inside(inside, starts, r.start) or (j < len(starts) and starts[j] < r.end):
            continue  # the clause holds a direct quote, which is reported as such
        if r.cue_start in direct_cues:
            continue  # '“…,” said the official in a statement': the direct quote's attribution
        if r.cue_start > r.end:  # attribution after the content: ", officials said."
            tail_end = sentence_end(text, r.cue_end)
            speaker = _subject_near(text, lang, r.end, tail_end, r.cue_start, outside) or _np(text, r.end, r.cue_start, r.cue_end, tail_end)
        elif text[r.cue_start : r.cue_end].split()[0].lower() in _SOURCE_FIRST:
            # the source comes first: "According to X, ...", "Laut X haben ...": X
            speaker = _subject_near(text, lang, r.cue_end, r.start, r.cue_end, outside) or _phrase(text, r.cue_end, r.start)
        else:
            speaker = _before(text, lang, r.cue_start, outside)
        out.append(_make(text, r.start, r.end, "indirect", (r.cue_start, r.cue_end), speaker, lang, outside))
    out.sort(key=lambda x: x.start)
    return out


Span = tuple[int, int]


def _attribute_direct(text: str, lang: str, q: RawQuote, ments: Ments) -> tuple[Span | None, Any]:
    # 1. after the quote, same sentence: ", sagte er", ", fügte der NATO-Chef hinzu", "the statement added"
    if q.closed:
        tail_end = min(sentence_end(text, q.close_end), q.close_end + _WINDOW)
        tail = text[q.close_end : tail_end]
        if not re.match(r"\s*[„“\"»«]", tail):  # another quote follows directly: not an attribution
            for m in re.finditer(r"\b\w+\b", tail):
                if is_cue(m.group(0), lang) and m.group(0).lower() not in ("laut", "according"):
                    c0, c1 = q.close_end + m.start(), q.close_end + m.end()
                    who = _subject_near(text, lang, q.close_end, tail_end, c0, ments) or _np_after(text, lang, c1, tail_end)
                    return (c0, c1), who
    # 2. before the quote, same sentence: "X said, “…", "X stated that … “…"
    head_start = max(_sentence_start(text, q.open_at), q.open_at - 2 * _WINDOW)
    head = text[head_start : q.open_at]
    cue_hits = [m for m in re.finditer(r"\b\w+\b", head) if is_cue(m.group(0), lang)]
    if cue_hits:
        m = cue_hits[-1]
        c0, c1 = head_start + m.start(), head_start + m.end()
        if m.group(0).lower() in _SOURCE_FIRST:  # "According to the White House statement, …"
            return (c0, c1), _subject_near(text, lang, c1, q.open_at, c1, ments)
        return (c0, c1), _before(text, lang, c0, ments, floor=head_start)
    # 3. the previous sentence ends with a colon: "Er dankte der US-Führung …:"
    prev = text[: q.open_at].rstrip()
    if prev.endswith(":"):
        s0 = _sentence_start(text, len(prev) - 1)
        seg = text[s0 : len(prev)]
        hits = [m for m in re.finditer(r"\b\w+\b", seg) if is_cue(m.group(0), lang)]
        if hits:
            c0, c1 = s0 + hits[0].start(), s0 + hits[0].end()
            return (c0, c1), _before(text, lang, c0, ments, floor=s0) or _subject_near(
                text, lang, s0, len(prev), c0, ments)
    return None, None


def _sentence_start(text: str, pos: int) -> int:
    i = pos
    floor = max(0, pos - MAX_SENTENCE)
    while i > floor:
        i -= 1
        if text[i] == "\n":
            return i + 1
        if text[i] in ".!?" and i + 1 < len(text) and text[i + 1] == " " and not re.search(r"(?:\b[A-Z]|\.[A-Z])$", text[:i]):
            return i + 2
    return floor


def _pronoun(text: str, lang: str, lo: int, hi: int) -> re.Match[str] | None:
    pronouns = cues()[lang].get("pronouns", {})
    alt = "|".join(re.escape(p) for p in pronouns)
    return re.search(rf"\b(?:{alt})\b", text[lo:hi])


def _subject_near(text: str, lang: str, lo: int, hi: int, cue: int, ments: Ments) -> Any:
    """A person/role/organisation mention or pronoun in [lo, hi), nearest to the cue."""
    cands = [m for m in ments.between(lo, hi) if m.entity_key and m.type in (*_PERSONISH, "ORG")]
    if cands:
        return min(cands, key=lambda m: (m.type == "ORG", abs(m.start - cue)))
    p = _pronoun(text, lang, lo, hi)
    if p:
        return _resolve_pronoun(text, lo + p.start(), lo + p.end(), ments, lang)
    return None


def _before(text: str, lang: str, cue: int, ments: Ments, floor: int | None = None) -> Any:
    """The subject of a cue: the closest mention before it in its sentence, else a pronoun there."""
    lo = _sentence_start(text, cue) if floor is None else floor
    cands = [m for m in ments.between(lo, cue) if m.end <= cue and m.entity_key and m.type in (*_PERSONISH, "ORG")]
    persons = [m for m in cands if m.type in _PERSONISH]
    p = _pronoun(text, lang, lo, cue)
    if persons:
        best = max(persons, key=lambda m: m.end)
        if p and lo + p.start() > best.end and not re.search(r"\b(?:dass|daß|that)\b", text[best.end : cue]):
            return _resolve_pronoun(text, lo + p.start(), lo + p.end(), ments, lang)
        return best
    if p:
        return _resolve_pronoun(text, lo + p.start(), lo + p.end(), ments, lang)
    return max(cands, key=lambda m: m.end) if cands else None


def _phrase(text: str, lo: int, hi: int) -> Any:
    """The words in [lo, hi) without edge blanks and commas as an unresolved speaker phrase, if
    there are one to six of them."""
    words = text[lo:hi].strip(" ,\t")
    if not words or len(words.split()) > 6:
        return None
    s = text.index(words, lo)
    return ("phrase", s, s + len(words), None)


def _np(text: str, lo: int, c0: int, c1: int, hi: int) -> Any:
    """An unresolved speaker phrase in a postposed attribution: ", a source said" -> "a source";
    ", said the official" -> "the official"."""
    before = _phrase(text, lo, c0)
    if before:
        return before
    after = re.match(r"[ \t]*([^,.;:]{2,60})", text[c1:hi])
    if after and after.group(1).strip():
        s = c1 + after.start(1)
        return ("phrase", s, s + len(after.group(1).rstrip()), None)
    return None


# the subject right after a postposed cue when no mention or pronoun is there: ", sagte die
# Mutter", ", fragte die alte Frau", ", versetzte Guttorm", ", said the official", ", said a senior
# administration official who ..." (unresolved: the phrase is the speaker span, no entity)
_NP_AFTER = {
    "de": re.compile(r"[ \t]+((?:(?:der|die|das|ein|eine|einer|eines)[ \t]+(?:[a-zäöüß][\w-]*[ \t]+){0,2})?"
                     r"[A-ZÄÖÜ][\w-]*(?:[ \t]+[A-ZÄÖÜ][\w-]*)?)(?=[ \t]*(?:[,.;:!?]|$)|[ \t]+(?:zu|mit|und|zum|zur)\b)"),
    "en": re.compile(r"[ \t]+((?:the|a|an)[ \t]+(?:[\w'-]+[ \t]+){0,3}?[\w'-]+?)(?=[ \t]*(?:[,.;:!?]|$)|"
                     r"[ \t]+(?:in|on|at|to|of|who|during|after|before|about|when|as|for)\b)"),
}


def _np_after(text: str, lang: str, c1: int, hi: int) -> Any:
    m = _NP_AFTER["de" if lang == "de" else "en"].match(text, c1, hi)
    if m is None:
        return None
    return ("phrase", m.start(1), m.end(1), None)


def _resolve_pronoun(text: str, start: int, end: int, ments: Ments, lang: str) -> Any:
    if cues()[lang].get("pronouns", {}).get(text[start:end]) == "1":  # "sagte ich": the writer
        return ("pronoun", start, end, None)
    ante = ments.last_person_before(start)
    return ("pronoun", start, end, ante.entity_key if ante else None)


def _make(text: str, start: int, end: int, kind: str, cue: Span | None, who: Any, lang: str,
          ments: Ments) -> Quote:
    q = Quote(start=start, end=end, text=text[start:end], kind=kind)
    if cue:
        q.cue_start, q.cue_end = cue
        q.cue = text[cue[0] : cue[1]]
    if isinstance(who, Mention):
        q.speaker_text, q.speaker_start, q.speaker_end, q.speaker_key = who.text, who.start, who.end, who.entity_key
    elif isinstance(who, tuple):
        _, s, e, key = who
        q.speaker_text, q.speaker_start, q.speaker_end, q.speaker_key = text[s:e], s, e, key
    return q
