"""Expressions whose date comes from the text around them rather than from the anchor.

- A clock time or a part of the day on its own ("gegen 18.50 Uhr", "am Abend", "the morning")
  is on the day the passage talks about: the last day named in its sentence or the two before
  it ("In Paris brach am Montagabend ein Feuer aus. Es war gegen 18.50 Uhr ..." is that Monday).
- Anaphoric expressions ("the following year", "the next day", "am Vortag", "that week",
  "the previous Friday", "am darauffolgenden Montag") count from the last date the text named
  at their granularity ("in 1995 ... the following year" is 1996), not from the document date.

Both fall back to the anchor when the text names no such date nearby. The result's ``anchor``
says which day it was resolved against.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from .lexicon import Lexicon
from .normalise import Context

CLOCK_REACH = 2  # sentences back a bare clock time looks for its day
ANAPHOR_REACH = 8  # sentences back an anaphoric expression looks for its reference

_GRAIN_ORDER = {"Y": 0, "Q": 1, "M": 2, "W": 3, "D": 4}


@dataclass(frozen=True)
class _Dated:
    sentence: int
    value: str
    grain: str


def grain(value: str | None) -> str | None:
    """The granularity of a TIMEX3 value with a year: Y, Q (also halves), M, W or D."""
    v = value or ""
    if re.match(r"\d{4}-\d{2}-\d{2}", v):
        return "D"
    if re.fullmatch(r"\d{4}-W\d{2}(?:-WE)?", v):
        return "W"
    if re.fullmatch(r"\d{4}-\d{2}", v):
        return "M"
    if re.fullmatch(r"\d{4}-[QH]\d", v):
        return "Q"
    if re.fullmatch(r"\d{4}", v):
        return "Y"
    return None


def _fine_enough(have: str, need: str) -> bool:
    if need == "W":
        return have in ("W", "D")
    if need == "Q":
        return have in ("Q", "M", "D")
    return _GRAIN_ORDER[have] >= _GRAIN_ORDER[need]


def _as_day(value: str, g: str) -> date | None:
    """A day standing for the value: the day itself, or the middle of the week/month/quarter/year."""
    try:
        y = int(value[:4])
        if g == "D":
            return date.fromisoformat(value[:10])
        if g == "W":
            return date.fromisocalendar(y, int(value[6:8]), 3)
        if g == "M":
            return date(y, int(value[5:7]), 15)
        if g == "Q":
            q = int(value[6])
            return date(y, (q - 1) * 6 + 4, 1) if value[5] == "H" else date(y, (q - 1) * 3 + 2, 15)
        return date(y, 7, 1)
    except ValueError:
        return None


def unit_grain(lex: Lexicon, word: str | None) -> str | None:
    unit = lex.unit(word or "")
    return unit if unit in _GRAIN_ORDER else None


def needs(lex: Lexicon, rule: str, groups: dict[str, str | None], span: str, attached: bool) -> tuple[str, int] | None:
    """(granularity, reach in sentences) of the reference a candidate takes from the text, or
    None when it is resolved against the anchor."""
    mods = set(lex["anaphoric_modifiers"] or ())
    direction = re.sub(r"\s+", " ", (groups.get("dir") or "").lower())
    if rule in ("clock", "clock_colon", "time_word", "clock_part"):
        return None if attached else ("D", CLOCK_REACH)
    if rule == "daypart":
        return ("D", CLOCK_REACH) if re.match(r"(?:the|am|in der)\s", span, re.IGNORECASE) else None
    if rule in ("anaphor_day",):
        return ("D", ANAPHOR_REACH)
    if rule in ("anaphor_unit", "rel_unit", "rel_unit_post"):
        g = unit_grain(lex, groups.get("unit"))
        if g is None:
            return None
        if rule == "anaphor_unit" or direction in mods:
            return (g, ANAPHOR_REACH)
        if g == "D" and lex.direction(direction) in ("next", "last"):  # "the next day", "am nächsten Tag"
            return ("D", ANAPHOR_REACH)
        return None
    if rule in ("weekday", "weekday_post") and direction in mods:
        return ("D", ANAPHOR_REACH)
    return None


def resolve_in_context(
    lex: Lexicon,
    chosen: Sequence[Any],
    text: str,
    spans: Sequence[tuple[int, int]],
    anchor: date | None,
    rerun: Callable[[Any, Context], Any],
) -> None:
    """Re-resolve, in place, the candidates that take their date from the text. ``rerun(c, ctx)``
    runs a candidate's handler in a new context and returns its Result (or None)."""
    seen: list[_Dated] = []
    for c in chosen:
        need = needs(lex, c.rule.name, c.groups, text[c.start : c.end], c.attached)
        if need is not None:
            ref = _reference(seen, need[0], c.sentence, need[1])
            if ref is not None and ref != anchor:
                s0, s1 = spans[c.sentence] if spans else (0, len(text))
                ctx = Context(anchor=ref, tense=c.tense, lex=lex, sentence=text[s0:s1])
                res = rerun(c, ctx)
                if res is not None and res.value:
                    res.mod = res.mod or c.result.mod
                    res.relative = True
                    res.anchor = ref.isoformat()
                    c.result = res
        g = grain(c.result.value)
        if g is not None and c.result.type in ("DATE", "TIME"):
            seen.append(_Dated(c.sentence, c.result.value or "", g))


def _reference(seen: list[_Dated], need: str, sentence: int, reach: int) -> date | None:
    for d in reversed(seen):
        if sentence - d.sentence > reach:
            return None
        if _fine_enough(d.grain, need):
            return _as_day(d.value, d.grain)
    return None
