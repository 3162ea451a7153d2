"""Infer when an undated article was published, and when the thing it reports happened.

    info = infer_published(text, "de")
    info.value, info.earliest, info.latest, info.evidence

Method: collect constraints from the text (``constraints.py``), combine them strongest first
(a constraint that contradicts the stronger ones already taken is set aside and reported as
such), then pick a best day:
- a full date at the top of the text (dateline or byline): that day (its constraint says
  "written within DATELINE_DAYS of it", so a date weeks later that the text reports as past is
  set aside), moved into the range when a later day the text reports is within those days;
- when the lede reports a known happening as news (``events.py``) and the text names no later
  day, a day within a week of it: for one of many days (a summit, a conference) the day the
  lede points at, its last day when it reports the outcome or close ("einigt sich", "final
  agreement"), its first when it reports the opening, else any of its days, chosen with the
  weekdays the lede names, which must fall within it ("am Mittwoch" of a conference that
  opened on a Thursday is not the Wednesday before it);
- when the text reports day-exact dates, the latest of them (news is written within days of
  what it reports), moved to the weekday the text names for "today" ("an diesem Donnerstag");
- otherwise, when the range is bounded on both sides and not wider than about four years, a
  day shortly after its start (the newest fact an article takes for granted is usually
  recent: at most 30 days or half the range), moved to a named weekday;
- otherwise no value: the range alone is reported, as wide as the evidence leaves it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, timedelta

from ..knowledge.offices import OfficeKB, load_offices
from ..model import DateInfo, TimeExpression
from ..timex import tag
from ..timex.calendar import resolve_weekday, valid_day
from ..timex.lexicon import load_lexicon
from ..timex.tagger import rules_for, supported, tense_at
from .anchors import Anchors, load_anchors
from .constraints import (
    MAX,
    MIN,
    Constraint,
    Interval,
    from_anniversaries,
    from_events,
    from_offices,
    from_organisations,
    from_times,
    intersect,
)
from .events import REPORT_DAYS, event_evidence, from_event_mentions, from_member_counts, lede_end

MAX_SPAN_FOR_VALUE = 1500  # days; a wider range gets no best value


def combine(constraints: list[Constraint]) -> tuple[list[Interval], list[Constraint], list[Constraint]]:
    """Intersect constraints strongest first; return (intervals, used, set aside)."""
    current: list[Interval] = [(MIN, MAX)]
    used, ignored = [], []
    for c in sorted(constraints, key=lambda c: -c.weight):
        nxt = intersect(current, c.intervals)
        if nxt:
            current = nxt
            used.append(c)
        else:
            ignored.append(c)
    return current, used, ignored


Cue = tuple[str, int, bool]  # kind, ISO weekday (0 for today/yesterday), in the lede


def _cues(text: str, lang: str, times: list[TimeExpression]) -> list[Cue]:
    """Weekday/day words relative to the article's day: ('this', weekday), ('past', weekday),
    ('today', 0), ('yesterday', 0), each with whether it stands in the lede."""
    lex = load_lexicon(supported(lang))
    lg = rules_for(lex.lang)
    lede = lede_end(text)
    out: list[Cue] = []
    for t in times:
        if t.type not in ("DATE", "TIME"):
            continue
        words = re.findall(r"\w+", t.text.lower())
        rel = lex["relative_days"].get(" ".join(words[:1])) if words else None
        if rel in (0, -1) and words[0] not in ("morgen",):
            out.append(("today" if rel == 0 else "yesterday", 0, t.start < lede))
            continue
        wds = [lex.weekday(w) for w in words if len(w) > 3]
        wd = next((w for w in wds if w), None)
        if wd is None:
            continue
        direction = lex.direction(words[0]) if len(words) > 1 else None
        s0 = text.rfind(".", 0, t.start) + 1
        tense = tense_at(lg, text[s0 : t.end + 100], t.start - s0)
        if direction == "this":
            out.append(("this", wd, t.start < lede))
        elif direction is None and tense != "future":
            out.append(("past", wd, t.start < lede))
    return out


def _score(
    d: date,
    latest_day: date | None,
    cues: list[Cue],
    free_end: date | None = None,
    span: Interval | None = None,
) -> float:
    """How well day ``d`` fits as the article's day: near the latest day reported (days up to
    ``free_end`` are as near: a happening of many days the lede reports without saying which
    part of it; a day before it costs half as much as a day after it), on the weekdays the
    text names. ``span``: the first and last day of the happening the lede reports; a past
    weekday in the lede must fall on or after its first day (a Wednesday before the conference
    opened is not the Wednesday the delegates agreed), and one within it names a day of it."""
    s = 0.0
    if latest_day is not None:
        s -= 0.15 * max(0, (latest_day - d).days) + 0.3 * max(0, (d - (free_end or latest_day)).days)
    for kind, wd, in_lede in cues:
        about = span if in_lede else None  # a weekday further down may tell of something else
        if kind == "this":
            s += 2.0 if d.isoweekday() == wd else 0.0
        elif kind == "today" and latest_day is not None:
            s += 1.0 if d == latest_day else 0.0
        elif kind == "yesterday" and latest_day is not None:
            s += 1.5 if d - timedelta(days=1) == latest_day else 0.0
        elif kind == "past":
            e = resolve_weekday(d, wd, "past")
            lag = 0.5 if d == e else 0.3 if (d - e).days == 1 else 0.0
            if about is not None and e < about[0]:
                s -= 1.0
            elif latest_day is not None and e == latest_day:
                s += 1.5
            elif about is not None and e <= about[1]:
                s += 1.0 + lag
            else:
                s += lag
    return s


def _report_day(c: Constraint, lo: date = MIN) -> tuple[date, date, Interval]:
    """For a happening the lede reports: the day it points at (its last day when the lede
    reports its close or outcome, else its first), the last day as near as that one (its last
    day when the lede does not say which part it reports), and its span; none before ``lo``."""
    span = c.event or (c.lo, c.lo)
    day = span[1] if c.phase == "end" else span[0]
    free_end = span[1] if c.phase is None else day
    return max(day, lo), max(free_end, lo), span


def _yearless(text: str, lang: str, times: list[TimeExpression], rng: list[Interval]) -> list[Constraint]:
    """Give 'June 2' (no year) the latest year that fits the range; a lower bound if it is past."""
    lo, hi = rng[0][0], rng[-1][1]
    if lo == MIN or hi == MAX or (hi - lo).days > 800:
        return []
    lg = rules_for(supported(lang))
    out = []
    for t in times:
        m = re.fullmatch(r"XXXX-(\d{2})-(\d{2})", t.value or "")
        if not m:
            continue
        s0 = text.rfind(".", 0, t.start) + 1
        if tense_at(lg, text[s0 : t.end + 100], t.start - s0) == "future":
            continue
        for y in range(hi.year, lo.year - 1, -1):
            d = valid_day(y, int(m.group(1)), int(m.group(2)))
            if d and lo <= d <= hi:
                out.append(
                    Constraint(
                        [(d, MAX)], 0.75, f"reports '{t.text}' (read as {d} within the range)", "explicit"
                    )
                )
                break
    return out


def infer_published(
    text: str,
    lang: str,
    times: list[TimeExpression] | None = None,
    sentences: Sequence[tuple[int, int]] | None = None,
    kb: OfficeKB | None = None,
    anchors: Anchors | None = None,
) -> DateInfo:
    """The publication date of an undated article, inferred from its text, with evidence."""
    kb = kb or load_offices()
    known = (
        list(event_evidence(text, supported(lang)))
        if anchors is None
        else from_event_mentions(text, supported(lang), anchors, times) + from_member_counts(text, lang, anchors)
    )
    anchors = anchors or load_anchors()
    lg = supported(lang)
    if times is None:
        times = tag(text, lg, anchor=None, sentences=sentences)
    cons = (
        from_times(text, lg, times)
        + from_offices(text, kb)
        + from_anniversaries(text, anchors)
        + from_events(text, lg, anchors, times)
        + from_organisations(text, anchors)
        + known
    )
    # no article is from the future: this only settles conflicts ("2050" in a text naming a
    # sitting office holder) and is not reported as a bound of its own
    cons.append(Constraint([(MIN, date.today())], 1.0, "not written after today", "today"))
    rng, used, ignored = combine(cons)
    extra = _yearless(text, lg, times, rng)
    if extra:
        rng, used, ignored = combine(cons + extra)
    used = [c for c in used if c.kind != "today"]
    lo, hi = rng[0][0], rng[-1][1]
    if hi >= date.today():
        hi = MAX
    day_bounds = [
        c.lo for c in used if c.kind in ("explicit", "dateline") and c.hi == MAX and c.weight >= 0.75
    ]
    datelines = [c.lo for c in used if c.kind == "dateline"]
    # a happening the lede reports as news: the article is from within days of it
    reports = [(_report_day(c, lo), c) for c in used if c.kind == "reported"]
    report = max(reports, key=lambda r: (r[0][0], r[0][1])) if reports else None
    if report is not None and day_bounds and max(day_bounds) > report[0][0]:
        report = None  # a later day the text names is the newer news
    offsets = [c for c in used if c.kind == "offset"]
    cues = _cues(text, lg, times)
    value: date | None = None
    granularity = "year"
    confidence = 0.0
    evidence = list(dict.fromkeys(c.reason for c in used))
    if datelines:
        # within the range: a later day the text reports, or a later stamp at its top, is newer
        value, granularity, confidence = min(max(datelines[0], lo), hi), "day", 0.8
        evidence.append(
            f"best day {value}: the date at the top of the text (dateline or byline)"
            + (f", moved into the range the evidence leaves ({datelines[0]} before it)" if value != datelines[0] else "")
        )
    elif report is not None:
        (day, free_end, span), c = report
        iv = next((iv for iv in rng if iv[0] <= day <= iv[1]), rng[-1])
        first, last = max(iv[0], span[0]), min(iv[1], free_end + timedelta(days=REPORT_DAYS))
        days = [first + timedelta(days=k) for k in range((last - first).days + 1)]
        if days:
            value = max(days, key=lambda d: (_score(d, day, cues, free_end, span), -d.toordinal()))
            granularity, confidence = "day", 0.7 if value == day else 0.6
            what = (
                "the day" if span[0] == span[1]
                else f"the {'last' if c.phase == 'end' else 'first'} days" if c.phase
                else "the days"
            )
            evidence.append(
                f"best day {value}: within days of {what} of what the lede reports ({span[0]}"
                + (f"…{span[1]})" if span[1] > span[0] else ")")
                + (", on the weekday the text names" if value != day else "")
            )
    elif day_bounds:
        latest = max(day_bounds)
        iv = next((iv for iv in rng if iv[0] <= latest <= iv[1]), rng[-1])
        days = [latest + timedelta(days=k) for k in range(8) if iv[0] <= latest + timedelta(days=k) <= iv[1]]
        if days:
            value = max(days, key=lambda d: (_score(d, latest, cues), -d.toordinal()))
            granularity, confidence = "day", 0.7 if value == latest else 0.6
            evidence.append(
                f"best day {value}: the latest day-exact date reported ({latest})"
                + (", moved to the weekday the text names" if value != latest else "")
            )
    elif offsets:
        c = min(offsets, key=lambda c: c.hi - c.lo)
        base = min(max(c.lo + (c.hi - c.lo) / 2, lo), hi)
        iv = next((iv for iv in rng if iv[0] <= base <= iv[1]), rng[-1])
        days = [base + timedelta(days=k) for k in range(-3, 4) if iv[0] <= base + timedelta(days=k) <= iv[1]]
        value = max(days, key=lambda d: (_score(d, None, cues), -abs((d - base).days))) if days else base
        granularity, confidence = "month", 0.45
        evidence.append(f"best day {value}: the time after a known event the text names ({c.reason})")
    elif lo != MIN and hi != MAX and (hi - lo).days <= MAX_SPAN_FOR_VALUE:
        iv = rng[-1]
        width = (iv[1] - iv[0]).days
        base = iv[0] + timedelta(days=min(30, width // 2))
        days = [base + timedelta(days=k) for k in range(-3, 4) if iv[0] <= base + timedelta(days=k) <= iv[1]]
        value = max(days, key=lambda d: (_score(d, None, cues), -abs((d - base).days))) if days else base
        granularity = "month" if width <= 62 else "year"
        confidence = 0.5 if width <= 62 else 0.3 if width <= 400 else 0.15
        evidence.append(
            f"best day {value}: shortly after the start of the range the evidence leaves ({iv[0]}…{iv[1]})"
        )
    for reason in dict.fromkeys(c.reason for c in ignored):
        evidence.append(f"set aside (contradicts stronger evidence): {reason}")
    if not used:
        evidence.append("no temporal evidence in the text: date unknown")
    return DateInfo(
        value=value.isoformat() if value else None,
        earliest=lo.isoformat() if lo != MIN else None,
        latest=hi.isoformat() if hi != MAX else None,
        source="inferred",
        evidence=evidence,
        confidence=round(confidence, 2),
        granularity=granularity,
    )


def infer_event_date(
    text: str, lang: str, times: list[TimeExpression], published: DateInfo
) -> DateInfo | None:
    """When the reported thing happened: the first day-exact date in the lede resolved against the
    publication date (e.g. 'am Montag' before it), else the latest reported day, else the
    publication date itself. ``times`` should be resolved against ``published.value``."""
    if not published.value:
        return None
    pub = date.fromisoformat(published.value[:10])
    days: list[tuple[int, date, TimeExpression]] = []
    for t in times:
        if t.type not in ("DATE", "TIME") or not t.value or not re.match(r"\d{4}-\d{2}-\d{2}", t.value):
            continue
        d = date.fromisoformat(t.value[:10])
        if d <= pub and (pub - d).days <= 31:
            days.append((t.start, d, t))
    if days:
        lede = [x for x in days if x[0] < max(400, len(text) // 4)]
        _start, d, t = min(lede) if lede else max(days, key=lambda x: x[1])
        how = "relative to the publication date" if t.anchor else "as written"
        return DateInfo(
            d.isoformat(),
            d.isoformat(),
            d.isoformat(),
            "inferred",
            [f"'{t.text}' ({how}) names the day of the reported event"],
            0.6,
            "day",
        )
    if published.source == "inferred":  # a known event the lede reports is the event of the article
        lo, hi = published.earliest or "0001-01-01", published.latest or "9999-12-31"
        reported = [
            day for c in event_evidence(text, supported(lang))
            if c.kind == "reported" and lo <= (day := _report_day(c)[0]).isoformat() <= hi
        ]
        if reported:
            d = max(reported)
            return DateInfo(
                d.isoformat(), d.isoformat(), d.isoformat(), "inferred",
                [f"the lede reports a known event of {d}"], 0.6, "day",
            )
    return DateInfo(
        published.value,
        published.earliest,
        published.latest,
        "inferred",
        ["no day of the event in the text: the publication date stands in"],
        round(published.confidence * 0.5, 2),
        published.granularity,
    )
