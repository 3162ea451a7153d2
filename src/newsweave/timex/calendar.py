"""Calendar arithmetic for normalising time expressions to TIMEX3 values.

Values follow TIMEX3: ``2022-06-02`` (day), ``2022-06`` (month), ``2022`` (year), ``2021-W51``
(ISO week), ``2022-Q3`` (quarter), ``2022-SU`` (season), ``199`` (decade), ``19`` (century),
``P4Y`` / ``PT5H`` (durations), ``PRESENT_REF`` / ``PAST_REF`` / ``FUTURE_REF`` (vague).

Relative expressions are resolved against an anchor date with a tense: ``past`` picks the most
recent matching date on or before the anchor, ``future`` the next one on or after it, and no
tense the one nearest to the anchor.
"""

from __future__ import annotations

import calendar as _cal
from collections.abc import Callable
from datetime import date, timedelta

# unit code -> TIMEX3 duration letter and whether it goes after "T"
DURATION_UNITS = {
    "S": ("S", True),
    "MIN": ("M", True),
    "H": ("H", True),
    "D": ("D", False),
    "W": ("W", False),
    "WE": ("WE", False),
    "FN": ("W", False),  # fortnight = 2 weeks, handled by the caller
    "M": ("M", False),
    "Q": ("Q", False),
    "Y": ("Y", False),
    "DE": ("DE", False),
    "CE": ("CE", False),
}


def valid_day(y: int, m: int, d: int) -> date | None:
    """The date, or None when it does not exist (32 May, month 13, year 20222)."""
    if not (1 <= y <= 9999 and 1 <= m <= 12):
        return None
    if not 1 <= d <= _cal.monthrange(y, m)[1]:
        return None
    return date(y, m, d)


def fmt_day(d: date) -> str:
    return d.isoformat()


def fmt_month(y: int, m: int) -> str:
    return f"{y:04d}-{m:02d}"


def fmt_week(d: date) -> str:
    iso = d.isocalendar()
    return f"{iso[0]:04d}-W{iso[1]:02d}"


def quarter_of(d: date) -> int:
    return (d.month - 1) // 3 + 1


def add_months(y: int, m: int, n: int) -> tuple[int, int]:
    total = y * 12 + (m - 1) + n
    return total // 12, total % 12 + 1


def shift(anchor: date, unit: str, n: int) -> str | None:
    """The value ``n`` units away from the anchor, at that unit's granularity."""
    try:
        if unit == "D":
            return fmt_day(anchor + timedelta(days=n))
        if unit in ("W", "WE"):
            v = fmt_week(anchor + timedelta(weeks=n))
            return v + "-WE" if unit == "WE" else v
        if unit == "FN":
            return fmt_week(anchor + timedelta(weeks=2 * n))
        if unit == "M":
            y, m = add_months(anchor.year, anchor.month, n)
            return fmt_month(y, m)
        if unit == "Q":
            y, q0 = divmod(anchor.year * 4 + quarter_of(anchor) - 1 + n, 4)
            return f"{y:04d}-Q{q0 + 1}"
        if unit == "Y":
            return f"{anchor.year + n:04d}"
        if unit == "DE":
            return f"{(anchor.year // 10 + n):03d}"
        if unit == "CE":
            return f"{(anchor.year // 100 + n):02d}"
        if unit in ("H", "MIN", "S"):
            return fmt_day(anchor)
    except (OverflowError, ValueError):
        return None
    return None


def duration(n: float | None, unit: str) -> str:
    """``P3Y``, ``PT5H``, ``PXM`` (unknown amount), ``P1.5Y``."""
    letter, timed = DURATION_UNITS.get(unit, ("D", False))
    if unit == "FN":
        n = None if n is None else n * 2
    if unit in ("DE", "CE"):  # TimeBank writes decades and centuries in years
        letter, n = "Y", None if n is None else n * (10 if unit == "DE" else 100)
    if n is None:
        amount = "X"
    elif float(n).is_integer():
        amount = str(int(n))
    elif unit in _SMALLER and float(n * _SMALLER[unit][1]).is_integer():  # "2 1/2 years" -> P2Y6M
        small, factor = _SMALLER[unit]
        whole, rest = int(n), round((n - int(n)) * factor)
        head = f"{whole}{letter}" if whole else ""
        tail = f"{rest}{DURATION_UNITS[small][0]}"
        if timed:
            return f"PT{head}{tail}"
        return f"P{head}T{tail}" if DURATION_UNITS[small][1] else f"P{head}{tail}"
    else:
        amount = f"{n:g}"
    return f"PT{amount}{letter}" if timed else f"P{amount}{letter}"


# a unit and the next smaller one with how many of it make one: fractions are written in it
_SMALLER = {"Y": ("M", 12), "M": ("D", 30), "W": ("D", 7), "D": ("H", 24), "H": ("MIN", 60), "MIN": ("S", 60)}


def resolve_weekday(anchor: date, weekday: int, tense: str | None, modifier: str | None = None) -> date:
    """The date of an ISO weekday (1=Monday) relative to the anchor.

    ``modifier`` 'last' = strictly before, 'next' = strictly after, 'this' or None follow the
    tense: past -> on or before the anchor, future -> on or after it, unknown -> nearest."""
    delta = weekday - anchor.isoweekday()
    back = delta if delta <= 0 else delta - 7
    fwd = delta if delta >= 0 else delta + 7
    if modifier == "last":
        return anchor + timedelta(days=back if back < 0 else -7)
    if modifier == "next":
        return anchor + timedelta(days=fwd if fwd > 0 else 7)
    if tense == "future":
        return anchor + timedelta(days=fwd)
    if tense == "past" or modifier == "this":
        if modifier == "this" and tense != "past" and fwd < -back:
            return anchor + timedelta(days=fwd)
        return anchor + timedelta(days=back)
    return anchor + timedelta(days=back)  # news reports mostly look back


def resolve_month(anchor: date, month: int, tense: str | None) -> tuple[int, int]:
    """(year, month) of a month named without a year: past -> on or before the anchor's month,
    future -> on or after it, no tense -> the nearest such month."""
    y = anchor.year
    if tense == "past" and month > anchor.month:
        y -= 1
    elif tense == "future" and month < anchor.month:
        y += 1
    elif tense is None and abs(month - anchor.month) > 6:
        y += 1 if month < anchor.month else -1
    return y, month


def resolve_month_day(anchor: date, month: int, day: int, tense: str | None) -> date | None:
    """The date of 'June 29' without a year: same year unless the tense says otherwise or
    another year is much nearer."""
    return resolve_yearly(anchor, lambda y: valid_day(y, month, day), tense)


def resolve_yearly(anchor: date, day_in: Callable[[int], date | None], tense: str | None) -> date | None:
    """Which year's occurrence of a yearly day (a month and day, a holiday) is meant: the
    anchor's year when it is near; else the one the tense points to; without a tense, the
    past one unless the day is soon ahead (news looks back)."""
    cands = [day_in(anchor.year + k) for k in (-1, 0, 1)]
    opts = [c for c in cands if c is not None]
    if not opts:
        return None
    same = cands[1]
    if same is not None and abs((same - anchor).days) <= 60:
        return same
    if tense == "past":
        past = [c for c in opts if c <= anchor + timedelta(days=1)]
        if past:
            return max(past)
    if tense == "future":
        fut = [c for c in opts if c >= anchor - timedelta(days=1)]
        if fut:
            return min(fut)
    if tense is None:
        ahead = [c for c in opts if c > anchor]
        if ahead and (min(ahead) - anchor).days <= FUTURE_REACH:
            return min(ahead)
        behind = [c for c in opts if c <= anchor]
        if behind:
            return max(behind)
    if same is not None and abs((same - anchor).days) <= 200:
        return same
    return min(opts, key=lambda c: abs((c - anchor).days))


FUTURE_REACH = 120  # days: a "June 29" without year or tense this far ahead is this year's


def resolve_quarter(anchor: date, q: int, tense: str | None) -> str:
    """'the third quarter' without a year: this year's, or last year's if it is still ahead and
    the report looks back."""
    y = anchor.year
    if q > quarter_of(anchor) and tense != "future":
        y -= 1
    return f"{y:04d}-Q{q}"


def latest_quarter(anchor: date) -> str:
    """The latest completed quarter (what financial news calls 'the quarter')."""
    y, q0 = divmod(anchor.year * 4 + quarter_of(anchor) - 2, 4)
    return f"{y:04d}-Q{q0 + 1}"
