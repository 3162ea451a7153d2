"""Extraction rules: regular expressions built from a language's lexicon, each with a handler
(``normalise.py`` for calendar expressions, ``relative.py`` for anchor-relative ones) that turns a
match into a TIMEX3 type and value. Rules are tried together; overlaps are settled in
``tagger.py`` (longest wins). Each rule names the word class its matches contain, so the tagger
runs it only near such words.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from .lexicon import Lexicon, alternation
from .normalise import (
    Context,
    Handler,
    Result,
    h_century,
    h_clock,
    h_clock_weekday,
    h_compact,
    h_day_month,
    h_decade,
    h_every,
    h_iso,
    h_month,
    h_month_rel_year,
    h_month_year,
    h_numeric,
    h_quarter,
    h_season,
    h_set,
    h_time_word,
    h_vague,
    h_weekday_set,
    h_year,
    h_year_period,
)
from .phrases import phrase_rules
from .relative import (
    h_ago,
    h_daypart,
    h_duration,
    h_plural_unit,
    h_pos_unit,
    h_rel_unit,
    h_relday,
    h_the_unit,
    h_weekday,
    h_weekend,
    h_year_ago,
)

__all__ = ["Context", "Handler", "Result", "Rule", "build_rules"]


@dataclass(frozen=True)
class Rule:
    name: str
    regex: re.Pattern[str]
    handler: Handler
    trigger: str | None = None  # a word class the match must contain (see TRIGGERS); None = scan all


# rule -> the word class every match of it contains; the tagger runs the rule only in windows
# around such words, which keeps tagging fast on long texts


TRIGGERS = {
    "season": "seasons",
    "quarter": "ordinals",
    "set": "sets",
    "vague": "vague",
    "ago": "ago",
    "later": "later",
    "rel_unit": "units",
    "the_unit": "period_words",  # "the quarter", "the 1988 period": "period" is no unit word
    "year_period": "period_words",
    "duration": "units",
    "plural_unit": "units",
    "weekend": "units",
    "vor": "units",
    "in_n": "units",
    "weekday_date_dmy": "months",
    "weekday_date_mdy": "months",
    "month_year": "months",
    "month_rel_year": "months",
    "month": "months",
    "weekday_set": "weekdays",
    "every": "sets",
    "weekday": "weekdays",
    "clock_weekday": "weekdays",
    "relday": "relative_days",
    "daypart": "day_parts",
    "time_word": "time_words",
    "iso": "digits",
    "compact": "digits",
    "year_word": "digits",
    "decade": "digits",
    "clock": "digits",
    "clock_colon": "digits",
    "year_ago": "units",
    "rel_unit_post": "units",
    "weekday_post": "weekdays",
    "ago_pre": "units",
    "ago_post": "units",
    "later_pre": "units",
    "pos_unit": "units",
    "century": "units",
    "year": "digits",
    "numeric_dmy": "digits",
    "numeric_mdy": "digits",
    "holiday": "holidays",
    "anaphor_day": "anaphoric_days",
    "anaphor_unit": "units",
    "night_to": "weekdays",
    "ago_today": "ago",
    "clock_duration": "digits",
    "clock_part": "digits",
    "unit_long": "long_suffix",
    "week_of": "months",
    "vague_duration": "vague_durations",
    "spelled_year": "spelled_years",
    "month_spelled_year": "months",
    "season_spelled_year": "seasons",
}


def build_rules(lex: Lexicon) -> list[Rule]:
    """All rules for a language, compiled once per language (see ``tagger.rules_for``)."""
    month = alternation(lex["months"], dot=True, dotted=lex["month_abbrevs"] or None)
    weekday_full = alternation([w for w in lex["weekdays"] if len(w) > 3])
    weekday_any = alternation([w for w in lex["weekdays"] if len(w) > 2], dot=True)
    numword = alternation(list(lex["numbers"]) + lex["vague_numbers"])
    tens = alternation([w for w, v in lex["numbers"].items() if v in (20, 30, 40, 50, 60, 70, 80, 90)])
    ones = alternation([w for w, v in lex["numbers"].items() if 1 <= v <= 9 and " " not in w and len(w) > 2])
    # German compounds ("fünfundzwanzig") only where the lexicon writes numbers that way: a
    # loose "\w+und\w+zig" would backtrack over every word of every text
    compound = rf"|{ones}und{tens}" if lex.lang == "de" else ""
    num = rf"(?:\d+(?:[.,]\d+)?(?:\s+1/2)?|{tens}[-\s]{ones}|{numword}{compound})"
    unit = alternation(lex["units"])
    mods = alternation(lex["modifiers_past"] + lex["modifiers_future"] + lex["modifiers_this"])
    parts = alternation(lex["day_parts"])
    reldays = alternation(lex["relative_days"])
    vague = alternation(lex["vague"])
    sets = alternation(lex["sets"])
    seasons = alternation(lex["seasons"])
    ords = alternation(lex["ordinals"])
    ampm = alternation(lex["ampm"]) if lex["ampm"] else r"(?!x)x"
    tz = alternation(lex["timezones"])
    y4 = r"(?<![\d.,])(?P<y>1\d{3}|2\d{3})(?![\d])"
    ranges = alternation(["-", "–", "bis", "und", "and", *lex["range_words"]])
    month_preps = alternation(
        ["in", "since", "until", "till", "by", "of", "during", "through", "before", "after", "from", "early",
         "late", "mid", "im", "seit", "bis", "ab", "vom", "zum", "anfang", "mitte", "ende", *lex["month_preps"]]
    )
    B, E = r"(?<![\w-])", r"(?![\w])"
    BM = r"(?:(?<![\w-])|(?<=\bmid-))"  # "mid-1996", "mid-March", "mid-1990s"
    time_tail = r"(?:,?\s+(?P<hh>\d{1,2}):(?P<mi>\d{2})(?::\d{2})?(?:\s*" + tz + r")?)?"
    IC = re.IGNORECASE

    def r(name: str, pattern: str, handler: Handler, flags: int = IC) -> Rule:
        return Rule(name, re.compile(pattern, flags), handler, TRIGGERS.get(name))

    rules = [
        r(
            "iso",
            r"(?<![\d-])(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?:[T ](?P<hh>\d{2}):(?P<mi>\d{2})(?::\d{2})?)?(?![\d-])",
            h_iso,
        ),
        r("compact", r"(?<!\d)(?P<all>(?:19|20)\d{6})(?!\d)", h_compact),
        r(
            "decade",
            BM + r"(?:the\s+)?(?:'|’)?(?P<dec>(?:1[89]|20)\d0|\d0)(?:s|er(?:\s+jahren?|\s+jahre)?)" + E,
            h_decade,
        ),
        r(
            "season",
            B
            + r"(?:(?P<dir>"
            + mods
            + r"|the|in|im|this)\s+)?(?P<season>"
            + seasons
            + r")(?:\s+(?:of\s+)?"
            + y4
            + r")?"
            + E,
            h_season,
        ),
        r(
            "quarter",
            B
            + r"(?:(?:the|das|im)\s+(?=(?:fiscal\s+)?[\w'-]+\s))?"
            + r"(?:(?P<yp>(?:19|20)\d{2})\s+|(?P<rel>year[-\s](?:ago|earlier)|(?:last|next|this)\s+year's)\s+)?"
            + r"(?:fiscal[-\s]+)?(?P<ord>"
            + ords
            + r")[-\s](?P<unit>quarter|half|quartal|halbjahr|jahreshälfte)(?:\s+(?:of\s+|des\s+jahres\s+)?"
            + y4
            + r")?"
            + E,
            h_quarter,
        ),
        r("set", B + r"(?P<set>" + sets + r")" + E, h_set),
        r("vague", B + r"(?P<vague>" + vague + r")" + E, h_vague),
        r(
            "clock",
            B
            + r"(?P<hh>\d{1,2})(?:[:.](?P<mi>\d{2}))?\s*(?:(?P<ampm>"
            + ampm
            + r")|uhr\b)(?:\s*"
            + tz
            + r")?",
            h_clock,
        ),
        r(
            "clock_colon",
            B + r"(?P<hh>\d{1,2}):(?P<mi>\d{2})(?!\d)(?:\s*(?P<ampm>" + ampm + r"))?(?:\s*" + tz + r")?",
            h_clock,
        ),
        r(
            "ago",
            B
            + r"(?:(?P<approx>about|some|nearly|almost|more\s+than|less\s+than|over|rund|etwa|fast|knapp|mehr\s+als|über)\s+)?(?P<num>"
            + num
            + r")\s+(?P<unit>"
            + unit
            + r")\s+(?:ago|earlier)"  # "two days before/later": the duration, and a signal (TimeML)
            + E,
            h_ago,
        ),
        r(
            "later",
            B + r"(?P<num>" + num + r")\s+(?P<unit>" + unit + r")\s+(?P<later>from\s+now|hence)" + E,
            h_ago,
        ),
        r(
            "year_ago",
            B
            + r"(?:the\s+(?=year[-\s](?:ago|earlier)\s+(?:period|quarter)))?year[-\s](?:ago|earlier)(?:\s+(?P<noun>period|quarter))?"
            + E,
            h_year_ago,
        ),
        r("rel_unit", B + r"(?:the\s+)?(?P<dir>" + mods + r")\s+(?P<unit>" + unit + r")" + E, h_rel_unit),
        r(
            "the_unit",
            B
            + r"the\s+(?:(?:current|latest|full|same|fiscal)[-\s]+){0,2}(?P<unit>year|quarter|period)"
            + E
            + r"(?:(?=\s+(?:that\s+)?(?P<ended>end(?:ed|ing)|closed)\b))?",
            h_the_unit,
        ),
        r(
            "year_period",
            B
            + r"the\s+(?:comparable\s+)?(?:(?P<y>(?:19|20)\d{2})|(?P<rel>year[-\s](?:ago|earlier)))\s+(?:fiscal\s+)?"
            + r"(?:quarter|period)"
            + E,
            h_year_period,
        ),
        r(
            "duration",
            B
            + r"(?:(?:the|den|die|der)\s+(?=(?:past|last|next|first|coming|previous|following|letzten|vergangenen|nächsten|kommenden|ersten)\s))?(?:(?:past|last|next|first|coming|previous|following|letzten|vergangenen|nächsten|kommenden|ersten)\s+)?(?:(?P<approx>some|nearly|almost|more\s+than|less\s+than|no\s+more\s+than|up\s+to|at\s+least|rund|etwa|fast|knapp|gut|mehr\s+als|über|weniger\s+als|mindestens)\s+)?(?P<num>"
            + num
            + r")(?:(?P<hyph>-)|\s)(?P<unit>"
            + unit
            + r")"
            + E
            + r"(?!-old|-jährig|\s+old\b)",
            h_duration,
        ),
        r(
            "weekday_date_dmy",
            B
            + r"(?:"
            + weekday_any
            + r",?\s+)?(?:(?:den|the)\s+)?(?P<d>\d{1,2})(?:\.|st|nd|rd|th|er|º|°)?(?:\s*"
            + ranges
            + r"\s*\d{1,2}(?:\.|st|nd|rd|th)?)?\s+(?:of\s+|de\s+)?(?P<mon>"
            + month
            + r")(?:(?:\s*,?\s+|\s+del?\s+)"  # "19 January 2010", "19 January, 2010", tokenised "19 January , 2010"
            + y4
            + r")?"
            + time_tail
            + E,
            h_day_month,
        ),
        r(
            "weekday_date_mdy",
            B
            + r"(?:"
            + weekday_any
            + r",?\s+)?(?P<mon>"
            + month
            + r")\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?(?:\s*(?:-|–|and|to)\s*\d{1,2}(?:st|nd|rd|th)?)?(?!\d)(?:\s*,?\s*"
            + y4
            + r")?"
            + time_tail
            + r"(?!\d|:\d)",
            h_day_month,
        ),
        r(
            "month_rel_year",
            B
            + r"(?P<mon>"
            + month
            + r")\s+(?:of\s+)?(?P<dir>this|last|next|dieses|letzten|vergangenen|nächsten|kommenden)\s+(?:year|jahres)"
            + E,
            h_month_rel_year,
        ),
        r("month_year", BM + r"(?P<mon>" + month + r")\s*,?\s+(?:of\s+|del?\s+)?" + y4, h_month_year),
        r(
            "month",
            BM
            + r"(?:(?P<prep>"
            + month_preps
            + r")[-\s]+)?(?:(?P<dir>"
            + mods
            + r")\s+)?(?P<mon>"
            + month
            + r")"
            + E,
            h_month,
        ),
        r(
            "weekday_set",
            B
            + r"(?:every\s+|jeden\s+)?(?P<wd>(?:montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag)s)"
            + E,
            h_weekday_set,
        ),
        r("every", B + r"(?:every|each)\s+(?:(?P<wd>" + weekday_full + r")|(?P<mon>" + month + r"))" + E, h_every),
        r(
            "weekday",
            B
            + r"(?:(?P<dir>"
            + mods
            + r")\s+)?(?P<wd>"
            + weekday_full
            + r")(?:\s*(?P<part>"
            + parts
            + r"))?"
            + E,
            h_weekday,
        ),
        r("relday", B + r"(?P<rel>" + reldays + r")(?:\s+(?P<part>" + parts + r"))?" + E, h_relday),
        r("daypart", B + r"(?:" + alternation(lex["daypart_determiners"] or ["this", "the"]) + r")\s+(?P<part>"
          + parts + r")" + E, h_daypart),
        r(
            "clock_weekday",
            B
            + r"(?:(?P<hh>\d{1,2})(?::(?P<mi>\d{2}))?\s*(?P<ampm>"
            + ampm
            + r")|(?P<tw>noon|midnight|mittag|mitternacht))\s+(?:on\s+|am\s+)?(?P<wd>"
            + weekday_full
            + r")"
            + E,
            h_clock_weekday,
        ),
        r(
            "pos_unit",
            B
            + r"(?:the\s+)?(?P<pos>anfang|mitte|ende|end|beginning|start|middle)\s+(?:of\s+)?(?P<dir>des|der|dieses|diesen|dieser|the|this|"
            + mods
            + r")\s+(?P<unit>jahres|monats|quartals|woche|year|month|quarter|week)"
            + E,
            h_pos_unit,
        ),
        r("time_word", B + r"(?P<tw>" + alternation(lex["time_words"]) + r")" + E, h_time_word),
        r(
            "plural_unit",
            B
            + r"(?P<unit>" + alternation(lex["bare_plural_units"] or ["years"]) + r")(?=\s+(?:"
            + alternation(lex["bare_plural_follow"] or ["of"]) + r")\b|[,.;])",
            h_plural_unit,
        ),
        r("weekend", B + r"(?:(?P<dir>" + mods + r"|the)\s+)?(?P<unit>weekend|wochenende)" + E, h_weekend),
        r(
            "century",
            B + r"(?:the\s+)?(?P<n>\d{1,2})(?:st|nd|rd|th|\.)\s+(?:century|jahrhundert(?:s)?)" + E,
            h_century,
        ),
        r("year_word", B + r"(?:the\s+)?(?:year|jahr|jahre|jahres)\s+" + y4 + r"(?![\d%])", h_year),
        r(
            "year",
            BM + r"(?:(?:fiscal|calendar|geschäftsjahr)\s+)?" + y4 + r"(?![\d%])(?![.,]\d)(?!\s*(?:%|prozent|percent))",
            h_year,
        ),
    ]
    rules += _romance_rules(lex, r, num, unit, mods, weekday_full, parts)
    rules += phrase_rules(lex, r, num, unit, weekday_full, month, mods)  # type: ignore[arg-type]
    if lex.lang == "de":
        rules.append(
            r(
                "vor",
                B
                + r"vor\s+(?:(?P<approx>rund|etwa|fast|knapp|mehr\s+als|über|gut)\s+)?(?P<num>"
                + num
                + r")\s+(?P<unit>"
                + unit
                + r")"
                + E,
                h_ago,
            )
        )
        rules.append(
            r("in_n", B + r"in\s+(?P<later>)(?P<num>" + num + r")\s+(?P<unit>" + unit + r")" + E, h_ago)
        )
        rules.append(
            r(
                "numeric_dmy",
                r"(?<![\d.])(?P<a>\d{1,2})\.(?P<b>\d{1,2})\.(?P<y>\d{4}|\d{2})(?![\d])" + time_tail,
                h_numeric("dmy"),
            )
        )
    elif lex["numeric_order"] == "dmy":
        rules.append(
            r(
                "numeric_dmy",
                r"(?<![\d./])(?P<a>\d{1,2})[./](?P<b>\d{1,2})[./](?P<y>\d{4})(?![\d])" + time_tail,
                h_numeric("dmy"),
            )
        )
    else:
        rules.append(
            r(
                "numeric_mdy",
                r"(?<![\d/])(?P<a>\d{1,2})[/-](?P<b>\d{1,2})[/-](?P<y>\d{4}|\d{2})(?![\d/])(?:\s+(?P<hh>\d{1,2}):?(?P<mi>\d{2})(?::\d{2})?(?:\s*"
                + tz
                + r")?)?",
                h_numeric("mdy"),
            )
        )
    return rules


def _romance_rules(
    lex: Lexicon,
    r: Callable[[str, str, Handler], Rule],
    num: str,
    unit: str,
    mods: str,
    weekday_full: str,
    parts: str,
) -> list[Rule]:
    """Patterns for languages that put the modifier after the noun ("la semaine dernière", "el
    lunes pasado", "l'anno scorso") and say "il y a deux ans" / "hace dos años" / "due anni fa"."""
    B, E = r"(?<![\w-])", r"(?![\w])"
    out = []
    if lex["postposed_modifiers"]:
        out.append(r("rel_unit_post", B + r"(?P<unit>" + unit + r")\s+(?P<dir>" + mods + r")" + E, h_rel_unit))
        out.append(
            r(
                "weekday_post",
                B + r"(?P<wd>" + weekday_full + r")(?:\s+(?P<part>" + parts + r"))?\s+(?P<dir>" + mods + r")" + E,
                h_weekday,
            )
        )
    if lex["ago_prefix"]:
        pre = alternation(lex["ago_prefix"])
        out.append(r("ago_pre", B + pre + r"\s+(?P<num>" + num + r")\s+(?P<unit>" + unit + r")" + E, h_ago))
    if lex["ago_suffix"]:
        suf = alternation(lex["ago_suffix"])
        out.append(r("ago_post", B + r"(?P<num>" + num + r")\s+(?P<unit>" + unit + r")\s+" + suf + E, h_ago))
    if lex["later_prefix"]:
        pre = alternation(lex["later_prefix"])
        out.append(
            r("later_pre", B + pre + r"\s+(?P<later>)(?P<num>" + num + r")\s+(?P<unit>" + unit + r")" + E, h_ago)
        )
    return out
