"""Where a pattern of the dating knowledge can match a text at all, found by substring search.

The anchors' subject patterns ("James[- ]Webb", "COP ?28\\b", "(?:Turk(?:ey|ish)|Türkei)[^.;]{0,80}
(?:Sweden|Schweden)") and event labels are case-insensitive regular expressions. Searching each
of them through every article cost about 5 ms an article, most of the time of dating an undated
one, while only about one article in ten names any of them: the regex engine tries each pattern
at every position of the text (a leading look-behind under ``re.IGNORECASE`` leaves it no
literal to skip ahead to). Every match of a pattern starts with one of its *literal prefixes*
(the characters its alternatives must begin with), so the pattern need only be tried where one
of them occurs in the case-folded text, which ``str.find`` finds at C speed:

    pre = literal_prefixes(r"Al[- ]Jaber|James[- ]Webb")   # ("al-jaber", "al jaber", "james-", "james ")
    occurs(rx, pre, text, fold(text))                      # == rx.search(text) is not None

``fold`` maps the characters that ``re.IGNORECASE`` treats as equal to one character ("S", "s"
and "ſ" to "s"), one character for one (offsets stay), so the answer is the same as searching.
A prefix ends before a character whose case mapping is not one-to-one ("ß" -> "SS"):
``literal_prefixes("Großbritannien")`` is ``("gro",)``. A pattern this reader does not follow
(one starting with a wide character class or a look-around) gets ``None`` and is searched.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache

MAX_PREFIXES = 32  # per pattern: a class multiplies them ("[- ]" doubles)
MAX_CLASS = 4  # a class of more characters ends the literal run
_SPECIAL = "\\.^$*+?{}[]()|"
_ESCAPED_LITERAL = frozenset(" -'\"/,;:!&%#@~`<>=_.^$*+?{}[]()|\\")


def _one(s: str) -> str | None:
    return s if len(s) == 1 else None


def _canon(ch: str) -> str | None:
    """The one character ``ch`` folds to, or None when its case mapping is not one-to-one."""
    if ch == "\u0130":  # 'İ': its simple lower case is 'i' (str.lower() adds a combining dot)
        return "i"
    low = _one(ch.lower())
    up = _one(low.upper()) if low else None
    return _one(up.lower()) if up else None


class _FoldTable(dict[int, str]):
    def __missing__(self, code: int) -> str:
        ch = chr(code)
        self[code] = v = _canon(ch) or ch
        return v


_FOLD = _FoldTable()


@lru_cache(maxsize=16)
def fold(text: str) -> str:
    """``text`` case-folded one character for one, as ``re.IGNORECASE`` compares characters."""
    if text.isascii():
        return text.lower()
    return text.translate(_FOLD)


def literal_prefixes(pattern: str) -> tuple[str, ...] | None:
    """The folded literal prefixes one of which every match of ``pattern`` starts with, or
    None when a match can start otherwise (or this reader cannot tell)."""
    out, _end = _alternatives(pattern, 0)
    if any(not p for p in out):
        return None
    return _shortest(out)


def prefixes_of(patterns: Iterable[str]) -> tuple[str, ...] | None:
    """The prefixes of the alternation of ``patterns``; None if any of them has none."""
    out: list[str] = []
    for p in patterns:
        pre = literal_prefixes(p)
        if pre is None:
            return None
        out += pre
    return _shortest(out)


def _shortest(prefixes: Iterable[str]) -> tuple[str, ...]:
    """The prefixes without those that start with another one (where "member" occurs,
    "members" need not be looked for), in their first order."""
    ps = list(dict.fromkeys(prefixes))
    return tuple(p for p in ps if not any(q != p and p.startswith(q) for q in ps))


def contains_any(words: tuple[str, ...] | None, folded: str) -> bool:
    """Whether the folded text contains one of ``words`` (the prefixes of a part every match
    of a pattern has); always True for None (unknown)."""
    return words is None or any(w in folded for w in words)


def occurs(
    rx: re.Pattern[str], prefixes: tuple[str, ...] | None, text: str, folded: str, first: dict[str, int] | None = None
) -> bool:
    """Whether ``rx`` matches somewhere in ``text`` (``folded`` is ``fold(text)``), given that
    every match of it starts with one of ``prefixes``: it is tried only where one occurs.
    ``first`` keeps where each prefix first occurs (-1: nowhere) for the next pattern's test."""
    if prefixes is None:
        return rx.search(text) is not None
    for p in prefixes:
        i = first.get(p) if first is not None else None
        if i is None:
            i = folded.find(p)
            if first is not None:
                first[p] = i
        while i >= 0:
            if rx.match(text, i):
                return True
            i = folded.find(p, i + 1)
    return False


def positions(prefixes: tuple[str, ...], folded: str) -> list[int]:
    """Where in the folded text one of ``prefixes`` starts, in order: the only places a match
    of their pattern can start."""
    out: set[int] = set()
    for p in prefixes:
        i = folded.find(p)
        while i >= 0:
            out.add(i)
            i = folded.find(p, i + 1)
    return sorted(out)


def guarded(rx: re.Pattern[str], guard: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """The matches ``finditer`` gives for ``rx`` preceded by the look-behind ``guard`` (a
    zero-width pattern such as ``(?<![\\w-])``), found several times faster: a pattern that
    starts with a look-behind is tried at every position, one that starts with a literal or
    a class skips to where it can begin. Where the guard fails the scan goes on from the next
    character, as ``finditer`` would. ``rx`` must not match the empty string."""
    pos = 0
    while (m := rx.search(text, pos)) is not None:
        if guard.match(text, m.start()) is None:
            pos = m.start() + 1
            continue
        yield m
        pos = max(m.end(), m.start() + 1)


def _alternatives(s: str, i: int) -> tuple[list[str], int]:
    """Prefixes of the alternatives from ``s[i]`` up to the ``)`` closing their group (or the
    end of the pattern), and the index after that parenthesis."""
    out: list[str] = []
    while True:
        pre, i = _sequence(s, i)
        out += pre
        if i < len(s) and s[i] == "|":
            i += 1
            continue
        if i < len(s) and s[i] == ")":
            return out, i + 1
        return out, i


def _sequence(s: str, i: int) -> tuple[list[str], int]:
    """Prefixes of the alternative starting at ``s[i]``, and the index past it (at its ``|``,
    its group's ``)`` or the end)."""
    accs = [""]
    stopped = False  # the literal run has ended: the rest of the alternative is skipped
    while i < len(s) and s[i] not in "|)":
        if stopped:
            i = _skip_item(s, i)
            continue
        chars, nxt = _chars_at(s, i)
        if chars is not None:
            quant = s[nxt] if nxt < len(s) else ""
            folded = list(dict.fromkeys(_canon(c) for c in chars))
            # it may be absent ("{" is taken as "{0,n}" to be safe), its case mapping is not
            # one-to-one, or it would make too many prefixes: the run ends before it
            if quant in ("?", "*", "{") or None in folded or len(accs) * len(folded) > MAX_PREFIXES:
                stopped = True
                i = nxt
                continue
            accs = [a + c for a in accs for c in folded if c is not None]
            i = nxt
            stopped = quant == "+"  # at least once; what follows may repeat it
            continue
        if s[i] == "(" and (s.startswith("(?:", i) or not s.startswith("(?", i)):
            inner, end = _alternatives(s, i + (3 if s.startswith("(?:", i) else 1))
            quant = s[end] if end < len(s) else ""
            if quant not in ("?", "*", "{") and len(accs) * len(inner) <= MAX_PREFIXES:
                accs = [a + p for a in accs for p in inner]
            stopped = True
            i = end
            continue
        # an escape class, a look-around, an anchor, a wide character class: the run ends
        stopped = True
        i = _skip_item(s, i)
    return accs, i


def _chars_at(s: str, i: int) -> tuple[list[str] | None, int]:
    """The literal characters the item at ``s[i]`` matches (a character, an escaped
    punctuation mark, a small class like ``[- ]``) and the index after it; (None, i) when it
    is anything else."""
    ch = s[i]
    if ch == "\\":
        if i + 1 < len(s) and s[i + 1] in _ESCAPED_LITERAL:
            return [s[i + 1]], i + 2
        return None, i
    if ch == "[":
        end = _skip_item(s, i)
        body = s[i + 1 : end - 1]
        chars: list[str] = []
        j = 0
        while j < len(body):
            c = body[j]
            if c == "\\" and j + 1 < len(body) and body[j + 1] in _ESCAPED_LITERAL:
                chars.append(body[j + 1])
                j += 2
                continue
            if c in "\\[^" or (c == "-" and 0 < j < len(body) - 1) or (c in "&~|" and body[j : j + 2] == c * 2):
                return None, i  # an escape class, a negation, a range, a set operation
            chars.append(c)
            j += 1
        return (chars, end) if 0 < len(chars) <= MAX_CLASS else (None, i)
    if ch in _SPECIAL:
        return None, i
    return [ch], i + 1


def _skip_item(s: str, i: int) -> int:
    """The index after the item at ``s[i]`` (a character, an escape, a class, a group, a
    counted repeat)."""
    ch = s[i]
    if ch == "\\":
        return i + 2
    if ch == "[":
        j = i + 1
        if j < len(s) and s[j] == "^":
            j += 1
        if j < len(s) and s[j] == "]":
            j += 1
        while j < len(s) and s[j] != "]":
            j += 2 if s[j] == "\\" else 1
        return j + 1
    if ch == "(":
        depth, j = 0, i
        while j < len(s):
            if s[j] == "\\":
                j += 2
                continue
            if s[j] == "[":
                j = _skip_item(s, j)
                continue
            if s[j] == "(":
                depth += 1
            elif s[j] == ")":
                depth -= 1
                if depth == 0:
                    return j + 1
            j += 1
        return j
    if ch == "{":
        j = s.find("}", i)
        return len(s) if j < 0 else j + 1
    return i + 1
