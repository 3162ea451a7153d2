"""What a relative expression says about the day it is written on: the stretch of days it
names, as offsets from that day, for each weekday the day may fall on.

    offs = denotation("The quake struck four days ago .", 16, "en")
    offs[0]  # (-4, -4): written on a Monday, "four days ago" is the Thursday before
    denotation("… caused by last week 's earthquake .", 13, "en")[2]  # (-9, -3) on a Wednesday

Corpus dating (``corpus.py``) ties such an expression to a happening the corpus dates ("four
days ago" in a sentence about the earthquake of 12 January): the article is then written on a
day whose denotation holds that happening. The tagger itself says what the expression means
("last week", "earlier this week", "nearly two weeks ago", "last Tuesday", "the day before
yesterday", in every language it reads): the sentence is tagged against one day of each weekday
and the value it gets is read back as offsets. Only what names days or weeks is used; a month
or a year tells nothing about the day.

The anchors are days of a week in the middle of a year, so that no week or month boundary of
the year cuts an offset short.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from ..timex import tag

# A Monday in mid-year and the six days after it: one anchor per ISO weekday.
_MONDAY = date(2001, 6, 4)
_DATED = "1990-01-01 . "  # a sentence that names a day, in any language the tagger reads
_WEEK = re.compile(r"(\d{4})-W(\d{2})(-WE)?")

Offsets = tuple[tuple[int, int], ...]  # per ISO weekday 1..7 (index 0..6): (first, last) offset


def span_of(value: str | None) -> tuple[date, date] | None:
    """The first and last day a TIMEX value names, for a day ("2001-06-02"), a week
    ("2001-W22") or a weekend ("2001-W22-WE"); None for anything coarser or vaguer."""
    if not value:
        return None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}(T.*)?", value):
        try:
            d = date.fromisoformat(value[:10])
        except ValueError:
            return None
        return d, d
    m = _WEEK.fullmatch(value)
    if not m:
        return None
    try:
        monday = date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)
    except ValueError:
        return None
    if m.group(3):
        return monday + timedelta(days=5), monday + timedelta(days=6)
    return monday, monday + timedelta(days=6)


def denotation(sentence: str, start: int, lang: str) -> Offsets | None:
    """Offsets of the days the expression starting at ``start`` in ``sentence`` names, relative
    to the day of writing, for each weekday of that day; None when it names no day or week
    (or not on every weekday: the tagger read it differently against some anchor), or when
    it refers to another date of the text rather than to the day of writing."""
    # an anaphor ("the following Tuesday", "that night") is read against the date the text
    # last named, not the day of writing: after a dated sentence the tagger resolves it there
    t = next((t for t in tag(_DATED + sentence, lang, anchor=_MONDAY) if t.start == start + len(_DATED)), None)
    if t is None or t.anchor != _MONDAY.isoformat():
        return None
    out: list[tuple[int, int]] = []
    for k in range(7):
        anchor = _MONDAY + timedelta(days=k)
        t = next((t for t in tag(sentence, lang, anchor=anchor) if t.start == start), None)
        span = span_of(t.value) if t is not None and t.anchor is not None else None
        if span is None:
            return None
        out.append(((span[0] - anchor).days, (span[1] - anchor).days))
    return tuple(out)


def holds(offsets: Offsets, written: date, happened: date) -> bool:
    """Whether an article written on ``written`` names ``happened`` with these offsets."""
    lo, hi = offsets[written.isoweekday() - 1]
    return lo <= (happened - written).days <= hi


__all__ = ["Offsets", "denotation", "holds", "span_of"]
