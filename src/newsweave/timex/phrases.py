"""Rules for fixed phrases the calendar patterns of ``rules.py`` do not cover, with their
handlers:

- holidays ("Christmas", "Thanksgiving", "Ostermontag", "Tag der Deutschen Einheit"): fixed
  days, days counted from Easter, or the n-th weekday of a month, in the year the anchor and
  the tense say;
- anaphoric days and units ("the day before", "am Vortag", "tags darauf", "that year", "jenem
  Tag"): resolved against the date the text last named (see ``reference.py``);
- the night before a weekday ("in der Nacht zum Donnerstag" is Wednesday night);
- anniversaries to the day ("heute vor 30 Jahren", "50 years ago today");
- clock-style durations ("2:01:09 Stunden") and vague durations ("jahrelang", "for years");
- years spoken in words, as in broadcast transcripts ("nineteen ninety-six", "the year two
  thousand", "January nineteen ninety-seven").

Each rule is built only when the language's lexicon has the words for it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta

from . import calendar as cal
from .lexicon import Lexicon, alternation
from .normalise import Context, Handler, Result, _rel

Make = Callable[[str, str, Handler], object]

B, E = r"(?<![\w-])", r"(?![\w])"


def phrase_rules(lex: Lexicon, r: Make, num: str, unit: str, weekday: str, month: str, mods: str) -> list[object]:
    out = []
    if lex["holidays"]:
        out.append(r("holiday", B + r"(?:(?P<dir>" + mods + r")\s+)?(?P<hol>" + alternation(lex["holidays"])
                     + r")(?:\s+(?P<y>(?:1[89]|20)\d{2}))?" + E, h_holiday))
    if lex["anaphoric_days"]:
        # "the day before" on its own, not "the day before the crash" (that is "the day")
        loose = r"(?!\s+(?:the|a|an|his|her|its|their|this|that|he|she|it|they|we|[a-z]+ing)\b)"
        out.append(r("anaphor_day", B + r"(?P<ana>" + alternation(lex["anaphoric_days"]) + r")" + E + loose,
                     h_anaphor_day))
    if lex["anaphoric_determiners"]:
        out.append(r("anaphor_unit", B + r"(?:" + alternation(lex["anaphoric_determiners"]) + r")\s+(?P<unit>"
                     + unit + r")" + E, h_anaphor_unit))
    if lex["night_before"]:
        out.append(r("night_to", B + r"(?:" + alternation(lex["night_before"]) + r")\s+(?P<wd>" + weekday + r")" + E,
                     h_night_to))
    if lex["ago_today"]:
        pre, post = lex["ago_today"].get("before", []), lex["ago_today"].get("after", [])
        if pre:
            out.append(r("ago_today", B + r"(?:" + alternation(pre) + r")\s+(?P<num>" + num + r")\s+(?P<unit>"
                         + unit + r")" + E, h_ago_today))
        if post:
            out.append(r("ago_today", B + r"(?P<num>" + num + r")\s+(?P<unit>" + unit + r")\s+(?:"
                         + alternation(post) + r")" + E, h_ago_today))
    if lex["clock_parts"]:
        out.append(r("clock_part", B + r"(?P<hh>\d{1,2})(?:[:.](?P<mi>\d{2}))?\s+(?:o'clock\s+|uhr\s+)?(?P<pp>"
                     + alternation(lex["clock_parts"]) + r")" + E, h_clock_part))
    if lex["week_of"]:
        out.append(r("week_of", B + r"(?:" + alternation(lex["week_of"]) + r")\s+(?P<mon>" + month
                     + r")\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(?P<y>(?:1[89]|20)\d{2}))?" + E, h_week_of))
    out.append(r("clock_duration", B + r"(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?\s*(?P<unit>"
                 + unit + r")" + E, h_clock_duration))
    if lex["long_suffix"]:  # "a day-long strike", "decades-long", "a two-week-long visit"
        out.append(r("unit_long", B + r"(?:(?P<num>" + num + r")-)?(?P<unit>" + unit + r")-(?:"
                     + alternation(lex["long_suffix"]) + r")" + E, h_unit_long))
    if lex["vague_durations"]:
        out.append(r("vague_duration", B + r"(?P<vd>" + alternation(lex["vague_durations"]) + r")" + E, h_vague_duration))
    if lex["spelled_years"]:
        # "two thousand" is a year only where a year is expected ("the year two thousand",
        # "January two thousand"); "nineteen ninety-six" anywhere; neither before a unit
        # ("two thousand years")
        sy, century = spelled_year_pattern(lex)
        tail = E + r"(?!\s+(?:" + unit + r"|people|dollars|men|women|troops)\b)"
        out.append(r("spelled_year", B + r"(?:the\s+year\s+(?P<sy>" + sy + r")|(?P<sy2>" + century + r"))" + tail,
                     h_spelled_year))
        out.append(r("month_spelled_year", B + r"(?P<mon>" + month + r")\s+(?:of\s+)?(?P<sy>" + sy + r")" + tail,
                     h_spelled_year))
        out.append(r("season_spelled_year", B + r"(?:the\s+)?(?P<season>" + alternation(lex["seasons"])
                     + r")\s+(?:of\s+)?(?P<sy>" + sy + r")" + tail, h_spelled_year))
    return out


# ---- holidays ---------------------------------------------------------------------------------


def easter(year: int) -> date:
    """Easter Sunday (Gregorian; the anonymous algorithm of Meeus)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ll = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ll) // 451
    month, day = divmod(h + ll - 7 * m + 114, 31)
    return date(year, month, day + 1)


def holiday_day(spec: str, year: int) -> date | None:
    """The day of a holiday in ``year``. Specs: ``MM-DD``, ``easter±N``, ``N:W:MM`` (the N-th
    ISO weekday W of month MM; N=-1 the last), ``N:W:MM+D`` (D days after that)."""
    try:
        if m := re.fullmatch(r"(\d{2})-(\d{2})", spec):
            return cal.valid_day(year, int(m.group(1)), int(m.group(2)))
        if m := re.fullmatch(r"easter([+-]\d+)?", spec):
            return easter(year) + timedelta(days=int(m.group(1) or 0))
        if m := re.fullmatch(r"(-?\d):(\d):(\d{2})(?:\+(\d+))?", spec):
            n, wd, mon, extra = int(m.group(1)), int(m.group(2)), int(m.group(3)), int(m.group(4) or 0)
            first = date(year, mon, 1)
            if n > 0:
                day = first + timedelta(days=(wd - first.isoweekday()) % 7 + 7 * (n - 1))
            else:
                nxt = date(year + (mon == 12), mon % 12 + 1, 1)
                last = nxt - timedelta(days=1)
                day = last - timedelta(days=(last.isoweekday() - wd) % 7)
            return day + timedelta(days=extra)
    except ValueError:
        return None
    return None


def h_holiday(g: dict[str, str | None], ctx: Context) -> Result | None:
    table: dict[str, str] = ctx.lex["holidays"]
    spec = table.get(re.sub(r"\s+", " ", (g.get("hol") or "").lower()))
    if spec is None:
        return None
    y = int(g.get("y") or 0) or None
    if y is not None:
        day = holiday_day(spec, y)
        return Result("DATE", day.isoformat() if day else None)
    if ctx.anchor is None:
        fixed = re.fullmatch(r"\d{2}-\d{2}", spec)
        return Result("DATE", f"XXXX-{spec}" if fixed else None, relative=True)
    a = ctx.anchor
    direction = ctx.lex.direction(g.get("dir"))
    if direction in ("last", "next"):  # "last Christmas": the latest one before the anchor
        days = [d for k in (-1, 0, 1) if (d := holiday_day(spec, a.year + k)) is not None]
        pick = [d for d in days if (d < a if direction == "last" else d > a)]
        day = (max(pick) if direction == "last" else min(pick)) if pick else None
    else:
        day = cal.resolve_yearly(a, lambda yy: holiday_day(spec, yy), ctx.tense)
    return Result("DATE", day.isoformat() if day else None, relative=True)


# ---- anaphors, nights, anniversaries ------------------------------------------------------------


def h_anaphor_day(g: dict[str, str | None], ctx: Context) -> Result | None:
    table: dict[str, int] = ctx.lex["anaphoric_days"]
    n = table.get(re.sub(r"\s+", " ", (g.get("ana") or "").lower()))
    if n is None:
        return None
    return _rel(ctx, lambda a: cal.shift(a, "D", n))


def h_anaphor_unit(g: dict[str, str | None], ctx: Context) -> Result | None:
    unit = ctx.lex.unit(g.get("unit") or "")
    if unit not in ("D", "W", "M", "Q", "Y"):
        return None
    word = (g.get("unit") or "").lower()
    if word in ctx.lex["plural_units"]:
        return None
    return _rel(ctx, lambda a: cal.shift(a, unit, 0))


def h_night_to(g: dict[str, str | None], ctx: Context) -> Result | None:
    wd = ctx.lex.weekday(g.get("wd") or "")
    if wd is None:
        return None
    return _rel(ctx, lambda a: f"{cal.resolve_weekday(a, wd, ctx.tense) - timedelta(days=1)}TNI", "TIME")


def h_ago_today(g: dict[str, str | None], ctx: Context) -> Result | None:
    """'heute vor 30 Jahren': the anchor's day, that many years (months) back."""
    unit = ctx.lex.unit(g.get("unit") or "")
    n = ctx.lex.number(g.get("num") or "")
    if unit not in ("Y", "M") or n is None or not float(n).is_integer():
        return None
    k = int(n) * (12 if unit == "Y" else 1)

    def fn(a: date) -> str | None:
        y, m = cal.add_months(a.year, a.month, -k)
        day = cal.valid_day(y, m, a.day) or cal.valid_day(y, m, a.day - 1)
        return day.isoformat() if day else None

    return _rel(ctx, fn)


def h_clock_part(g: dict[str, str | None], ctx: Context) -> Result | None:
    """'4 in the morning', '8 Uhr abends', '11 at night': a clock time with its half of the day."""
    parts: dict[str, str] = ctx.lex["clock_parts"]
    half = parts.get(re.sub(r"\s+", " ", (g.get("pp") or "").lower()))
    hh, mm = int(g.get("hh") or 0), int(g.get("mi") or 0)
    if half is None or hh > 12 or mm > 59:
        return None
    if (half == "pm" and hh < 12) or (half == "night" and 6 <= hh < 12):
        hh += 12
    return _rel(ctx, lambda a: f"{a.isoformat()}T{hh:02d}:{mm:02d}", "TIME")


def h_week_of(g: dict[str, str | None], ctx: Context) -> Result | None:
    """'the week of March 6': the ISO week of that day."""
    from .normalise import h_day_month

    day = h_day_month(g, ctx)
    if day is None or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", day.value or ""):
        return Result("DATE", None, relative=bool(day and day.relative))
    return Result("DATE", cal.fmt_week(date.fromisoformat(day.value or "")), relative=day.relative)


# ---- durations --------------------------------------------------------------------------------


def h_clock_duration(g: dict[str, str | None], ctx: Context) -> Result | None:
    """'2:01:09 Stunden' -> PT2H1M9S; '1:30 hours' -> PT1H30M."""
    if ctx.lex.unit(g.get("unit") or "") != "H":
        return None
    h, mi, s = int(g["h"] or 0), int(g["mi"] or 0), int(g.get("s") or 0)
    if mi > 59 or s > 59:
        return None
    parts = [f"{h}H" if h else "", f"{mi}M" if mi else "", f"{s}S" if s else ""]
    return Result("DURATION", "PT" + ("".join(parts) or "0S"))


def h_unit_long(g: dict[str, str | None], ctx: Context) -> Result | None:
    unit = ctx.lex.unit(g.get("unit") or "")
    if unit is None or unit in ("WE", "Q"):
        return None
    if g.get("num"):
        n = ctx.lex.number(g["num"] or "")
    else:
        n = None if (g.get("unit") or "").lower() in ctx.lex["plural_units"] else 1.0
    return Result("DURATION", cal.duration(n, unit))


def h_vague_duration(g: dict[str, str | None], ctx: Context) -> Result | None:
    table: dict[str, str] = ctx.lex["vague_durations"]
    v = table.get(re.sub(r"\s+", " ", (g.get("vd") or "").lower()))
    return Result("DURATION", v) if v else None


# ---- years in words ---------------------------------------------------------------------------


def spelled_year_pattern(lex: Lexicon) -> tuple[str, str]:
    """Patterns for a year in words: any form, and the "nineteen ninety-six" form alone."""
    nums: dict[str, int] = lex["numbers"]
    ones = alternation([w for w, v in nums.items() if 1 <= v <= 9 and " " not in w and w not in ("a", "an")])
    teens = alternation([w for w, v in nums.items() if 10 <= v <= 19])
    tens = alternation([w for w, v in nums.items() if v in (20, 30, 40, 50, 60, 70, 80, 90)])
    century = alternation([w for w, v in nums.items() if v in (17, 18, 19, 20)])
    two_digits = rf"(?:{tens}(?:[-\s]+{ones})?|{teens}|oh[-\s]+{ones}|hundred)"
    by_century = rf"{century}[-\s]+{two_digits}"
    return rf"(?:{by_century}|two\s+thousand(?:\s+(?:and\s+)?(?:{teens}|{ones}))?)", by_century


def spelled_year(text: str, lex: Lexicon) -> int | None:
    """The year a spelled-out phrase names: "nineteen ninety-six" 1996, "two thousand one" 2001."""
    words = [w for w in re.split(r"[-\s]+", text.lower()) if w and w != "and"]
    nums: dict[str, int] = lex["numbers"]
    if words[:2] == ["two", "thousand"]:
        rest = sum(nums.get(w, 0) for w in words[2:])
        return 2000 + rest if rest < 100 else None
    if not words or words[0] not in nums:
        return None
    head = nums[words[0]]
    tail = words[1:]
    if tail == ["hundred"]:
        return head * 100
    if tail[:1] == ["oh"]:
        tail = tail[1:]
    low = sum(nums.get(w, 0) for w in tail)
    return head * 100 + low if 0 < low < 100 else None


def h_spelled_year(g: dict[str, str | None], ctx: Context) -> Result | None:
    y = spelled_year(g.get("sy") or g.get("sy2") or "", ctx.lex)
    if y is None or not 1200 <= y <= 2199:
        return None
    if g.get("mon"):
        m = ctx.lex.month(g["mon"] or "")
        return Result("DATE", cal.fmt_month(y, m)) if m else None
    if g.get("season"):
        s = ctx.lex["seasons"].get((g["season"] or "").lower())
        return Result("DATE", f"{y:04d}-{s}") if s else None
    return Result("DATE", f"{y:04d}")
