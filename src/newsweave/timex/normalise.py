"""Normalisers for calendar expressions: absolute dates, months, years, quarters, seasons,
clock times, vague and set expressions. Each handler turns a rule's match (its named groups)
and a :class:`Context` into a :class:`Result` (TIMEX3 type and value), or None to reject it.

Impossible dates ("32. Mai", "2021-13-45") give a result with ``value=None``: the span is
recognised, no value is invented.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from . import calendar as cal
from .lexicon import Lexicon


class Context:
    """What a handler knows besides its match: the anchor, the sentence and its tense (computed
    on first use from ``tense_of``: most expressions, absolute dates, never ask), whether the
    text reports quarterly figures ("a year ago" = that quarter last year) and the quarter it
    last named ("the third quarter ... the quarter")."""

    __slots__ = ("_tense", "_tense_of", "anchor", "lex", "quarter", "quarterly", "sentence")

    def __init__(
        self,
        anchor: date | None,
        tense: str | None = None,
        lex: Lexicon | None = None,
        sentence: str = "",
        quarterly: bool = False,
        quarter: int | None = None,
        tense_of: Callable[[], str | None] | None = None,
    ) -> None:
        if lex is None:
            raise TypeError("Context needs a lexicon")
        self.anchor, self.lex, self.sentence = anchor, lex, sentence
        self.quarterly, self.quarter = quarterly, quarter
        self._tense, self._tense_of = tense, tense_of

    @property
    def tense(self) -> str | None:
        if self._tense_of is not None:
            self._tense, self._tense_of = self._tense_of(), None
        return self._tense


def reported_quarter(ctx: Context, a: date) -> str:
    """The quarter a financial report is about: the one it last named ("the third quarter ...
    the quarter"), in the latest year where it is over; else the latest completed quarter."""
    if ctx.quarter is None:
        return cal.latest_quarter(a)
    y = a.year if ctx.quarter <= cal.quarter_of(a) else a.year - 1
    return f"{y:04d}-Q{ctx.quarter}"


@dataclass
class Result:
    type: str
    value: str | None
    mod: str | None = None
    relative: bool = False  # resolved against the anchor
    anchor: str | None = None  # the anchor it was resolved against (set by the tagger)


Handler = Callable[[dict[str, str | None], Context], Result | None]


def _int(s: str | None) -> int | None:
    return int(s) if s and s.isdigit() else None


def _year(s: str | None) -> int | None:
    y = _int(s)
    if y is None or s is None:
        return None
    if len(s) == 2:  # '89 -> 1989, '21 -> 2021
        return 1900 + y if y >= 50 else 2000 + y
    return y


def _rel(ctx: Context, fn: Callable[[date], str | None], typ: str = "DATE", mod: str | None = None) -> Result:
    """A relative value: computed when there is an anchor, else unresolved (None)."""
    if ctx.anchor is None:
        return Result(typ, None, mod, relative=True)
    return Result(typ, fn(ctx.anchor), mod, relative=True)


# ---- handlers --------------------------------------------------------------------------------


def h_iso(g: dict[str, str | None], ctx: Context) -> Result:
    d = cal.valid_day(int(g["y"] or 0), int(g["m"] or 0), int(g["d"] or 0))
    if d is None:
        return Result("DATE", None)
    if g.get("hh") is not None:
        hh, mm = int(g["hh"] or 0), int(g["mi"] or 0)
        if hh > 24 or mm > 59:
            return Result("TIME", None)
        return Result("TIME", f"{d.isoformat()}T{hh:02d}:{mm:02d}")
    return Result("DATE", d.isoformat())


def h_numeric(order: str) -> Handler:
    def handler(g: dict[str, str | None], ctx: Context) -> Result:
        a, b = int(g["a"] or 0), int(g["b"] or 0)
        m, d = (a, b) if order == "mdy" else (b, a)
        y = _year(g["y"])
        day = cal.valid_day(y or 0, m, d)
        if day is None:
            return Result("DATE", None)
        if g.get("hh") is not None:
            return Result("TIME", f"{day.isoformat()}T{int(g['hh'] or 0):02d}:{int(g['mi'] or 0):02d}")
        return Result("DATE", day.isoformat())

    return handler


def h_compact(g: dict[str, str | None], ctx: Context) -> Result | None:
    s = g["all"] or ""
    d = cal.valid_day(int(s[:4]), int(s[4:6]), int(s[6:8]))
    return Result("DATE", d.isoformat()) if d else None


def h_day_month(g: dict[str, str | None], ctx: Context) -> Result | None:
    m = ctx.lex.month(g["mon"] or "")
    d = _int(g["d"])
    if m is None or d is None:
        return None
    if d == 0 or d > 31:
        return Result("DATE", None)
    y = _year(g.get("y"))
    if y is not None:
        day = cal.valid_day(y, m, d)
        return Result("DATE", day.isoformat() if day else None)
    if cal.valid_day(2000, m, d) is None:  # 2000 is a leap year: 29 Feb is fine
        return Result("DATE", None)
    if ctx.anchor is None:
        return Result("DATE", f"XXXX-{m:02d}-{d:02d}", relative=True)
    day = cal.resolve_month_day(ctx.anchor, m, d, ctx.tense)
    return Result("DATE", day.isoformat() if day else None, relative=True)


def h_month_year(g: dict[str, str | None], ctx: Context) -> Result | None:
    m = ctx.lex.month(g["mon"] or "")
    y = _year(g["y"])
    if m is None or y is None:
        return None
    return Result("DATE", cal.fmt_month(y, m))


def h_month_rel_year(g: dict[str, str | None], ctx: Context) -> Result | None:
    m = ctx.lex.month(g["mon"] or "")
    direction = ctx.lex.direction(g.get("dir"))
    if m is None or direction is None:
        return None
    n = {"last": -1, "next": 1, "this": 0}[direction]
    return _rel(ctx, lambda a: cal.fmt_month(a.year + n, m))


def h_month(g: dict[str, str | None], ctx: Context) -> Result | None:
    word = g["mon"] or ""
    m = ctx.lex.month(word)
    if m is None:
        return None
    if not word[:1].isupper() and not ctx.lex["lowercase_months"]:
        return None
    if word.lower().rstrip(".") in ctx.lex["ambiguous_months"] and g.get("dir") is None and not g.get("prep"):
        return None
    direction = ctx.lex.direction(g.get("dir"))
    if ctx.anchor is None:
        return Result("DATE", f"XXXX-{m:02d}", relative=True)
    if direction == "this":
        return Result("DATE", cal.fmt_month(ctx.anchor.year, m), relative=True)
    if direction == "last":  # the latest such month before the current one
        y = ctx.anchor.year if m < ctx.anchor.month else ctx.anchor.year - 1
        return Result("DATE", cal.fmt_month(y, m), relative=True)
    if direction == "next":
        y = ctx.anchor.year if m > ctx.anchor.month else ctx.anchor.year + 1
        return Result("DATE", cal.fmt_month(y, m), relative=True)
    y, mm = cal.resolve_month(ctx.anchor, m, ctx.tense)
    return Result("DATE", cal.fmt_month(y, mm), relative=True)


def h_year(g: dict[str, str | None], ctx: Context) -> Result | None:
    y = _int(g["y"])
    if y is None or not 1200 <= y <= 2199:  # "1000 people", "3000 troops" are not years
        return None
    return Result("DATE", f"{y:04d}")


def h_decade(g: dict[str, str | None], ctx: Context) -> Result | None:
    s = g["dec"] or ""
    if len(s) == 2:  # the '90s / 90er
        if ctx.anchor is None:
            return Result("DATE", None, relative=True)
        century = ctx.anchor.year // 100 if int(s) <= ctx.anchor.year % 100 else ctx.anchor.year // 100 - 1
        return Result("DATE", f"{century:02d}{s[0]}")
    return Result("DATE", s[:3])


def h_century(g: dict[str, str | None], ctx: Context) -> Result | None:
    n = _int(g["n"])
    if n is None or not 1 <= n <= 30:
        return None
    return Result("DATE", f"{n - 1:02d}")


def h_quarter(g: dict[str, str | None], ctx: Context) -> Result | None:
    ords: dict[str, int] = ctx.lex["ordinals"]
    q = ords.get((g["ord"] or "").lower())
    if q is None or not 1 <= q <= 4:
        return None
    half = (g.get("unit") or "").lower() in ("half", "halbjahr", "jahreshälfte")
    if half and q > 2:
        return None
    y = _year(g.get("y") or g.get("yp"))
    if y is not None:
        return Result("DATE", f"{y:04d}-{'H' if half else 'Q'}{q}")
    if ctx.anchor is None:
        return Result("DATE", None, relative=True)
    shift = _year_shift(g.get("rel"))
    if shift is not None and not half:  # "the year-ago third quarter", "next year's first quarter"
        return Result("DATE", f"{ctx.anchor.year + shift:04d}-Q{q}", relative=True)
    if half:
        yy = ctx.anchor.year - (1 if q == 2 and ctx.anchor.month <= 6 and ctx.tense != "future" else 0)
        return Result("DATE", f"{yy:04d}-H{q}", relative=True)
    return Result("DATE", cal.resolve_quarter(ctx.anchor, q, ctx.tense), relative=True)


def _year_shift(word: str | None) -> int | None:
    if not word:
        return None
    w = word.lower()
    if w.startswith(("year-ago", "year ago", "year-earlier", "year earlier", "last", "previous")):
        return -1
    return 1 if w.startswith("next") else 0 if w.startswith("this") else None


def h_year_period(g: dict[str, str | None], ctx: Context) -> Result | None:
    """'the 1988 quarter', 'the 1989 period', 'the year-earlier period': that year's reported
    quarter."""
    y = _year(g.get("y"))
    rel = _year_shift(g.get("rel"))
    if y is None and rel is None:
        return None
    if ctx.anchor is None:
        return Result("DATE", None, relative=True)
    q = reported_quarter(ctx, ctx.anchor)
    year = y if y is not None else int(q[:4]) + (rel or 0)
    return Result("DATE", f"{year:04d}{q[4:]}", relative=y is None)


def h_season(g: dict[str, str | None], ctx: Context) -> Result | None:
    seasons: dict[str, str] = ctx.lex["seasons"]
    word = (g["season"] or "").lower()
    s = seasons.get(word)
    if s is None or (word == "fall" and not g.get("dir") and not g.get("y")):
        return None
    y = _year(g.get("y"))
    if y is not None:
        return Result("DATE", f"{y:04d}-{s}")
    direction = ctx.lex.direction(g.get("dir"))
    if direction == "last":  # the latest such season before the current one
        return _rel(ctx, lambda a: f"{_last_season_year(a, s):04d}-{s}")
    n = {"next": 1}.get(direction or "", 0)
    return _rel(ctx, lambda a: f"{a.year + n:04d}-{s}")


_SEASON_START = {"SP": 3, "SU": 6, "FA": 9, "WI": 12}


def _last_season_year(a: date, season: str) -> int:
    """The year of the latest such season that began before the season the day is in (winter
    begins in December: in February, "last fall" is the previous year's)."""
    y, m = (a.year - 1, 12) if a.month in (1, 2) else (a.year, (a.month // 3) * 3)
    current = y * 12 + m
    year = a.year
    while year * 12 + _SEASON_START[season] >= current:
        year -= 1
    return year


def h_clock(g: dict[str, str | None], ctx: Context) -> Result | None:
    hh = _int(g["hh"])
    mm = _int(g.get("mi")) or 0
    if hh is None or hh > 24 or mm > 59:
        return None
    ampm = (g.get("ampm") or "").lower().replace(".", "")
    if ampm == "pm" and hh < 12:
        hh += 12
    if ampm == "am" and hh == 12:
        hh = 0
    return _rel(ctx, lambda a: f"{a.isoformat()}T{hh:02d}:{mm:02d}", "TIME")


def h_clock_weekday(g: dict[str, str | None], ctx: Context) -> Result | None:
    wd = ctx.lex.weekday(g["wd"] or "")
    if wd is None:
        return None
    tw = g.get("tw")
    if tw:
        hh, mm = (12, 0) if tw.lower() in ("noon", "mittag") else (24, 0)
    else:
        hh, mm = _int(g.get("hh")) or 0, _int(g.get("mi")) or 0
        ampm = (g.get("ampm") or "").lower().replace(".", "")
        hh = hh + 12 if ampm == "pm" and hh < 12 else (0 if ampm == "am" and hh == 12 else hh)
    if hh > 24 or mm > 59:
        return None
    return _rel(
        ctx, lambda a: f"{cal.resolve_weekday(a, wd, ctx.tense).isoformat()}T{hh:02d}:{mm:02d}", "TIME"
    )


def h_time_word(g: dict[str, str | None], ctx: Context) -> Result | None:
    table: dict[str, str] = ctx.lex["time_words"]
    v = table.get((g["tw"] or "").lower())
    return _rel(ctx, lambda a: f"{a.isoformat()}T{v}", "TIME") if v else None


def h_vague(g: dict[str, str | None], ctx: Context) -> Result | None:
    table: dict[str, str] = ctx.lex["vague"]
    v = table.get(re.sub(r"\s+", " ", (g["vague"] or "").lower()))
    return Result("DATE", v) if v else None


def h_set(g: dict[str, str | None], ctx: Context) -> Result | None:
    table: dict[str, str] = ctx.lex["sets"]
    v = table.get(re.sub(r"\s+", " ", (g["set"] or "").lower()))
    return Result("SET", v) if v else None


def h_weekday_set(g: dict[str, str | None], ctx: Context) -> Result | None:
    wd = ctx.lex.weekday((g["wd"] or "").rstrip("s"))
    return Result("SET", f"XXXX-WXX-{wd}") if wd else None


def h_every(g: dict[str, str | None], ctx: Context) -> Result | None:
    """'every Thursday' XXXX-WXX-4, 'each July' XXXX-07."""
    wd = ctx.lex.weekday(g.get("wd") or "")
    if wd:
        return Result("SET", f"XXXX-WXX-{wd}")
    m = ctx.lex.month(g.get("mon") or "")
    return Result("SET", f"XXXX-{m:02d}") if m else None


# ---- rule building ---------------------------------------------------------------------------
