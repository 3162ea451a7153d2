"""Evidence from known dated events and from organisations' member counts.

- An event of ``knowledge/anchors.json`` with ``cues`` is mentioned when one of its subject
  patterns occurs anywhere in the article ("James Webb") and one of its action patterns in a
  sentence ("ins All gestartet", "first images"). Spoken of as ahead ("are expected in the
  summer") it dates the article before the event; otherwise after it. A mention in the lede
  (title and first paragraph) reports the event as news: the article is from within days of it;
  for an event of many days the lede also tells which part of it it reports (its close or
  outcome, its opening: ``_phase``), which ``infer.py`` turns into the day.
- "Einen Monat nach seinem Start", "six months after the launch": the article is from about
  that long after the event.
- A relative expression in the sentence of a mention ("Finnland, das im April vergangenen
  Jahres beigetreten ist", "la COP27, l'an dernier") must resolve to the event's date: the
  anchors (article dates) for which it does are the evidence.
- "the 31st member of NATO", "aller 30 Mitgliedstaaten": the organisation's member-count history
  says when that count held.

Patterns are tried only where their literal prefixes occur in the text (``keywords``): most
articles name none of the anchors, and this is most of the time of dating them.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from functools import lru_cache

from ..model import TimeExpression
from ..timex import tag
from ..timex.lexicon import Lexicon, alternation
from ..timex.tagger import rules_for, sentence_spans, supported, tense_at
from .anchors import AnchorEvent, Anchors, Organisation, load_anchors
from .constraints import MAX, MIN, Constraint, Interval, _value_range
from .keywords import contains_any, fold, guarded, occurs, positions, prefixes_of

REPORT_DAYS = 7  # an event reported as news in the lede: the article is from within this many days
LEDE_SENTENCES = 3  # the title and the first two sentences
_AFTER = r"(?:after|nach|après|despu[eé]s\s+de(?:l)?|dopo)"
_EXTRA_NUMBERS = {
    "halbes": 0.5, "halben": 0.5, "half a": 0.5, "demi": 0.5, "medio": 0.5, "mezzo": 0.5,
    "zweieinhalb": 2.5, "dreieinhalb": 3.5, "anderthalb": 1.5, "eineinhalb": 1.5,
}
_NEXT_WORD = (
    r"\b(?:next|upcoming|forthcoming|nächste\w*|kommende\w*|bevorstehende\w*|prochaine?s?|próxim[oa]s?|prossim[oa])\b"
)
_NEXT = re.compile(_NEXT_WORD + r"[^.;]{0,40}$", re.IGNORECASE)
_NEXT_AFTER = re.compile(_NEXT_WORD, re.IGNORECASE)
_UNIT_DAYS = {"D": 1.0, "W": 7.0, "FN": 14.0, "M": 30.44, "Q": 91.3, "Y": 365.25, "DE": 3652.5}
_MEMBER = r"(?:member|Mitglied|membre|miembro|membro)"
_MEMBERS = (
    r"(?:member\s+states|members|allies|"
    r"Mitgliedstaaten|Mitgliedsstaaten|Mitgliedsländer\w*|Mitgliedern|Mitglieder|Alliierten|Verbündeten|Alliés|"
    r"membres|États\s+membres|pays\s+membres|miembros|Estados\s+miembros|aliados|membri|Stati\s+membri|alleati)"
)
# The part of a multi-day happening (a summit, a conference, a tournament) a lede reports: its
# close ("final", "wraps up", "Abschluss", "clôture"), its opening ("opens", "Auftakt",
# "s'ouvre"), or its outcome ("agreed", "einigt sich", "s'accorde"), which most often comes
# at the end: a deal struck on the first day is reported with its opening ("opens with deal").
_CLOSING = re.compile(
    r"(?<![\w-])(?:final(?:e|ly)?|clos(?:es|ed|ing)|conclu(?:de|des|ded|sion)|wrap(?:s|ped)\s+up|ends|ended|"
    r"Abschluss\w*|abgeschlossen|Schlusserklärung|Schlussdokument\w*|zu\s+Ende|beendet|endet|endete|"
    r"clôtur\w*|s'achève|achevée?s?|conclu[est]?|"
    r"clausura|clausur\w+|conclu(?:ye|yó|ida|ido)|termin(?:a|ó)|"
    r"chiusura|chius[oa]|conclus[oa]|si\s+conclude|terminat[oa])(?![\w])",
    re.IGNORECASE,
)
_OPENING = re.compile(
    r"(?<![\w-])(?:open(?:s|ed|ing)|kick(?:s|ed)?\s+off|kick-?off|beg(?:an|ins|inning)|under\s+way|first\s+day|"
    r"eröffne\w*|Eröffnung\w*|Auftakt\w*|beginn\w*|begonnen|ersten\s+Tag|"
    r"ouv(?:re|rent|ert|erte|erture)|s'ouvre|débute?n?t?|début|premier\s+jour|coup\s+d'envoi|"
    r"apertura|abre|abri[óo]|inaugur\w*|comienz\w*|comenz\w*|arranc\w*|primer\s+día|"
    r"apre|apert[oa]|inizia(?:to|ta|no)?|inizio|primo\s+giorno)(?![\w])",
    re.IGNORECASE,
)
_OUTCOME = re.compile(
    r"(?<![\w-])(?:agree(?:s|d|ment)?|deal|accord|consensus|compromise|pact|"
    r"einig(?:t|te|ten)|geeinigt|Einigung\w*|verständig(?:t|te|ten)|Abkommen|Kompromiss\w*|Vereinbarung\w*|"
    r"s'accord\w*|d'accord|compromis|acuerdo|acord(?:ó|aron|ado)|pacto|accordo|intesa)(?![\w])",
    re.IGNORECASE,
)
# both are searched for after a number that does not follow a digit, point or comma (a pattern
# that starts with that look-behind is tried at every position: see ``keywords.guarded``)
_NOT_AFTER_NUMBER = re.compile(r"(?<![\d.,])")
_ORDINAL_MEMBER = re.compile(r"(\d{1,3})(?:\.|st|nd|rd|th|e|er|ème|º|°)?\s+" + _MEMBER + r"\b", re.IGNORECASE)
_CARDINAL_MEMBERS = re.compile(
    r"(\d{1,3})\s+(?P<other>(?:other|anderen?|autres|otros|altri)\s+)?(?:[A-Z][\w-]*\s+)?" + _MEMBERS + r"\b",
    re.IGNORECASE,
)
# a text without one of these words has no member count (``keywords``): most texts
_MEMBER_WORDS = prefixes_of([_MEMBER, _MEMBERS])


@lru_cache(maxsize=512)
def _prefixes(patterns: tuple[str, ...]) -> tuple[str, ...] | None:
    return prefixes_of(patterns)


@lru_cache(maxsize=512)
def _rx(patterns: tuple[str, ...]) -> re.Pattern[str] | None:
    if not patterns:
        return None
    return re.compile(r"(?<![\w-])(?:" + "|".join(patterns) + r")(?![\w])", re.IGNORECASE)


def lede_end(text: str, sents: Sequence[tuple[int, int]] | None = None) -> int:
    """Where the lede ends: the title and the first two sentences (at most 700 characters)."""
    sents = sents if sents is not None else _sentences(text)
    if not sents:
        return 0
    return min(sents[min(LEDE_SENTENCES, len(sents)) - 1][1], 700)


def title_end(text: str) -> int:
    """The end of the first line when it reads like a headline (short, no final full stop)."""
    cut = text.find("\n")
    line = text[:cut].strip() if cut >= 0 else ""
    return cut if 0 < len(line) <= 160 and not line.endswith(".") else 0


@lru_cache(maxsize=64)
def _sentences(text: str) -> tuple[tuple[int, int], ...]:
    """The sentences of ``text`` with a title line as a sentence of its own (cached: both kinds
    of evidence of this module ask)."""
    out: list[tuple[int, int]] = []
    for a, b in sentence_spans(text):
        # a title line is a sentence of its own
        cut = text.find("\n", a, b)
        if 0 <= cut < b - 1:
            out += [(a, cut), (cut + 1, b)]
        else:
            out.append((a, b))
    return tuple(out)


def _number(lex: Lexicon, word: str) -> float | None:
    w = re.sub(r"\s+", " ", word.lower())
    return _EXTRA_NUMBERS.get(w) if w in _EXTRA_NUMBERS else lex.number(w)


@lru_cache(maxsize=8)
def _offset_rx(lang: str) -> re.Pattern[str]:
    lex = rules_for(lang).lex
    nums = alternation([*lex["numbers"], *_EXTRA_NUMBERS])
    units = alternation(lex["units"])
    return re.compile(
        r"(?<![\w-])(?:(?:ein|einem|an?|un|una|uno)\s+)?(?P<num>\d+(?:[.,]\d+)?|" + nums + r")\s+(?P<unit>" + units
        + r")\s+" + _AFTER + r"\b(?P<tail>.{0,40})",
        re.IGNORECASE | re.DOTALL,
    )


def _subjects_named(text: str, anchors: Anchors) -> set[tuple[str, ...]]:
    """The subject pattern sets of ``anchors`` that occur in ``text``; those whose literal
    prefixes do not occur in it are not searched for (``keywords``)."""
    folded, first = fold(text), dict[str, int]()
    return {
        subj for subj, pre in anchors.subjects if (rx := _rx(subj)) is not None and occurs(rx, pre, text, folded, first)
    }


def _mentions(
    text: str, sents: Sequence[tuple[int, int]], ev: AnchorEvent
) -> Iterator[tuple[int, int, re.Match[str]]]:
    """The sentences where the event is mentioned (its subject occurs in the text, and its
    action, or the subject when it has no action, in the sentence)."""
    patterns = ev.action or ev.subject
    rx = _rx(patterns)
    if rx is None:
        return
    pre = _prefixes(patterns)
    if pre is not None:  # tried only where a prefix of the pattern occurs (``keywords``)
        starts = positions(pre, fold(text))
        for a, b in sents:
            k = bisect_left(starts, a)
            while k < len(starts) and starts[k] < b:
                m = rx.match(text, starts[k], b)
                if m:
                    yield a, b, m
                    break
                k += 1
        return
    for a, b in sents:
        m = rx.search(text, a, b)
        if m:
            yield a, b, m


def from_event_mentions(
    text: str, lang: str, anchors: Anchors, times: list[TimeExpression] | None = None
) -> list[Constraint]:
    lang = supported(lang)
    out: list[Constraint] = []
    named = _subjects_named(text, anchors)
    if not named:
        return out
    lg = rules_for(lang)
    sents = _sentences(text)
    lede, title = lede_end(text, sents), title_end(text)
    off_rx = _offset_rx(lang)
    for ev in anchors.events:
        if not ev.subject or ev.subject not in named:
            continue
        first: tuple[str, int] | None = None
        relative_tries = 0
        for a, b, m in _mentions(text, sents, ev):
            sent = text[a:b]
            off = next((o for o in off_rx.finditer(sent) if o.end("unit") <= m.start() - a < o.end() + 2), None)
            if off is not None:
                c = _offset(lg.lex, off, ev, text[m.start() : m.end()])
                if c is not None:
                    out.append(c)
                continue
            if re.search(r"\b(?:to|zu)\s+$", text[max(a, m.start() - 4) : m.start()]):
                continue  # "a bid to join", "um beizutreten": not that it happened
            # headlines speak of the past in the present ("Finnland wird 31. Mitglied")
            # "next"/"nächsten" after the mention qualifies another noun ("zum Präsidenten der nächsten
            # Konferenz ernannt"): it says nothing about this event
            cut = m.end() - a
            masked = sent[:cut] + _NEXT_AFTER.sub(lambda x: " " * len(x.group()), sent[cut:])
            ahead = m.start() >= title and (
                tense_at(lg, masked, m.start() - a) == "future" or bool(_NEXT.search(text[a : m.start()]))
            )
            if first is None:
                first = ("ahead" if ahead else "past", m.start())
            if not ahead and relative_tries < 2:  # bounded: each try re-tags the sentence ~100 times
                relative_tries += 1
                out += _relative_to_event(text, lang, a, b, ev)
        if first is None:
            continue
        label = f"{ev.key} ({ev.start})"
        if first[0] == "ahead":
            out.append(
                Constraint([(MIN, ev.start - timedelta(days=1))], 0.62, f"{label} is spoken of as ahead", "event")
            )
            continue
        out.append(Constraint([(ev.start, MAX)], 0.6, f"{label} is spoken of as having happened", "event"))
        if first[1] < lede:
            hi = ev.last_day + timedelta(days=REPORT_DAYS)
            phase, part = _phase(text, lede, lg, sents) if ev.last_day > ev.start else (None, "")
            out.append(
                Constraint(
                    [(ev.start, hi)], 0.55, f"the lede reports {label}{part}: written by {hi}", "reported",
                    event=(ev.start, ev.last_day), phase=phase,
                )
            )
    return out


def _phase(text: str, lede: int, lg: object, sents: Sequence[tuple[int, int]]) -> tuple[str | None, str]:
    """Which part of a multi-day happening the lede reports, and what says so: "end" for its
    close or outcome, "start" for its opening (the earlier of the two when it names both),
    None when it says neither. Words spoken of as ahead ("will close") do not count."""

    def first(rx: re.Pattern[str]) -> re.Match[str] | None:
        for m in rx.finditer(text, 0, lede):
            a, b = next(((a, b) for a, b in sents if a <= m.start() < b), (0, lede))
            if tense_at(lg, text[a:b], m.start() - a) != "future":
                return m
        return None

    closing, opening = first(_CLOSING), first(_OPENING)
    if closing and (opening is None or closing.start() < opening.start()):
        return "end", f", its close ('{closing.group()}')"
    if opening:
        return "start", f", its opening ('{opening.group()}')"
    outcome = first(_OUTCOME)
    return ("end", f", its outcome ('{outcome.group()}')") if outcome else (None, "")


def _offset(lex: Lexicon, m: re.Match[str], ev: AnchorEvent, what: str) -> Constraint | None:
    n = _number(lex, m.group("num"))
    unit = lex.unit(m.group("unit"))
    if n is None or unit not in _UNIT_DAYS or n <= 0:
        return None
    days = n * _UNIT_DAYS[unit]
    centre = ev.start + timedelta(days=round(days))
    tol = timedelta(days=max(4, round(0.12 * days)))
    return Constraint(
        [(centre - tol, centre + tol)],
        0.7,
        f"'{m.group(0).strip()}' {ev.key} ({ev.start}): about {centre}",
        "offset",
    )


def _relative_to_event(text: str, lang: str, a: int, b: int, ev: AnchorEvent) -> list[Constraint]:
    """Article dates for which a relative expression of the sentence lands on the event."""
    sent = text[a:b]
    if not any(t.value is None or t.value.startswith("XXXX") for t in tag(sent, lang) if t.type == "DATE"):
        return []
    ok: list[date] = []
    step = 10
    n_before, n_after = 2 * 365 // step, 3 * 365 // step
    for k in range(-n_before, n_after):
        anchor = ev.start + timedelta(days=k * step)
        for t in tag(sent, lang, anchor=anchor):
            rng = _value_range(t.value) if t.anchor else None
            # months and years only: "last week" tells the week of the sentence's verb, rarely the event's
            if rng and rng[0] <= ev.last_day and ev.start <= rng[1] and 27 <= (rng[1] - rng[0]).days < 400:
                ok.append(anchor)
                break
    if not ok or len(ok) > n_before + n_after - 4:
        return []
    ivs: list[Interval] = []
    for d in ok:
        if ivs and (d - ivs[-1][1]).days <= step:
            ivs[-1] = (ivs[-1][0], d + timedelta(days=step - 1))
        else:
            ivs.append((d - timedelta(days=step // 2), d + timedelta(days=step - 1)))
    return [
        Constraint(
            ivs, 0.65, f"'{sent.strip()[:60]}…' puts {ev.key} ({ev.start}) in the article's past as said", "relative"
        )
    ]


def _orgs_with_members(text: str, anchors: Anchors) -> list[tuple[int, Organisation]]:
    """Where the text names an organisation with a member-count history, in text order."""
    with_members = [o for o in anchors.organisations if o.members]
    return [(m.start(), o) for m in anchors.orgs_in(text) for o in anchors.orgs_named(m.group(1)) if o in with_members]


def _org_for(orgs: list[tuple[int, Organisation]], pos: int) -> Organisation | None:
    """The organisation named nearest to ``pos`` (the first of two as near)."""
    best: tuple[int, Organisation] | None = None
    for start, o in orgs:
        d = abs(start - pos)
        if best is None or d < best[0]:
            best = (d, o)
    return best[1] if best else None


def _count_periods(o: Organisation, n: int) -> list[Interval]:
    out = []
    for i, (count, start) in enumerate(o.members):
        end = o.members[i + 1][1] - timedelta(days=1) if i + 1 < len(o.members) else MAX
        if count == n:
            out.append((start, end))
    return out


def from_member_counts(text: str, lang: str, anchors: Anchors) -> list[Constraint]:
    out: list[Constraint] = []
    if not contains_any(_MEMBER_WORDS, fold(text)):
        return out
    ordinals = list(guarded(_ORDINAL_MEMBER, _NOT_AFTER_NUMBER, text))
    cardinals = list(guarded(_CARDINAL_MEMBERS, _NOT_AFTER_NUMBER, text))
    if not ordinals and not cardinals:
        return out
    lg = rules_for(supported(lang))
    lede, title = lede_end(text), title_end(text)
    orgs = _orgs_with_members(text, anchors)
    for m in ordinals:
        o = _org_for(orgs, m.start())
        n = int(m.group(1))
        since = [s for count, s in (o.members if o else ()) if count == n]
        if o is None or not since:
            continue
        s0 = text.rfind(".", 0, m.start()) + 1
        ahead = m.start() >= title and tense_at(lg, text[s0 : m.end() + 40], m.start() - s0) == "future"
        day = since[-1]
        if ahead:
            out.append(
                Constraint(
                    [(MIN, day - timedelta(days=1))], 0.62, f"'{m.group(0)}' of {o.key} still ahead: before {day}", "member"
                )
            )
        elif m.start() < lede:
            hi = day + timedelta(days=REPORT_DAYS)
            out.append(Constraint([(day, hi)], 0.62, f"the lede reports '{m.group(0)}' of {o.key} ({day})", "reported"))
        else:
            out.append(Constraint([(day, MAX)], 0.6, f"'{m.group(0)}' of {o.key}: on or after {day}", "member"))
    for m in cardinals:
        o = _org_for(orgs, m.start())
        if o is None:
            continue
        n = int(m.group(1)) + (1 if m.group("other") else 0)
        ivs = _count_periods(o, n)
        if ivs:
            span = "; ".join(f"{a}…{'' if b == MAX else b}" for a, b in ivs)
            out.append(Constraint(ivs, 0.6, f"'{m.group(0)}': {o.key} had {n} members {span}", "member"))
    return out


@lru_cache(maxsize=64)
def event_evidence(text: str, lang: str) -> tuple[Constraint, ...]:
    """Both kinds of evidence of this module with the packaged (and user) anchors, cached: the
    time stage asks once for the publication date and once for the event date."""
    anchors = load_anchors()
    return tuple(from_event_mentions(text, lang, anchors) + from_member_counts(text, lang, anchors))
