"""A general, line-level boilerplate remover for article text (plain text or text from HTML).

The method, in three passes over the non-blank lines of the text:

1. **Line features**: length, word count, whether the line reads as prose (long, ends with a
   sentence mark), looks like a person's name (a few capitalised words), or like a bio (several
   very short sentences), and which pattern family it matches. Pattern families per language
   live in ``knowledge/boilerplate.json``: *headers* (comment-form, related-links, author-bio)
   and single-*lines* (share/cookie/newsletter/login prompts, form text, tags, credits...).
2. **Blocks**: a header opens a block. A comment-form header in the tail of the article takes
   everything after it (form fields, then readers' comments); elsewhere it takes the form-like
   lines that follow. A "more/related" header in the tail takes the following lines that are
   not prose (link titles, an author's name and bio); mid-text it takes only itself.
3. **Author box at the end**: a short name line at the very end, optionally followed by a bio
   line, goes as ``author-bio``.

Patterns match at the start of a short line, so the method does not cut prose that merely
mentions "read more". All languages' patterns are tried at once: clean runs before language id.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..model import Removed
from ..paths import KNOWLEDGE_DIR

TAIL_SHARE = 0.35  # a header whose block starts in the last 35 % of the text is "in the tail"
MAX_LINE = 220  # single-line patterns only apply to lines up to this length
_SEP = r"(?:\s*[:\-–—|>»…•]+\s*\S.*|\W*)"
_NAME_PARTICLES = {"von", "van", "de", "der", "den", "da", "di", "del", "la", "le", "al", "bin", "ibn", "du", "dos"}
_TERMINAL = tuple('.!?…"”“»’)')


@dataclass(frozen=True)
class Patterns:
    headers: dict[str, re.Pattern[str]]
    lines: dict[str, re.Pattern[str]]
    strong: frozenset[str]  # line families taken even when the line reads as prose
    raw: dict[str, Any]


@lru_cache(maxsize=4)
def load_patterns(path: str | None = None) -> Patterns:
    """Compile the pattern families of the knowledge file (once per process)."""
    with open(path or KNOWLEDGE_DIR / "boilerplate.json", encoding="utf-8") as fh:
        data = json.load(fh)

    def alt(by_lang: dict[str, list[str]]) -> str:
        return "|".join(f"(?:{p})" for pats in by_lang.values() for p in pats)

    headers = {fam: re.compile(rf"^\W{{0,3}}(?:{alt(v)}){_SEP}$", re.I) for fam, v in data["headers"].items()}
    lines = {fam: re.compile(rf"^\W{{0,3}}(?:{alt(v)})", re.I) for fam, v in data["lines"].items()}
    return Patterns(headers=headers, lines=lines, strong=frozenset(data.get("strong_families", ())), raw=data)


@dataclass
class Line:
    idx: int
    start: int  # offsets of the stripped line in the text
    end: int
    text: str
    words: int
    header: str | None = None
    family: str | None = None

    @property
    def prose(self) -> bool:
        return (self.words >= 12 and self.text.endswith(_TERMINAL)) or self.words >= 30


def split_lines(text: str, start: int = 0) -> list[Line]:
    out: list[Line] = []
    for m in re.finditer(r"[^\n]+", text):
        s = m.start()
        seg = m.group()
        lead = len(seg) - len(seg.lstrip())
        trail = len(seg.rstrip())
        if trail <= lead:
            continue
        body = seg[lead:trail]
        out.append(Line(len(out), start + s + lead, start + s + trail, body, len(body.split())))
    return out


def is_name_like(text: str) -> bool:
    """A person's name alone on a line: 2-4 capitalised words, no digits or sentence marks."""
    toks = text.split()
    if not 2 <= len(toks) <= 5 or len(text) > 48 or any(c.isdigit() for c in text):
        return False
    caps = [t for t in toks if t.lower() not in _NAME_PARTICLES]
    return len(caps) >= 2 and all(re.fullmatch(r"[A-ZÀ-ÞĀ-ſА-Я][\w'’.-]*", t) for t in caps)


def is_bio_like(text: str) -> bool:
    """Several very short sentences ("Web pioneer. Coffee lover. Writer."), as in author boxes."""
    body = text.strip(" \"'“”„«»")
    sents = [s for s in re.split(r"[.!?]+", body) if s.strip()]
    if len(sents) < 3 or len(body.split()) > 60:
        return False
    return sum(len(s.split()) for s in sents) / len(sents) <= 4.5


def classify_lines(lines: list[Line], pats: Patterns) -> None:
    for ln in lines:
        if len(ln.text) <= MAX_LINE:
            for fam, rx in pats.headers.items():
                if rx.match(ln.text):
                    ln.header = fam
                    break
        if ln.header is None and len(ln.text) <= MAX_LINE:
            for fam, rx in pats.lines.items():
                if rx.match(ln.text):
                    ln.family = fam
                    break


def find_boilerplate(text: str, *, skip_before: int = 0, patterns: Patterns | None = None) -> list[Removed]:
    """Removed spans (offsets into ``text``) for the boilerplate lines found in it.

    Lines starting before ``skip_before`` (a title, a byline already handled) are left alone."""
    pats = patterns or load_patterns()
    lines = [ln for ln in split_lines(text) if ln.start >= skip_before]
    if not lines:
        return []
    classify_lines(lines, pats)
    total = max(1, lines[-1].end - lines[0].start)
    tail_from = lines[0].start + (1 - TAIL_SHARE) * total
    # the last line of article prose: after it, a line matching a family goes even if it is prose
    last_body = max((ln.idx for ln in lines if ln.prose and not ln.family and not ln.header), default=-1)
    reasons: dict[int, str] = {}

    def takes(ln: Line) -> bool:
        return bool(ln.family) and (not ln.prose or ln.family in pats.strong or ln.idx > last_body)

    i = 0
    while i < len(lines):
        ln = lines[i]
        in_tail = ln.start >= tail_from or _rest_is_short(lines, i)
        if ln.header == "comment-form":
            reasons[i] = "comment-form"
            j = i + 1
            while j < len(lines) and (in_tail or takes(lines[j]) or not lines[j].prose):
                reasons[j] = "comment-form" if (lines[j].family or not lines[j].prose) else "comments"
                j += 1
            i = j
            continue
        if ln.header in ("related-links", "author-bio"):
            reasons[i] = ln.header
            j = i + 1
            if in_tail:
                while j < len(lines) and not lines[j].header and (
                    not lines[j].prose or takes(lines[j]) or is_bio_like(lines[j].text)
                ):
                    nxt = lines[j]
                    bio = is_name_like(nxt.text) or is_bio_like(nxt.text) or ln.header == "author-bio"
                    reasons[j] = "author-bio" if bio else (nxt.family or "related-links")
                    j += 1
            i = j
            continue
        if takes(ln):
            reasons[i] = ln.family or "boilerplate"
        i += 1

    _author_box(lines, reasons)
    return [Removed(lines[k].start, lines[k].end, r, lines[k].text) for k, r in sorted(reasons.items())]


def _rest_is_short(lines: list[Line], i: int) -> bool:
    """True when nothing after line ``i`` reads as article prose (so it is the article's tail)."""
    return not any(ln.prose and not ln.family and not ln.header for ln in lines[i + 1 :])


def _author_box(lines: list[Line], reasons: dict[int, str]) -> None:
    """A name line (plus an optional bio line) at the very end of the kept lines."""
    kept = [k for k in range(len(lines)) if k not in reasons]
    if len(kept) < 3:
        return
    last = kept[-1]
    if is_bio_like(lines[last].text) and len(kept) >= 4 and is_name_like(lines[kept[-2]].text):
        reasons[last] = reasons[kept[-2]] = "author-bio"
    elif is_name_like(lines[last].text) and lines[kept[-2]].prose:
        reasons[last] = "author-bio"


# -- bylines: "<categories> <date> No Comments on <title>", "By NAME | June 3, 2022", ... ----


@dataclass
class Byline:
    start: int  # span of the byline in the text (offsets into the text given)
    end: int
    date_text: str | None
    date: str | None  # ISO YYYY-MM-DD
    author: str | None
    title: str | None = None  # the article title repeated inside a fused byline


@lru_cache(maxsize=4)
def _byline_regexes(path: str | None = None) -> tuple[re.Pattern[str], re.Pattern[str], dict[str, int]]:
    b = load_patterns(path).raw["byline"]
    month_no: dict[str, int] = {}
    for names in b["months"].values():
        for i, alts in enumerate(names, 1):
            for name in alts.split("|"):
                month_no[name] = i
    months = "|".join(sorted(month_no, key=len, reverse=True))
    date = (
        rf"(?:(?P<d1>\d{{1,2}})\.?\s+(?:de\s+)?(?P<m1>{months})\.?(?:\s+de)?,?\s+(?P<y1>\d{{4}})"
        rf"|(?P<m2>{months})\.?\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y2>\d{{4}})"
        rf"|(?P<d3>\d{{1,2}})\.(?P<mo3>\d{{1,2}})\.(?P<y3>\d{{4}})"
        rf"|(?P<y4>\d{{4}})-(?P<mo4>\d{{2}})-(?P<d4>\d{{2}}))"
    )
    marks = "|".join(b["comment_markers"])
    joiners = "|".join(b["title_joiners"])
    authors = "|".join(b["author_markers"])
    prefixes = "|".join(b["date_prefixes"])
    name = r"[A-ZÀ-ÞА-Я][\w'’.-]+(?:\s+(?:[A-ZÀ-ÞА-Я][\w'’.-]+|von|van|de|der|da|di|del|la|le)){0,4}"
    cats = r"(?P<cats>(?:[A-Z&][\w&.'’-]*(?:\s[A-Z&][\w&.'’-]*){0,2},\s*){0,8}[A-Z&][\w&.'’-]*(?:\s[A-Z&][\w&.'’-]*){0,2}\s+)?"
    date_first = re.compile(
        rf"^{cats}(?:(?:{prefixes})\s+)?(?P<date>{date})"
        rf"(?:\s*[|·•—–,-]?\s*(?:(?P<marker>{marks})(?:\s+(?P<joiner>{joiners})\s+)?"
        rf"|(?:{authors})\s+(?P<author>{name})))?",
        re.I,
    )
    author_first = re.compile(
        rf"^(?:{authors})\s+(?P<author>{name})\s*(?:[|·•—–,-]\s*)?(?:(?:{prefixes})\s+)?(?P<date>{date})?", re.I
    )
    return date_first, author_first, month_no


def parse_date_match(m: re.Match[str], month_no: dict[str, int]) -> str | None:
    g = m.groupdict()
    for d, mo, y in (("d1", "m1", "y1"), ("d2", "m2", "y2"), ("d3", "mo3", "y3"), ("d4", "mo4", "y4")):
        if g.get(y):
            month = int(g[mo]) if g[mo].isdigit() else month_no.get(g[mo].lower(), 0)
            day = int(g[d])
            if 1 <= month <= 12 and 1 <= day <= 31:
                return f"{int(g[y]):04d}-{month:02d}-{day:02d}"
    return None


def find_byline(text: str, start: int, *, title: str | None = None, max_lines: int = 3) -> Byline | None:
    """A byline at the start of one of the first ``max_lines`` lines at or after ``start``.

    Fused forms are handled: after a comment marker and joiner ("No Comments on"), the repeated
    title (known, or up to the point where it is glued to the next sentence: "...warNATO")
    belongs to the byline; the sentence after it stays text."""
    date_first, author_first, month_no = _byline_regexes()
    for ln in split_lines(text[start : start + 1500], start)[:max_lines]:
        line = ln.text
        m = date_first.match(line)
        strong = bool(m and (m.group("cats") or m.group("marker") or m.group("author")))
        if m and not strong and m.end() < len(line.rstrip(" .|·•—–-")):
            m = None  # a bare date that starts a sentence is not a byline
        if m is None:
            m = author_first.match(line)
            if m is None or (m.group("date") is None and len(line) > 60):
                continue
        end = m.end()
        repeated = None
        if m.groupdict().get("joiner"):
            end = _title_end(line, end, title)
            repeated = line[m.end() : end].strip() or None
        elif end < len(line) and len(line) <= 100 and not line.endswith(_TERMINAL):
            end = len(line)  # the whole short line is the byline
        date_text = m.group("date")
        date = parse_date_match(m, month_no) if date_text else None
        author = m.groupdict().get("author")
        return Byline(ln.start, ln.start + end, date_text, date, author, repeated)
    return None


def _title_end(line: str, pos: int, title: str | None) -> int:
    rest = line[pos:]
    if title:
        norm = " ".join(title.split()).casefold()
        if " ".join(rest.split()).casefold().startswith(norm):
            # walk the line until the title's words are consumed
            words = len(norm.split())
            m = re.match(rf"\s*(?:\S+\s+){{{words - 1}}}", rest)
            if m:
                nxt = rest[m.end() :]
                tail_word = norm.split()[-1]
                k = nxt.casefold().find(tail_word)
                if k == 0:
                    return pos + m.end() + len(tail_word)
    # the title glued to the first sentence: "...warNATO Secretary", "...de l'OTANLa Finlande"
    glue = re.search(r"[a-zà-ÿ0-9)?!][A-ZÀ-Þ\"“„]|[A-ZÀ-Þ]{2}(?=[A-ZÀ-Þ][a-zà-ÿ])", rest[:400])
    if glue:
        return pos + glue.start() + (1 if glue.group()[0].islower() or not glue.group()[0].isalpha() else 2)
    return len(line) if len(line) <= 200 and not line.endswith(_TERMINAL) else pos
