"""Normalisers for expressions relative to the anchor date: weekdays, today/yesterday, last/next
units, "two years ago" / "vor zwei Jahren", durations, weekends, "Ende des Jahres". They use the
sentence's tense (past-tense "am Montag" is the Monday before the anchor).
"""

from __future__ import annotations

import re
from datetime import date

from . import calendar as cal
from .normalise import Context, Result, _rel, reported_quarter


def h_weekday(g: dict[str, str | None], ctx: Context) -> Result | None:
    wd = ctx.lex.weekday(g["wd"] or "")
    if wd is None:
        return None
    direction = ctx.lex.direction(g.get("dir"))
    part = _day_part(ctx, g.get("part"))
    if ctx.lex.data.get("weekday_part_as_date"):  # TimeBank: "Sunday night" is that day
        part = None

    def fn(a: date) -> str:
        d = cal.resolve_weekday(a, wd, ctx.tense, direction)
        return d.isoformat() + (f"T{part}" if part else "")

    return _rel(ctx, fn, "TIME" if part else "DATE")


def _day_part(ctx: Context, word: str | None) -> str | None:
    if not word:
        return None
    parts: dict[str, str] = ctx.lex["day_parts"]
    return parts.get(word.lower())


def h_relday(g: dict[str, str | None], ctx: Context) -> Result | None:
    rel: dict[str, int] = ctx.lex["relative_days"]
    word = re.sub(r"\s+", " ", (g["rel"] or "").lower())
    if word not in rel:
        return None
    n = rel[word]
    # "last night", "heute Abend", "vergangene Nacht": the phrase names the part of the day
    part = _day_part(ctx, g.get("part")) or _day_part(ctx, word.split(" ")[-1] if " " in word else None)
    if part is None and word == "tonight":
        part = "NI"

    def fn(a: date) -> str | None:
        v = cal.shift(a, "D", n)
        return f"{v}T{part}" if v and part else v

    return _rel(ctx, fn, "TIME" if part else "DATE")


def h_rel_unit(g: dict[str, str | None], ctx: Context) -> Result | None:
    unit = ctx.lex.unit(g["unit"] or "")
    direction = ctx.lex.direction(g.get("dir"))
    if unit is None or direction is None or unit in ("H", "MIN", "S"):
        return None
    word = re.sub(r"\s+", " ", (g.get("dir") or "").lower())
    plural = (g["unit"] or "").lower() in ctx.lex["plural_units"]
    if word in ("past", "recent"):  # "recent days" PXD, "past years" PAST_REF; "the past year": last year
        if plural:
            return Result("DURATION", cal.duration(None, unit)) if word == "recent" else Result("DATE", "PAST_REF")
        if word == "recent":
            return Result("DURATION", cal.duration(1, unit))
    if (g["unit"] or "").lower() in ctx.lex["plural_units"]:  # "in den letzten Tagen", "coming weeks"
        ref = {"last": "PAST_REF", "next": "FUTURE_REF", "this": "PRESENT_REF"}[direction]
        return Result("DATE", ref)
    n = {"last": -1, "next": 1, "this": 0}[direction]
    if unit == "Q" and direction == "this" and ctx.anchor is not None and word in ("latest",):
        return Result("DATE", reported_quarter(ctx, ctx.anchor), relative=True)
    return _rel(ctx, lambda a: cal.shift(a, unit, n))


def h_the_unit(g: dict[str, str | None], ctx: Context) -> Result | None:
    """'the year', 'the quarter', 'the latest quarter' (financial reports): the current year,
    the latest completed quarter."""
    unit = ctx.lex.unit(g["unit"] or "")
    if g.get("ended") and unit == "Y":  # "the year ended June 30": a year's span
        return Result("DURATION", cal.duration(1, unit))
    if unit == "Y":
        return _rel(ctx, lambda a: cal.shift(a, "Y", 0))
    if unit == "Q" or ((g["unit"] or "").lower() == "period" and ctx.quarterly):
        return _rel(ctx, lambda a: reported_quarter(ctx, a))
    return None


def h_ago(g: dict[str, str | None], ctx: Context) -> Result | None:
    unit = ctx.lex.unit(g["unit"] or "")
    if unit is None:
        return None
    n = ctx.lex.number(g["num"] or "")
    sign = -1 if g.get("later") is None else 1
    if n is None or not float(n).is_integer():
        return _rel(ctx, lambda a: "PAST_REF" if sign < 0 else "FUTURE_REF")
    k = int(n) * sign
    if unit == "DE":  # "a decade ago": the year, as for "ten years ago"
        return _rel(ctx, lambda a: cal.shift(a, "Y", 10 * k))
    if unit == "Y" and (ctx.quarterly or "quarter" in ctx.sentence.lower()) and abs(k) == 1:
        return _rel(ctx, lambda a: _shift_q_year(reported_quarter(ctx, a), k))
    if unit in ("H", "MIN", "S"):
        return _rel(ctx, lambda a: cal.fmt_day(a), "TIME")
    return _rel(ctx, lambda a: cal.shift(a, unit, k))


def _shift_q_year(q: str, k: int) -> str:
    y, _, rest = q.partition("-")
    return f"{int(y) + k:04d}-{rest}"


def h_year_ago(g: dict[str, str | None], ctx: Context) -> Result | None:
    """'year-ago', 'year-earlier' (period): last year's quarter in quarterly reports."""
    if ctx.quarterly or "quarter" in ctx.sentence.lower() or "period" in (g.get("noun") or ""):
        return _rel(ctx, lambda a: _shift_q_year(reported_quarter(ctx, a), -1))
    return _rel(ctx, lambda a: cal.shift(a, "Y", -1))


def h_duration(g: dict[str, str | None], ctx: Context) -> Result | None:
    unit = ctx.lex.unit(g["unit"] or "")
    if unit is None:
        return None
    raw = (g.get("num") or "").strip()
    if unit == "Q" and (
        raw.lower() in ("a", "an", "one") or g.get("hyph")
    ):  # "a quarter of", "three-quarters"
        return None
    n = ctx.lex.number(raw) if raw else 1.0
    if n is not None and n <= 0:
        return None
    return Result("DURATION", cal.duration(n, unit), _dur_mod(g.get("approx")))


def _dur_mod(word: str | None) -> str | None:
    if not word:
        return None
    w = word.lower()
    if w.startswith(("more", "over", "mehr", "über")):
        return "MORE_THAN"
    if w.startswith(("less", "under", "weniger", "unter")):
        return "LESS_THAN"
    if w.startswith(("nearly", "almost", "fast", "knapp")):
        return "APPROX"
    return "APPROX"


_POS = {
    "anfang": "START",
    "beginning": "START",
    "start": "START",
    "mitte": "MID",
    "middle": "MID",
    "ende": "END",
    "end": "END",
}


def h_pos_unit(g: dict[str, str | None], ctx: Context) -> Result | None:
    """'Ende des Jahres', 'the end of next month': the unit relative to the anchor, with a mod."""
    unit = {"jahres": "Y", "monats": "M", "quartals": "Q"}.get((g["unit"] or "").lower()) or ctx.lex.unit(
        g["unit"] or ""
    )
    if unit is None:
        return None
    d = (g.get("dir") or "").lower()
    direction = ctx.lex.direction(d) or ("this" if d in ("des", "der", "the") else None)
    if direction is None:
        return None
    n = {"last": -1, "next": 1, "this": 0}[direction]
    res = _rel(ctx, lambda a: cal.shift(a, unit, n))
    res.mod = _POS.get((g["pos"] or "").lower())
    return res


def h_plural_unit(g: dict[str, str | None], ctx: Context) -> Result | None:
    unit = ctx.lex.unit(g["unit"] or "")
    if unit is None or unit in ("Q", "WE"):
        return None
    return Result("DURATION", cal.duration(None, unit))


def h_daypart(g: dict[str, str | None], ctx: Context) -> Result | None:
    part = _day_part(ctx, g.get("part"))
    if part is None:
        return None
    return _rel(ctx, lambda a: f"{a.isoformat()}T{part}", "TIME")


def h_weekend(g: dict[str, str | None], ctx: Context) -> Result | None:
    direction = ctx.lex.direction(g.get("dir"))
    n = {"last": -1, "next": 1}.get(direction or "", 0)
    if direction is None and ctx.anchor is not None:
        n = -1 if ctx.tense == "past" and ctx.anchor.isoweekday() < 6 else 0
    return _rel(ctx, lambda a: cal.shift(a, "WE", n))
