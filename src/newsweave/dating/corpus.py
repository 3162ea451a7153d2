"""Dating a corpus of undated articles together: articles that report the same happenings narrow
each other's dates.

    results = infer_corpus([CorpusDoc("a1", text1), CorpusDoc("a2", text2, "de"), ...])
    results["a1"]  # DateInfo(value, earliest, latest, evidence, ...)

A single article often says only "Tuesday's quake" or "on Monday"; the corpus knows which
Tuesday: other articles name the day of the quake. Method, per corpus (order of the documents
does not matter):
1. each article is dated on its own (``infer_published``) and its time expressions are tagged
   without an anchor;
2. the corpus's time frame: the shortest stretch of days holding most confidently dated articles,
   widened a little;
3. happening keys (``similar.happening_keys``): words whose dated sentences across the corpus
   name one day ("earthquake" -> 2010-01-12);
4. each article's best day is the day of the frame (within its own range) that scores best on:
   its similar articles' dates (TF-IDF neighbours, a kernel around each), the latest day it
   reports as past (day-exact or "January 12" read in the frame's year), its past-tense
   weekdays ("on Monday" => published 0-6 days after a Monday, most often the day after), and
   relative expressions linked through a happening key ("Tuesday's quake" -> the quake's
   Tuesday; "yesterday's funeral" -> the day after the funeral; "today"/"tonight" -> that day;
   "last week's quake", "the quake four days ago", "last Tuesday" -> the days of writing whose
   reading of the expression holds the quake's day, as the tagger reads it: ``offsets.py``),
   but "today"/"yesterday" are not tied to the happening that most of the corpus names, and
   naming that happening's day bounds an article's day from below without drawing it near,
   its weekday ("Tuesday's quake") draws it to any day of the week after it alike;
   an article with a day of its own keeps it unless such evidence is specific to it
   (``OWN_MOVE_NEAR``; an estimate of about a month, "two years after the launch", is moved by
   the neighbours within its range), and one whose own day lies outside the frame is scored
   within its own range;
5. rounds until no article moves (at most MAX_ROUNDS), so articles dated in one round help
   their neighbours in the next (a day found through a link reaches the articles around it).

Articles with a date from metadata, HTML, a byline or a dateline keep it (and inform the others).
The evidence names what decided the day. Ingest runs this over each window of documents it
stores (``engines.local.Committer`` -> ``stages.time.redate_corpus``, which also re-tags the
articles whose day moved); ``newsweave eval dating`` over each Timeline17 topic.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np

from ..model import DateInfo, TimeExpression
from ..timex import tag
from ..timex.calendar import valid_day
from ..timex.tagger import rules_for, sentence_spans, supported, tense_at
from .constraints import _tense_near, comment_stamp
from .infer import infer_published
from .offsets import Offsets, denotation, holds
from .similar import DatedSentence, Vocabulary, happening_keys, words

# days after a past-tense weekday that an article is published: same day, the day after (most
# common in daily news), then fading over the week
WEEKDAY_LAG = (0.7, 1.0, 0.65, 0.45, 0.3, 0.2, 0.15)
LINK_LAG = WEEKDAY_LAG  # days after a weekday-named happening ("Tuesday's quake") an article is published
COMMON_LAG = sum(LINK_LAG) / len(LINK_LAG)  # the same, spread over the week, for the corpus's happening
KERNEL_DAYS = 3.5  # spread of a similar article's date
# The weights below were fitted by coordinate search on the training part of Timeline17 (every
# article but each 5th, the dev split); the dev split is the check (within ±1 day: training
# 46.3% -> 47.8%, dev 46.7% -> 50.3%). Day lags measured on that part (most articles appear the
# same day as the weekday they name) scored worse than these smoother ones.
NEAR_W = 2.0  # weight of the similar articles' dates
LATEST_W, LATEST_DECAY = 2.5, 6.0  # from the latest day reported on, fading over days
REL_W = 0.8  # a past-tense weekday
LINK_W = 1.5  # a weekday tied to a happening the corpus dates
DAY_LINK_W = 2.0  # "yesterday's funeral", "tonight's vote" tied to a dated happening
MAX_ROUNDS = 4  # rounds of dating by the neighbours' dates, until no article moves (each costs
# as much as the first; on Timeline17, rounds 5 and 6 move few articles, within ±1 day alike)
COMMON_SHARE, COMMON_MIN = 0.2, 5  # a day this many articles name is the corpus's happening
COMMON_SKIP = ("today", "yesterday")  # links not made to that happening (see _common_days)
OFFSET_W = 2.0  # "last week's earthquake", "the quake four days ago" tied to a dated happening
TRUSTED = 0.5  # only articles dated this confidently inform their neighbours
BASE_RATE = 0.25  # weight of the corpus's own date distribution (where its dated articles cluster)
FRAME_MARGIN = 14  # days added on both sides of the corpus's dated core
CORE_SHARE = 0.8  # the dated core: the shortest stretch of days holding this share of the dated articles
TAIL_DAYS = 60  # dated articles this close to the core belong to it
MAX_WINDOW = 4000  # days scored per article at most
SPECIFIC = 0.35  # a happening word names its day in at least this share of the articles dating it

LINK_REACH = 10  # days: a linked happening must lie this close to the similar articles' dates
# An article that has an estimate of its own moves only on evidence specific to it: a happening
# it links to, a later day it reports, or similar articles that together weigh this much (sum of
# similarity x their confidence). In a topic corpus a weak neighbour still says when the topic
# happened; in a mixed pile (one NATO story beside another) one faintly similar article would
# drag a 2021 report to its 2022 date, and a bare weekday only says which weekday. An estimate
# of about a month ("zweieinhalb Jahre nach seinem Start": a range of weeks around that) names
# no day: the neighbours within its range tell the day, however weak (measured: no change on
# Timeline17; a year-wide estimate keeps the guard, or a faint neighbour drags it by years).
OWN_MOVE_NEAR = 0.3
VEC_SAME = 0.8  # embedding cosine of a translation or copy (see _neighbours)

Keys = dict[str, tuple[date, float]]
GIVEN = ("metadata", "html", "byline")  # dates the corpus keeps as they are


@dataclass
class CorpusDoc:
    """One article of the corpus. ``info``/``times`` are computed when not given (``times``
    must be tagged without an anchor). ``vector``: its cross-lingual embedding, when it has one
    (ingest embeds before it dates the window), which finds its translations and copies in
    other languages, where words cannot."""

    key: str
    text: str
    lang: str = "en"
    info: DateInfo | None = None
    times: list[TimeExpression] | None = None
    vector: Any = None


@dataclass
class _Rel:
    kind: str  # weekday | yesterday | today | offset
    weekday: int | None
    tense: str | None
    words: frozenset[str]
    text: str
    sentence: str = ""  # offset: the sentence and where the expression starts in it
    start: int = 0
    lang: str = "en"
    _offsets: Offsets | None = None
    _read: bool = False  # _offsets worked out

    def offsets(self) -> Offsets | None:
        """What an offset expression names relative to the day of writing (``offsets.py``),
        worked out when a happening it may refer to is found (it costs eight taggings)."""
        if not self._read:
            self._offsets, self._read = denotation(self.sentence, self.start, self.lang), True
        return self._offsets


@dataclass
class _Doc:
    src: CorpusDoc
    info: DateInfo
    lo: date
    hi: date
    past_days: list[date] = field(default_factory=list)
    future_days: list[date] = field(default_factory=list)
    yearless: list[tuple[int, int, int | None, bool]] = field(default_factory=list)  # m, d, weekday, past
    rels: list[_Rel] = field(default_factory=list)
    shifts: list[_Rel] = field(default_factory=list)  # "last week", "four days ago", "last Tuesday"
    words: frozenset[str] = frozenset()
    times: list[TimeExpression] = field(default_factory=list)
    fixed: bool = False  # dateline/byline: keep as is
    estimate: date | None = None
    strength: float = 0.0


def infer_corpus(docs: Sequence[CorpusDoc]) -> dict[str, DateInfo]:
    """Publication dates for every document of the corpus, keyed by ``CorpusDoc.key``."""
    return _settle([_prepare(d) for d in docs])


def _settle(ds: list[_Doc]) -> dict[str, DateInfo]:
    """Steps 2-5 of the method over prepared documents."""
    if not ds:
        return {}
    vocab = Vocabulary.build([d.src.text for d in ds])
    frame = _frame(ds)
    if frame is None:
        return {d.src.key: d.info for d in ds}
    dated = [
        DatedSentence(i, day, ws)
        for i, d in enumerate(ds)
        for day, ws in _dated_sentences(d, frame)
        if frame[0] <= day <= frame[1]
    ]
    keys = happening_keys(vocab, dated)
    common = _common_days(dated)
    neigh = _neighbours(vocab, ds)
    for d in ds:
        if d.fixed and d.info.granularity == "day" and (day := _day_of(d.info.value)):
            d.estimate, d.strength = day, 1.0
        elif d.info.granularity == "day" and d.info.confidence >= 0.6 and (day := _day_of(d.info.value)):
            d.estimate, d.strength = day, d.info.confidence
    out: dict[str, DateInfo] = {}
    for _round in range(MAX_ROUNDS):
        new: list[tuple[date | None, float, list[str], date]] = []
        density = _density(ds)
        for i, d in enumerate(ds):
            new.append(_best_day(d, ds, neigh[i], keys, frame, density, common))
        moved = False
        for d, (day, strength, _why, _lo) in zip(ds, new, strict=True):
            if not d.fixed and day is not None:
                moved |= (d.estimate, d.strength) != (day, strength)
                d.estimate, d.strength = day, strength
        for d, (day, strength, why, lo) in zip(ds, new, strict=True):
            out[d.src.key] = _result(d, day, strength, why, lo)
        if not moved:
            break
    return out


def _neighbours(vocab: Vocabulary, ds: list[_Doc], k: int = 8) -> list[list[tuple[int, float]]]:
    """Each article's ``k`` most similar ones: TF-IDF neighbours, and articles whose embedding is
    as close as a translation's or a copy's (cosine >= VEC_SAME, weighted by that cosine). Below
    that, embeddings say "same story", not "same happening": seed reports of one story written
    years apart are 0.75 apart, their translations 0.82."""
    out = [dict(vocab.neighbours(i, k)) for i in range(len(ds))]
    have = [i for i, d in enumerate(ds) if d.src.vector is not None]
    if len(have) > 1:
        m = np.stack([np.asarray(ds[i].src.vector, dtype=np.float32) for i in have])
        m /= np.maximum(np.linalg.norm(m, axis=1, keepdims=True), 1e-9)
        for a in range(0, len(have), 256):
            sims = m[a : a + 256] @ m.T
            for r, row in enumerate(sims):
                i = have[a + r]
                for c in np.flatnonzero(row >= VEC_SAME):
                    j = have[int(c)]
                    if j != i:
                        out[i][j] = max(out[i].get(j, 0.0), float(row[c]))
    return [sorted(o.items(), key=lambda kv: -kv[1])[:k] for o in out]


def _prepare(doc: CorpusDoc) -> _Doc:
    lang = supported(doc.lang)
    times = doc.times if doc.times is not None else tag(doc.text, lang)
    info = doc.info or infer_published(doc.text, lang, times=times)
    lo = date.fromisoformat(info.earliest) if info.earliest else date.min
    hi = date.fromisoformat(info.latest) if info.latest else date.max
    d = _Doc(doc, info, lo, hi, words=frozenset(words(doc.text)), times=times)
    d.fixed = info.source in GIVEN or any("dateline or byline" in e for e in info.evidence)
    lex = rules_for(lang).lex
    lg = rules_for(lang)
    spans = sentence_spans(doc.text)
    for t in times:
        if t.type not in ("DATE", "TIME"):
            continue
        v = t.value or ""
        if t.anchor is None and re.match(r"\d{4}-\d{2}-\d{2}", v):
            day = date.fromisoformat(v[:10])
            if _tense_near(doc.text, t.start, t.end) == "future" or comment_stamp(doc.text, t.start, t.end):
                d.future_days.append(day)  # written before it: announced, or a reader's comment
            else:
                d.past_days.append(day)
            continue
        s0, s1 = next(((a, b) for a, b in spans if a <= t.start < b), (t.start, t.end))
        sent = doc.text[s0:s1]
        tense = tense_at(lg, sent, t.start - s0)
        toks = re.findall(r"\w+", t.text.lower())
        wd = next((w for w in (lex.weekday(x) for x in toks if len(x) > 3) if w), None)
        m = re.fullmatch(r"XXXX-(\d{2})-(\d{2})", v)
        if m:
            ahead = _tense_near(doc.text, t.start, t.end) == "future"
            d.yearless.append((int(m.group(1)), int(m.group(2)), wd, not ahead))
            continue
        ws = frozenset(words(sent))
        rel = lex["relative_days"].get(" ".join(toks[:1])) if toks else None
        if rel == -1 or " ".join(toks) in ("last night",):
            d.rels.append(_Rel("yesterday", None, tense, ws, t.text))
        elif rel == 0 or (len(toks) == 2 and toks[0] in ("this", "heute") and toks[1] in lex["day_parts"]):
            d.rels.append(_Rel("today", None, tense, ws, t.text))
        elif wd is not None and tense != "future" and (len(toks) == 1 or lex.direction(toks[0]) is None):
            d.rels.append(_Rel("weekday", wd, tense, ws, t.text))
        elif t.type == "DATE" and not v and tense != "future":
            d.shifts.append(_Rel("offset", wd, tense, ws, t.text, sent, t.start - s0, lang))
    return d


def _dated_sentences(d: _Doc, frame: tuple[date, date]) -> list[tuple[date, frozenset[str]]]:
    """The days the article names (full dates, and "12 January" when the frame allows one
    year only), each with the content words of its sentence."""
    text = d.src.text
    out = []
    for t in d.times:
        v = t.value or ""
        day = None
        if t.anchor is None and re.match(r"\d{4}-\d{2}-\d{2}", v):
            day = date.fromisoformat(v[:10])
        elif m := re.fullmatch(r"XXXX-(\d{2})-(\d{2})", v):
            days = [
                x for y in range(frame[0].year, frame[1].year + 1)
                if (x := valid_day(y, int(m.group(1)), int(m.group(2)))) and frame[0] <= x <= frame[1]
            ]
            day = days[0] if len(days) == 1 else None
        if day is None:
            continue
        s0 = max(text.rfind(". ", 0, t.start), 0)
        s1 = text.find(". ", t.end)
        out.append((day, frozenset(words(text[s0 : s1 if s1 > 0 else len(text)]))))
    return out


def _frame(ds: list[_Doc]) -> tuple[date, date] | None:
    """The corpus's time frame: the dated core of its articles, widened by FRAME_MARGIN."""
    days = sorted(
        day for d in ds if d.info.granularity == "day" and d.info.confidence >= 0.6 and (day := _day_of(d.info.value))
    )
    if len(days) < 3:
        days = sorted(x for d in ds for x in d.past_days)
    if not days:
        return None
    # the shortest stretch holding most of the dated articles (a few dated to a birthday in 1958
    # or to a false anchor must not stretch a 2009-2011 story over fifty years), grown by the
    # dated articles close to its ends
    k = max(1, math.ceil(CORE_SHARE * len(days)))
    i = min(range(len(days) - k + 1), key=lambda j: (days[j + k - 1] - days[j], j))
    lo, hi = days[i], days[i + k - 1]
    for x in reversed(days[:i]):
        if (lo - x).days > TAIL_DAYS:
            break
        lo = x
    for x in days[i + k :]:
        if (x - hi).days > TAIL_DAYS:
            break
        hi = x
    return lo - timedelta(days=FRAME_MARGIN), hi + timedelta(days=FRAME_MARGIN)


def _resolve_yearless(d: _Doc, lo: date, hi: date, centre: date) -> list[date]:
    out = []
    for m, dd, wd, past in d.yearless:
        cands = [x for y in range(lo.year, hi.year + 1) if (x := valid_day(y, m, dd)) and lo <= x <= hi]
        if wd is not None and any(c.isoweekday() == wd for c in cands):
            cands = [c for c in cands if c.isoweekday() == wd]
        if cands and past:
            out.append(min(cands, key=lambda c: abs((c - centre).days)))
    return out


def _best_day(
    d: _Doc,
    ds: list[_Doc],
    neigh: list[tuple[int, float]],
    keys: Keys,
    frame: tuple[date, date],
    density: dict[date, float],
    common: frozenset[date] = frozenset(),
) -> tuple[date | None, float, list[str], date]:
    if d.fixed:
        return d.estimate, 1.0, [], d.lo
    lo, hi = max(d.lo, frame[0]), min(d.hi, frame[1])
    own_day = _day_of(d.info.value) if d.info.granularity in ("day", "month") else None
    if own_day is not None and not frame[0] <= own_day <= frame[1] and d.lo != date.min and d.hi != date.max:
        lo, hi = d.lo, d.hi  # its own evidence puts it outside the corpus's dated core: its own range
    if lo > hi:
        return _day_of(d.info.value), d.info.confidence, [], d.lo
    why: list[str] = []
    near: list[tuple[date, float]] = []
    for j, sim in neigh:
        x = ds[j].estimate
        if x is not None and sim > 0.05 and ds[j].strength >= TRUSTED and lo <= x <= hi:
            near.append((x, sim * ds[j].strength))
    own = d.info.value is not None
    if own and d.info.granularity != "month" and sum(w for _x, w in near) < OWN_MOVE_NEAR:
        near = []  # an estimate of about a month is moved by the neighbours within its range
    centre = _weighted_median(near) if near else lo + (hi - lo) / 2
    past = [x for x in d.past_days if frame[0] <= x <= hi] + _resolve_yearless(d, lo, hi, centre)
    latest = max(past) if past else None
    links = [
        x for x in _links(d, keys)
        if (not near or abs((_written(*x) - centre).days) <= LINK_REACH)
        and not (x[0] in COMMON_SKIP and x[1] in common)
    ]
    if latest is not None and latest > lo and latest <= hi:
        lo = latest
    # the story starts with its earliest linked happening: weekdays before it are read wrongly
    start = max([lo] + [x for k, x, _r in links if k == "weekday"])
    if (hi - lo).days > MAX_WINDOW:  # around the evidence, not from the range's start
        mid = centre if near else (latest or lo)
        lo = max(lo, mid - timedelta(days=MAX_WINDOW // 2))
        hi = min(hi, lo + timedelta(days=MAX_WINDOW))
    if not (near or latest or links or (d.rels and not own)):  # nothing ties it to the corpus: no guess
        return None, 0.0, [], d.lo
    total_w = sum(w for _x, w in near) or 1.0
    best: tuple[float, date] | None = None
    for k in range((hi - lo).days + 1):
        day = lo + timedelta(days=k)
        s = 0.0
        for x, w in near:
            s += NEAR_W * w / total_w * math.exp(-(((day - x).days / KERNEL_DAYS) ** 2) / 2)
        s += BASE_RATE * density.get(day, 0.0)
        if latest is not None:
            s += 0.0 if latest in common else LATEST_W * math.exp(-(day - latest).days / LATEST_DECAY)
        for f in d.future_days:
            s -= 2.0 if day > f else 0.0
        for r in d.rels:
            if r.kind == "weekday" and r.weekday is not None:
                lag = (day.isoweekday() - r.weekday) % 7
                s += REL_W * WEEKDAY_LAG[lag] - (REL_W if day - timedelta(days=lag) < start else 0.0)
        for kind, x, link in links:
            gap = (day - x).days
            if kind == "weekday":
                s += LINK_W * (COMMON_LAG if x in common else LINK_LAG[gap]) if 0 <= gap <= 6 else -1.0
            elif kind == "yesterday":
                s += DAY_LINK_W if gap == 1 else 0.0
            elif kind == "today":
                s += DAY_LINK_W if gap == 0 else 0.0
            elif kind == "offset" and (offs := link.offsets()) is not None:
                s += OFFSET_W if holds(offs, day, x) else 0.0
        if best is None or s > best[0]:
            best = (s, day)
    if best is None:
        return None, 0.0, [], d.lo
    if near:
        why.append(f"{len(near)} similar articles of the corpus dated around {centre}")
    if latest is not None:
        why.append(f"the latest day it reports is {latest}"
                   + (" (the happening the corpus is about: a lower bound only)" if latest in common else ""))
    for kind, x, r in links[:3]:
        why.append(f"'{r.text}' ({kind}) refers to the happening of {x} that other articles of the corpus date")
    strength = min(0.75, 0.3 + (0.25 if links else 0.0) + (0.25 if latest else 0.0))
    return best[1], strength, why, d.lo


def _common_days(dated: list[DatedSentence]) -> frozenset[date]:
    """The days that a large share of the corpus's articles name (COMMON_SHARE of those that
    name a day, at least COMMON_MIN): the happening the corpus is about ("the earthquake of
    12 January"). "Today" or "yesterday" in a sentence that names it is not tied to it: the
    happening is the background of whatever the article reports ("Today we opened a field
    hospital for the earthquake's injured", written a week later); on Timeline17, most such
    links put the article days before its true date. Nor is an article that names it as the
    latest day it reports written within days of it: follow-ups name it for weeks (of the
    undated Timeline17 articles whose latest reported day is the day most of their topic
    names, none appeared within a day of it), so it bounds the article's day from below only.
    And "Tuesday's quake" puts an article in the week after it, on any of its days alike
    (COMMON_LAG): the whole corpus writes about it that week, not mostly the day after."""
    per_day: dict[date, set[int]] = {}
    for s in dated:
        per_day.setdefault(s.day, set()).add(s.doc)
    naming = len({s.doc for s in dated})
    need = max(COMMON_MIN, COMMON_SHARE * naming)
    return frozenset(day for day, docs in per_day.items() if len(docs) >= need)


def _density(ds: list[_Doc]) -> dict[date, float]:
    """The corpus's own date distribution (the dated articles, smoothed), scaled to max 1."""
    acc: dict[date, float] = {}
    for d in ds:
        if d.estimate is None or d.strength < TRUSTED:
            continue
        for k in range(-3, 4):
            day = d.estimate + timedelta(days=k)
            acc[day] = acc.get(day, 0.0) + d.strength * math.exp(-((k / KERNEL_DAYS) ** 2) / 2)
    top = max(acc.values(), default=1.0)
    return {k: v / top for k, v in acc.items()}


def _links(d: _Doc, keys: Keys) -> list[tuple[str, date, _Rel]]:
    """Relative expressions tied to a happening the corpus dates: a weekday to a happening on
    that weekday ("Tuesday's quake"); "yesterday"/"today" and the expressions that name a day
    or a week by its distance from the day of writing ("last week's quake", "the quake four
    days ago", "last Tuesday") only to a word that names one day in most of the articles that
    date it ("yesterday's funeral")."""
    out = []
    for r in d.rels + d.shifts:
        hits = [keys[w] for w in r.words if w in keys]
        cands = [x for x, spec in hits if spec >= SPECIFIC]
        if r.kind == "weekday" or (r.kind == "offset" and r.weekday is not None):
            cands = [x for x in cands if x.isoweekday() == r.weekday]
        if cands and r.kind == "offset" and r.offsets() is None:
            continue
        if cands:  # sorted first: a tie breaks the same way in every run
            out.append((r.kind, max(sorted(set(cands)), key=cands.count), r))
    return out


def _written(kind: str, x: date, r: _Rel) -> date:
    """About when an article that refers so to the happening of ``x`` was written."""
    offs = r.offsets() if kind == "offset" else None
    if offs is None:
        return x
    mid = sum(a + b for a, b in offs) / (2 * len(offs))
    return x - timedelta(days=round(mid))


def _day_of(value: str | None) -> date | None:
    """The day of a day-exact value ("2021-06-07"); None for a month, a year or nothing."""
    if not value or not re.match(r"\d{4}-\d{2}-\d{2}", value):
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _weighted_median(items: list[tuple[date, float]]) -> date:
    items = sorted(items)
    half = sum(w for _x, w in items) / 2
    acc = 0.0
    for x, w in items:
        acc += w
        if acc >= half:
            return x
    return items[-1][0]


def _result(d: _Doc, day: date | None, strength: float, why: list[str], lo: date) -> DateInfo:
    info = d.info
    if d.fixed or day is None:
        return info
    earliest = info.earliest
    if lo != date.min and (earliest is None or lo.isoformat() > earliest) and lo <= day:
        earliest = lo.isoformat()
    return DateInfo(
        value=day.isoformat(),
        earliest=earliest,
        latest=info.latest,
        source="inferred",
        evidence=[*info.evidence, f"corpus: best day {day}", *why],
        confidence=round(max(strength, min(info.confidence, 0.6)), 2),
        granularity="day",
    )


__all__ = ["CorpusDoc", "infer_corpus"]
