"""Evidence about when an article was written, each piece a :class:`Constraint`: a set of date
intervals the publication date must lie in, a weight (how much to trust it) and a reason a
person can read.

Sources of evidence, all from the text:
- explicit dates and years the text reports as past (the article is from on/after them) or
  as ahead (before them), and the dates of readers' comments below it (before them);
- office holders named with their office ("NATO-Generalsekretär Mark Rutte": Rutte's term);
- anniversaries of organisations ("75-jährige Erfolgsgeschichte der Allianz": founded + 75);
- dated events spoken of as ahead or past ("the NATO summit in Madrid", "bevorstehender
  NATO-Gipfel im Juli") and organisations/platforms that must already exist.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from ..knowledge.offices import OfficeKB
from ..model import TimeExpression
from ..timex.tagger import rules_for, supported
from .anchors import Anchors
from .keywords import fold, guarded, occurs
from .roles import find_roles, terms_for

MIN, MAX = date(1, 1, 1), date(9999, 12, 31)
Interval = tuple[date, date]  # inclusive
DATELINE_DAYS = 7  # an article dated at its top was written within this many days of that date


@dataclass
class Constraint:
    intervals: list[Interval]
    weight: float
    reason: str
    kind: str  # explicit | dateline | office | anniversary | event | organisation | reported | ...
    # a happening the lede reports as news (kind "reported"): its first and last day, and the
    # part of it the lede reports ("start": its opening, "end": its outcome or close, None:
    # it does not say), which tells the day within a conference of two weeks
    event: Interval | None = None
    phase: str | None = None

    @property
    def lo(self) -> date:
        return min(a for a, _ in self.intervals)

    @property
    def hi(self) -> date:
        return max(b for _, b in self.intervals)


def intersect(a: list[Interval], b: list[Interval]) -> list[Interval]:
    out = []
    for a0, a1 in a:
        for b0, b1 in b:
            lo, hi = max(a0, b0), min(a1, b1)
            if lo <= hi:
                out.append((lo, hi))
    return sorted(out)


def _day(v: str) -> date | None:
    try:
        return date.fromisoformat(v[:10])
    except ValueError:
        return None


def _value_range(v: str | None) -> Interval | None:
    """The days a TIMEX3 value covers: 2022-06-02, 2022-06, 2022, 2022-Q3, 2022-W21, 2022-SU."""
    if not v:
        return None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}(T.*)?", v):
        d = _day(v)
        return (d, d) if d else None
    m = re.fullmatch(r"(\d{4})-(\d{2})", v)
    if m:
        y, mo = int(m.group(1)), int(m.group(2))
        if not 1 <= mo <= 12:
            return None
        nxt = date(y + (mo == 12), mo % 12 + 1, 1)
        return date(y, mo, 1), nxt - timedelta(days=1)
    m = re.fullmatch(r"(\d{4})(?:-(Q[1-4]|H[12]|SP|SU|FA|WI))?", v)
    if m:
        y = int(m.group(1))
        part = m.group(2)
        if part and part[0] == "Q":
            q = int(part[1])
            start = date(y, 3 * q - 2, 1)
            end = date(y + (q == 4), (3 * q) % 12 + 1, 1) - timedelta(days=1)
            return start, end
        if part in ("H1", "H2"):
            return (date(y, 1, 1), date(y, 6, 30)) if part == "H1" else (date(y, 7, 1), date(y, 12, 31))
        return date(y, 1, 1), date(y, 12, 31)
    m = re.fullmatch(r"(\d{4})-W(\d{2})", v)
    if m:
        try:
            start = date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)
        except ValueError:
            return None
        return start, start + timedelta(days=6)
    return None


def from_times(text: str, lang: str, times: list[TimeExpression]) -> list[Constraint]:
    """Absolute dates (not resolved against anything): the article is from on/after those it
    reports as past, before those it announces."""
    out = []
    for t in times:
        if t.anchor is not None or t.type not in ("DATE", "TIME"):
            continue
        rng = _value_range(t.value)
        if rng is None or rng[0].year < 1000:
            continue
        day_level = rng[0] == rng[1]
        if day_level and comment_stamp(text, t.start, t.end):
            out.append(
                Constraint(
                    [(MIN, rng[1])], 0.6, f"a reader's comment is dated '{t.text}' ({t.value}): "
                    f"written on or before it", "explicit"
                )
            )
            continue
        if (
            day_level
            and t.start < 200
            and not _AHEAD_CUE.search(text[max(0, t.start - 40) : t.start])
            and not _PREP_BEFORE.search(text[max(0, t.start - 12) : t.start])
        ):
            # a full date at the top of a text is its dateline or byline: written that day or
            # within days (an update); a later day the text reports as past contradicts it
            out.append(
                Constraint(
                    [(rng[0], rng[0] + timedelta(days=DATELINE_DAYS))],
                    0.85,
                    f"dateline/byline-like '{t.text}' ({t.value}) at the top",
                    "dateline",
                )
            )
            continue
        tense = _tense_near(text, t.start, t.end)
        if tense == "future":
            if day_level or (rng[1] - rng[0]).days < 40:  # a year named as ahead is too loose a bound
                out.append(
                    Constraint(
                        [(MIN, rng[1])], 0.45, f"'{t.text}' ({t.value}) is spoken of as ahead", "explicit"
                    )
                )
        else:
            w = 0.8 if day_level else 0.6 if (rng[1] - rng[0]).days < 40 else 0.5
            out.append(
                Constraint(
                    [(rng[0], MAX)],
                    w,
                    f"reports '{t.text}' ({t.value}): written on or after {rng[0]}",
                    "explicit",
                )
            )
    return out


_AHEAD_CUE = re.compile(
    r"\b(?:will|would|shall|next|until|till|by|before|ahead of|upcoming|scheduled|due|"
    r"wird|werden|soll|sollen|bis|vor dem|vor der|bevorstehend\w*|kommend\w*|nächst\w*)\b",
    re.IGNORECASE,
)


# a reader's comment below the article: "At 1:41 pm on 09 May 2009 , Cuthbert wrote :",
# "Am 05.05.2009 um 17:49 schrieb Hans:"; a clock time beside the date, a verb of writing
# and a colon after it (a dated statement in the news, "on 5 May he wrote in a letter", has
# neither the clock nor the colon)
_CLOCK = re.compile(r"\d{1,2}(?:[:.]|\s?h\s?)\d{2}")
_COMMENT_VERB = re.compile(
    r"[^.!?]{0,50}?\b(?:wrote|writes|schrieb|schreibt|a écrit|escribió|ha scritto)\b[^.!?:]{0,30}:",
    re.IGNORECASE,
)


def comment_stamp(text: str, start: int, end: int) -> bool:
    """Whether the date at ``text[start:end]`` stamps a reader's comment: the article was
    written on or before it, not after it."""
    after = text[end : end + 80]
    if not _COMMENT_VERB.match(after):
        return False
    return bool(_CLOCK.search(text[max(0, start - 25) : start]) or _CLOCK.search(after[:25]))


_PREP_BEFORE = re.compile(
    r"\b(?:on|at|in|since|until|from|by|of|am|seit|vom|zum|bis|im|ab)\s*$", re.IGNORECASE
)


def _tense_near(text: str, start: int, end: int) -> str | None:
    """A date is spoken of as ahead only when a future cue stands shortly before it, or right
    after it in the same clause ("... on 4 May, will ..." is past; "will meet on 4 May" is not)."""
    before = text[max(0, start - 50) : start]
    cut = max(before.rfind("."), before.rfind(";"))
    before = before[cut + 1 :]
    after = text[end : end + 25].split(",")[0].split(".")[0]
    return (
        "future"
        if _AHEAD_CUE.search(before) or re.match(r"\s*(?:will|wird|werden|soll)\b", after)
        else "past"
    )


def from_offices(text: str, kb: OfficeKB) -> list[Constraint]:
    out = []
    seen: set[tuple[str, tuple[str, ...]]] = set()
    for hit in find_roles(text, kb):
        terms = terms_for(hit, kb)
        key = (hit.person.key, hit.office_keys)
        if not terms or key in seen:
            continue
        seen.add(key)
        ivs = [(t.start, (t.end - timedelta(days=1)) if t.end else MAX) for t in terms]
        span = "; ".join(f"{t.start}…{t.end or 'today'}" for t in terms)
        weight = 0.9 if len(hit.office_keys) == 1 else 0.7  # "US-Präsident" vs a bare "President"
        out.append(
            Constraint(
                ivs,
                weight,
                f"'{text[hit.start : hit.end]}': {hit.person.name} held {terms[0].office_key} {span}",
                "office",
            )
        )
    return out


# searched for after a position that does not follow a digit (``keywords.guarded``)
_NOT_AFTER_DIGIT = re.compile(r"(?<!\d)")
_ANNIV = re.compile(
    r"(\d{1,3})(?:-|\s*)(?:jährige\w*|jähriges|jährigen|year(?:s)?(?:\s+of)?|th\s+anniversary|st\s+anniversary|"
    r"nd\s+anniversary|rd\s+anniversary|\.\s*(?:jahrestag|geburtstag|jubiläum)|jahre\s+(?:nach|seit)\s+der\s+gründung)",
    re.IGNORECASE,
)
_ANNIV_CUE = re.compile(
    r"anniversary|jubil|jahrestag|geburtstag|feier|celebrat|erfolgsgeschichte|bestehen|gründung|founding|history",
    re.IGNORECASE,
)


def from_anniversaries(text: str, anchors: Anchors) -> list[Constraint]:
    out = []
    for m in guarded(_ANNIV, _NOT_AFTER_DIGIT, text):
        n = int(m.group(1))
        if not 5 <= n <= 300:
            continue
        s0 = max(text.rfind(".", 0, m.start()), text.rfind("\n", 0, m.start())) + 1
        s1 = min(x for x in (text.find(". ", m.end()), text.find("\n", m.end()), len(text)) if x >= 0)
        sent = text[s0:s1]
        if not _ANNIV_CUE.search(sent):
            continue
        orgs = {o.key: o for om in anchors.orgs_in(sent) for o in anchors.orgs_named(om.group(1))}
        for o in orgs.values():
            y = o.founded.year + n
            out.append(
                Constraint(
                    [(date(y, 1, 1), date(y, 12, 31))],
                    0.7,
                    f"'{m.group(0).strip()}' of {o.key} (founded {o.founded.year}) ⇒ {y}",
                    "anniversary",
                )
            )
    return out


_AHEAD = re.compile(
    r"bevorsteh|anstehend|kommend|upcoming|ahead of|forthcoming|before the|vor dem|vor der|im vorfeld|"
    r"in the run-up|next|nächst|will|wird|werden|soll|prepar|vorbereit",
    re.IGNORECASE,
)
_PAST = re.compile(
    r"\b(?:after the|nach dem|nach der|since the|seit dem|seit der|last|letzt|vergangen|held|took place|"
    r"fand statt|stattgefunden)\b",
    re.IGNORECASE,
)


def from_events(text: str, lang: str, anchors: Anchors, times: list[TimeExpression]) -> list[Constraint]:
    out: list[Constraint] = []
    if not occurs(anchors.event_regex, anchors.label_prefixes, text, fold(text)):
        return out  # no label of a known event in the text (most texts): see ``keywords``
    lex = rules_for(supported(lang)).lex
    for m in anchors.event_regex.finditer(text):
        cands = anchors.events_labelled(m.group(1))
        if not cands:
            continue
        s0 = max(text.rfind(".", 0, m.start()), text.rfind("\n", 0, m.start())) + 1
        s1 = min(x for x in (text.find(". ", m.end()), text.find("\n", m.end()), len(text)) if x >= 0)
        sent, near = text[s0:s1], text[max(s0, m.start() - 60) : min(s1, m.end() + 60)]
        if cands[0].kind in ("nato_summit", "election"):
            placed = [e for e in cands if any(_word(p).search(near) for p in e.places)]
            months = {lex.month(w) for w in re.findall(r"\w+", near)} - {None}
            timed = [e for e in cands if e.start.month in months]
            cands = placed or timed or cands
            if not (placed or timed) and len(cands) > 3:
                continue  # "a NATO summit" with nothing to tell which
            before = _AHEAD.search(text[max(s0, m.start() - 40) : m.end() + 10])
            after = _PAST.search(text[max(s0, m.start() - 40) : m.end() + 10])
            if before and not after:
                hi = max(e.start for e in cands)
                names = ", ".join(f"{e.key} ({e.start})" for e in cands)
                out.append(
                    Constraint(
                        [(MIN, hi)], 0.6, f"'{m.group(1)}' spoken of as ahead: before {names}", "event"
                    )
                )
            elif after and not before:
                lo = min(e.last_day for e in cands)
                out.append(
                    Constraint([(lo, MAX)], 0.6, f"'{m.group(1)}' spoken of as past: after {lo}", "event")
                )
            continue
        if _AHEAD.search(sent[:20]) and re.search(r"\bif\b|\bwenn\b|\bfalls\b", sent):
            continue
        e = min(cands, key=lambda e: e.start)
        out.append(
            Constraint([(e.start, MAX)], 0.6, f"mentions '{m.group(1)}' ({e.key}, from {e.start})", "event")
        )
    return out


@lru_cache(maxsize=1024)
def _word(w: str) -> re.Pattern[str]:
    return re.compile(r"\b" + re.escape(w) + r"\b")


def from_organisations(text: str, anchors: Anchors) -> list[Constraint]:
    out = []
    seen = set()
    for m in anchors.orgs_in(text):
        for o in anchors.orgs_named(m.group(1)):
            if o.key in seen or o.founded.year < 1990:
                continue
            seen.add(o.key)
            out.append(
                Constraint(
                    [(o.founded, MAX)],
                    0.5,
                    f"mentions {m.group(1)} (exists since {o.founded})",
                    "organisation",
                )
            )
    return out
