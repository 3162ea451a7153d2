"""The segment stage: sentences and tokens with offsets into ``doc.text``, per language.

A fast rule-based splitter. Candidate boundaries are sentence marks (``. ! ? …``, with any
closing quotes or brackets after them) followed by white space, and line breaks. A candidate is
rejected when:

- the next word starts in lower case (also after ``?``/``!`` inside a quotation);
- the word before a full stop is an abbreviation of the document's language (data:
  ``knowledge/abbreviations.json``), a single letter (initials "Joseph R. Biden", "z. B."), or a
  dotted form ("U.S.", "D.C.", "e.g.");
- the word before is a small number used as an ordinal: German "am 2. Juni", "der 75. Jahrestag"
  (in languages that write ordinals with a dot), or any number followed by a month name;
- a line break continues a hard-wrapped sentence (the next line starts in lower case).

Numbers ("3.5", "1.000") are never split, since a boundary needs white space after the mark.
Tokens are words (with inner hyphens/apostrophes), numbers (with inner separators), dotted
abbreviations, and single punctuation marks.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache

from ..model import Document, Sentence
from ..paths import KNOWLEDGE_DIR
from .boilerplate import load_patterns

ORDINAL_DOT_LANGS = frozenset({"de", "da", "no", "nb", "nn", "fi", "cs", "sk", "pl", "hu", "sl", "hr", "sr", "et", "lv", "is", "tr"})
_CAND = re.compile(r"[.!?…]+[\"'”“»«’)\]]*(?=\s|$)|\n")
_WORD_BEFORE = re.compile(r"(\S+)$")
_NEXT_WORD = re.compile(r"\s*(\S+)")
_TOKEN = re.compile(
    r"(?:[^\W\d_]\.){2,}"  # U.S. / z.B.
    r"|\d+(?:[.,:]\d+)+"  # 1.000 / 3,5 / 10:30
    r"|[^\W_]+(?:[-'’][^\W_]+)*"  # words, NATO-Russland-Rates, l'OTAN, 75-jährige
    r"|[^\w\s]|_"
)
_OPENERS = "„\"“«»‚'‘([¿¡—–-•*"


@lru_cache(maxsize=1)
def _abbreviations() -> dict[str, frozenset[str]]:
    with open(KNOWLEDGE_DIR / "abbreviations.json", encoding="utf-8") as fh:
        data = json.load(fh)
    common = set(data["common"])
    return {lang: frozenset(common | set(words)) for lang, words in data.items() if isinstance(words, list)}


@lru_cache(maxsize=1)
def _month_names() -> frozenset[str]:
    months = load_patterns().raw["byline"]["months"]
    return frozenset(name for names in months.values() for alts in names for name in alts.split("|"))


def abbreviations_for(lang: str) -> frozenset[str]:
    table = _abbreviations()
    return table.get(lang) or table["common"]


def split_sentences(text: str, lang: str = "und") -> list[tuple[int, int]]:
    """Sentence spans (start, end) over ``text``, trimmed of surrounding white space."""
    abbrevs = abbreviations_for(lang)
    months = _month_names()
    ordinal_dots = lang in ORDINAL_DOT_LANGS
    bounds: list[int] = []
    for m in _CAND.finditer(text):
        end = m.end()
        nxt = _NEXT_WORD.match(text, end)
        if m.group() == "\n":
            if nxt is None or "\n" in text[end : nxt.start()]:
                bounds.append(end)
                continue
            if not nxt.group(1)[0].islower():
                bounds.append(end)
            continue
        if nxt is None:
            bounds.append(end)
            continue
        first = nxt.group(1)
        ch = first[0]
        if ch.islower():
            continue
        if "\n" not in text[end : nxt.start()] and m.group()[0] == "." and not _full_stop_ends(
            text, m.start(), first, abbrevs, months, ordinal_dots
        ):
            continue
        bounds.append(end)
    spans: list[tuple[int, int]] = []
    start = 0
    for b in [*bounds, len(text)]:
        seg = text[start:b]
        lead = len(seg) - len(seg.lstrip())
        trail = len(seg.rstrip())
        if trail > lead:
            spans.append((start + lead, start + trail))
        start = b
    return spans


def _full_stop_ends(
    text: str, dot: int, next_word: str, abbrevs: frozenset[str], months: frozenset[str], ordinal_dots: bool
) -> bool:
    """Whether the full stop at ``dot`` ends a sentence, judged by the word before it."""
    wm = _WORD_BEFORE.search(text, max(0, dot - 40), dot)
    if wm is None:
        return True
    word = wm.group(1).lstrip(_OPENERS)
    if not word:
        return True
    low = word.lower()
    if len(word) == 1 and word.isalpha():
        return False  # initials, "z. B."
    if "." in word and re.fullmatch(r"(?:[^\W\d_]{1,3}\.)+[^\W\d_]{1,3}", word):
        return False  # U.S., D.C., e.g., z.B., m.in
    if low in abbrevs:
        return False
    if word.isdigit() and len(word) <= 3:
        nxt = next_word.strip(".,;:").lower()
        if nxt in months or (ordinal_dots and len(word) <= 3):
            return False
    return True


def tokenize(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _TOKEN.finditer(text)]


class SegmentStage:
    name = "segment"
    version = "1.0"
    requires = frozenset({"text", "lang"})
    adds = frozenset({"sentences", "tokens"})
    options = ()

    def load(self) -> None:
        _abbreviations()
        _month_names()

    def __call__(self, doc: Document) -> Document:
        doc.sentences = [Sentence(a, b) for a, b in split_sentences(doc.text, doc.lang)]
        doc.tokens = tokenize(doc.text)
        return doc
