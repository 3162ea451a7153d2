"""The temporal tagger: find time expressions in a text, give each a TIMEX3 type and value.

    tag("Stoltenberg sagte am Montag ...", "de", anchor=date(2021, 6, 7))
    -> [TimeExpression(start=18, end=24, text="Montag", type="DATE", value="2021-06-07", ...)]

How it works: every rule of the language (``rules.py``) is run over the text; each match is
normalised against the anchor with the tense of its sentence (past-tense "am Montag" is the
Monday before the anchor); overlapping matches are settled longest-first; position words
("Anfang", "late", "mid-") are attached as TIMEX3 ``mod``. Without an anchor, relative
expressions keep ``value=None`` (or ``XXXX-07`` for a month without year): nothing is guessed.
"""

from __future__ import annotations

import itertools
import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from ..model import TimeExpression
from .context import sentence_spans, tense_at
from .lexicon import Lexicon, alternation, languages, load_lexicon
from .reference import resolve_in_context
from .rules import Context, Result, Rule, build_rules


@dataclass
class _Cand:
    start: int
    end: int
    order: int
    result: Result
    rule: Rule
    sentence: int
    ctx: Context  # the context it was read in (its tense is worked out when first asked)
    groups: dict[str, str | None]
    attached: bool = False  # a clock time given its day by the expression before it

    @property
    def tense(self) -> str | None:
        return self.ctx.tense


@dataclass(frozen=True, eq=False)
class _Lang:
    lex: Lexicon
    rules: list[Rule]
    position: re.Pattern[str]
    strip: tuple[str, ...]
    triggers: dict[str, tuple[str, ...]]  # lowercase word -> the word classes it triggers
    classes: tuple[str, ...]


@lru_cache(maxsize=8)
def rules_for(lang: str) -> _Lang:
    lex = load_lexicon(lang)
    pos = alternation(lex["position_mods"])
    return _Lang(
        lex=lex,
        rules=build_rules(lex),
        position=re.compile(r"(?<![\w-])(" + pos + r")[-\s]*$", re.IGNORECASE),
        strip=tuple(lex["strip_prefixes"] or ()),
        triggers=_trigger_words(lex),
        classes=tuple({r.trigger for r in build_rules(lex) if r.trigger}),
    )


# words too common to trigger a rule when the phrase has a rarer one ("the day before": "day")
_COMMON = frozenset(["the", "a", "an", "of", "that", "this", "from", "before", "after", "same", "next", "following", "am", "an", "der", "die", "das", "den", "dem", "des", "zu", "im", "in", "tag"])


def _trigger_words(lex: Lexicon) -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for cls in {r.trigger for r in build_rules(lex) if r.trigger and r.trigger != "digits"}:
        for w in lex[cls]:
            tokens = re.split(r"[\s.'’-]", w.lower())
            first = max([t for t in tokens if t not in _COMMON] or tokens, key=len)  # the most telling word
            words = [first]
            if cls == "weekdays":  # "Mondays", "Donnerstagabend"
                words += [first + "s"] + [first + p for p in lex["day_parts"]]
            for word in words:
                if cls not in out.setdefault(word, []):
                    out[word].append(cls)
    return {w: tuple(c) for w, c in out.items()}


def tag(
    text: str,
    lang: str,
    anchor: date | None = None,
    sentences: Sequence[tuple[int, int]] | None = None,
    *,
    narrative: bool = False,
) -> list[TimeExpression]:
    """Time expressions of ``text`` in ``lang`` ("en", "de", ...), resolved against ``anchor``.

    With ``narrative=True`` (histories, encyclopaedic text) relative expressions are resolved
    against the latest full date mentioned before them, falling back to ``anchor``."""
    lg = rules_for(supported(lang))
    spans = list(sentences) if sentences else sentence_spans(text, lang)
    starts = [s for s, _ in spans]
    found, quarterly, named = _scan(lg, text)
    taken: list[_Cand] = []
    for start, end, order, rule, m in found:
        i = bisect_right(taken, start, key=lambda c: c.start)
        if (i and taken[i - 1].end > start) or (i < len(taken) and taken[i].start < end):
            continue
        si = max(0, bisect_right(starts, m.start()) - 1)
        s0, s1 = spans[si] if spans else (0, len(text))
        q = named[bisect_right(named, (m.start(), 9)) - 1][1] if named and named[0][0] < m.start() else None
        c = _cand(lg, rule, order, m, text[s0 : max(s1, m.end())], s0, anchor, si, quarterly, q)
        if c is not None:
            taken.insert(i, c)
    chosen = _attach_clock(taken, text)
    resolve_in_context(lg.lex, chosen, text, spans, anchor, _rerun)
    if narrative:
        chosen = _renarrate(lg, chosen, text, spans, anchor)
    out = []
    for c in chosen:
        start, mod = _attach_position(lg, text, c.start, c.result.mod)
        start = _strip_prefix(lg, text, start, c.end)
        out.append(
            TimeExpression(
                start=start,
                end=c.end,
                text=text[start : c.end],
                type=c.result.type,
                value=c.result.value,
                anchor=c.result.anchor,
                mod=mod,
            )
        )
    return out


_Found = tuple[int, int, int, Rule, re.Match[str]]  # start, end, rule order, rule, match


@lru_cache(maxsize=32)
def _scan(lg: _Lang, text: str) -> tuple[tuple[_Found, ...], bool, tuple[tuple[int, int], ...]]:
    """Every rule's matches in ``text``, in the order they are settled in, and whether (and
    which) quarters it names: what does not depend on the anchor. Cached, because dating an
    undated article tags it twice (without an anchor, then against the inferred day) and
    ``dating.events`` tags one sentence against many anchors."""
    windows = _windows(lg, text)
    low = text.lower()
    quarterly = ("quarter" in low or "quartal" in low) and len(_QUARTER.findall(text)) >= 2
    named = _named_quarters(lg, text) if quarterly else []
    found = []
    for order, rule in enumerate(lg.rules):
        for m in _matches(rule, text, windows):
            if m.end() > m.start():
                found.append((_start(lg, m), m.end(), order, rule, m))
    # longest first, then the earlier rule; a match overlapping a chosen one is dropped, and
    # its handler never runs (a handler that rejects its match does not block the others)
    found.sort(key=lambda f: (f[0] - f[1], f[2], f[0]))
    return tuple(found), quarterly, tuple(named)


_WORD = re.compile(r"[^\W_]+")


@lru_cache(maxsize=8)
def _quarter_rx(lg: _Lang) -> re.Pattern[str]:
    return re.compile(
        r"(?<![\w-])(" + alternation(lg.lex["ordinals"]) + r")[-\s]+(?:fiscal\s+)?(?:quarter|quartal)", re.IGNORECASE
    )


def _named_quarters(lg: _Lang, text: str) -> list[tuple[int, int]]:
    """(offset, quarter number) of each "third quarter" the text names, in order."""
    ords: dict[str, int] = lg.lex["ordinals"]
    out = []
    for m in _quarter_rx(lg).finditer(text):
        q = ords.get(m.group(1).lower())
        if q and 1 <= q <= 4:
            out.append((m.start(), q))
    return out
_QUARTER = re.compile(r"\bquarter(?:ly)?\b|\bQuartal", re.IGNORECASE)


# how far (characters before, after) a rule's match can reach from the word that triggers it:
# a year or a clock time carries a few words around it, a unit word a phrase before it ("the
# past more than twenty-five years"). Measured on the eval sets, Timeline17 and the sample
# corpus: at most (16, 15) for digits, (12, 22) for months, (23, 24) for any class; the reach
# is about twice that. Windows are scanned instead of the text.
REACH = {"digits": (30, 35), "months": (40, 40), "weekdays": (35, 30)}
DEFAULT_REACH = (50, 40)


def _windows(lg: _Lang, text: str) -> dict[str, list[tuple[int, int]]]:
    """Per word class, merged stretches of text around the words of that class ("digits": any
    run of digits). Words are looked up one by one: a regex alternation of all trigger words
    (or one search per trigger word present) is several times slower in Python."""
    out: dict[str, list[tuple[int, int]]] = {cls: [] for cls in lg.classes}
    trig = lg.triggers
    n = len(text)

    def add(cls: str, start: int, end: int) -> None:
        spans = out[cls]
        before, after = REACH.get(cls, DEFAULT_REACH)
        a, b = max(0, start - before), min(n, end + after)
        if spans and a <= spans[-1][1]:
            spans[-1] = (spans[-1][0], b)
        else:
            spans.append((a, b))

    for m in _LETTERS.finditer(text.lower()):
        for cls in trig.get(m.group(), ()):
            add(cls, m.start(), m.end())
    if "digits" in out:
        for m in _DIGITS.finditer(text):
            add("digits", m.start(), m.end())
    return out


_LETTERS = re.compile(r"[^\W\d_]+")
_DIGITS = re.compile(r"\d+")


def _matches(rule: Rule, text: str, windows: dict[str, list[tuple[int, int]]]) -> list[re.Match[str]]:
    if rule.trigger is None or rule.trigger not in windows:
        return list(rule.regex.finditer(text))
    seen: dict[tuple[int, int], re.Match[str]] = {}
    for a, b in windows[rule.trigger]:
        for m in rule.regex.finditer(text, a, b):
            seen.setdefault((m.start(), m.end()), m)
    return list(seen.values())


def supported(lang: str) -> str:
    """The lexicon to tag ``lang`` with: its own, a close one (Swiss German, Luxembourgish: German),
    else English (whose language-neutral rules still find ISO dates and years)."""
    lang = (lang or "").split("-")[0].lower()
    if lang in languages():
        return lang
    return "de" if lang in ("gsw", "lb") else "en"


def _cand(
    lg: _Lang,
    rule: Rule,
    order: int,
    m: re.Match[str],
    sent: str,
    s0: int,
    anchor: date | None,
    si: int,
    quarterly: bool = False,
    quarter: int | None = None,
) -> _Cand | None:
    groups = m.groupdict()
    start = _start(lg, m)
    if rule.name == "duration" and _is_rate(lg.lex, groups, sent[: m.start() - s0]):
        return None
    possessive = rule.name == "weekday" and sent[m.end() - s0 : m.end() - s0 + 2] in (lg.lex["possessive_past"] or ())

    def tense_of() -> str | None:
        if possessive:
            return "past"  # "Wednesday's ruling": a happening known by its day has happened
        return tense_at(lg, sent, start - s0)  # after "by", "since": the preposition is a cue

    ctx = Context(anchor=anchor, lex=lg.lex, sentence=sent, quarterly=quarterly, quarter=quarter, tense_of=tense_of)
    res = rule.handler(groups, ctx)
    if res is None:
        return None
    if groups.get("prep") and groups["prep"].lower() in lg.lex["position_mods"]:
        res.mod = lg.lex["position_mods"][groups["prep"].lower()]
    if res.relative and anchor is not None:
        res.anchor = anchor.isoformat()
    return _Cand(start, m.end(), order, res, rule, si, ctx, groups)


def _is_rate(lex: Lexicon, groups: dict[str, str | None], before: str) -> bool:
    """'four flights a week', '$1.76 a year': a rate, not a duration."""
    rate = lex["rate_before"]
    return bool(rate) and (groups.get("num") or "").lower() in ("a", "an") and bool(re.search(rate, before, re.IGNORECASE))


def _start(lg: _Lang, m: re.Match[str]) -> int:
    """Where the expression starts: after a preposition the month rule matched with ("in", "by"),
    at a position word ("late", "Anfang")."""
    prep = m.group("prep") if "prep" in m.re.groupindex else None
    if prep and prep.lower() not in lg.lex["position_mods"]:
        return m.start("dir") if m.group("dir") else m.start("mon")
    return m.start()


def _attach_clock(chosen: list[_Cand], text: str) -> list[_Cand]:
    """'am Freitag um 14.46 Uhr', 'Tuesday at 9 p.m.': the clock time is on that day."""
    for prev, c in itertools.pairwise(chosen):
        if c.rule.name not in ("clock", "clock_colon", "clock_part") or c.sentence != prev.sentence:
            continue
        pv, cv = prev.result.value or "", c.result.value or ""
        gap = text[prev.end : c.start]
        if (
            re.fullmatch(r"\d{4}-\d{2}-\d{2}", pv)
            and "T" in cv
            and len(gap) <= 12
            and not re.search(r"[.;]", gap)
        ):
            c.result.value = pv + cv[cv.index("T") :]
            c.attached = True
    return _clock_then_day(chosen, text)


_CLOCKS = ("clock", "clock_colon", "time_word", "clock_part")


def _clock_then_day(chosen: list[_Cand], text: str) -> list[_Cand]:
    """'5 p.m. EST Nov. 9', '4 a.m. EDT Thursday': one expression, the time on that day."""
    out: list[_Cand] = []
    for c in chosen:
        prev = out[-1] if out else None
        if (
            prev is not None
            and prev.rule.name in _CLOCKS
            and not prev.attached
            and c.sentence == prev.sentence
            and c.result.type == "DATE"
            and re.fullmatch(r"\d{4}-\d{2}-\d{2}", c.result.value or "")
            and re.fullmatch(r"[\s,]{0,3}", text[prev.end : c.start])
            and "T" in (prev.result.value or "T")
        ):
            pv = prev.result.value or ""
            prev.result = Result("TIME", (c.result.value or "") + pv[pv.index("T") :] if pv else None,
                                 relative=c.result.relative, anchor=c.result.anchor)
            prev.end, prev.attached = c.end, True
            continue
        out.append(c)
    return out


def _rerun(c: _Cand, ctx: Context) -> Result | None:
    return c.rule.handler(c.groups, ctx)


def _attach_position(lg: _Lang, text: str, start: int, mod: str | None) -> tuple[int, str | None]:
    """Extend a span over a position word right before it: 'Anfang Juli', 'late 2009'."""
    m = lg.position.search(text[max(0, start - 25) : start])
    if not m:
        return start, mod
    word = re.sub(r"\s+", " ", m.group(1).lower())
    if word in ("earlier", "later") and not text[start : start + 6].lower().startswith(
        ("this", "today", "that")
    ):
        return start, mod
    return max(0, start - 25) + m.start(1), lg.lex["position_mods"].get(word) or mod


def _strip_prefix(lg: _Lang, text: str, start: int, end: int) -> int:
    changed = True
    while changed:
        changed = False
        low = text[start:end].lower()
        for p in lg.strip:
            if low.startswith(p) and end - start > len(p):
                start += len(p)
                changed = True
                break
    return start


def _renarrate(
    lg: _Lang, chosen: list[_Cand], text: str, spans: list[tuple[int, int]], anchor: date | None
) -> list[_Cand]:
    """Re-resolve relative expressions against the latest full date before them."""
    ref = anchor
    out = []
    for c in chosen:
        if c.result.relative and ref is not None and ref != anchor:
            s0, s1 = spans[c.sentence]
            ctx = Context(anchor=ref, tense=c.tense, lex=lg.lex, sentence=text[s0:s1])
            res = c.rule.handler(c.groups, ctx)
            if res is not None:
                res.mod = c.result.mod
                res.anchor = ref.isoformat()
                c.result = res
        v = c.result.value or ""
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", v[:10]) and not c.result.relative:
            ref = date.fromisoformat(v[:10])
        out.append(c)
    return out
