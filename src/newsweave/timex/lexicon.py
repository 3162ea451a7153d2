"""Per-language word lists for the temporal tagger, read from ``timex/lang/<lang>.json``.

The rules (``rules.py``) are written once over these lists; adding a language means adding a
JSON file with the same keys (months, weekdays, numbers, units, modifiers, vague words, sets,
tense cues) and, where its word order differs, a few patterns.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import InputError

LANG_DIR = Path(__file__).resolve().parent / "lang"


def alternation(
    words: list[str] | dict[str, Any], *, dot: bool = False, dotted: list[str] | None = None
) -> str:
    """A regex alternation of the words, longest first, spaces matching any whitespace. With
    ``dot``, words of up to four letters (or those in ``dotted``) may end in an abbreviation dot."""
    items = sorted(set(words), key=len, reverse=True)
    parts = []
    for w in items:
        p = re.escape(w).replace(r"\ ", r"\s+")
        abbrev = w in dotted if dotted else len(w) <= 4
        parts.append(p + (r"\.?" if dot and abbrev else ""))
    return "(?:" + "|".join(parts) + ")"


@dataclass(frozen=True)
class Lexicon:
    lang: str
    data: dict[str, Any]

    def __getitem__(self, key: str) -> Any:
        return self.data.get(key, {})

    def number(self, word: str) -> float | None:
        w = re.sub(r"\s+", " ", word.strip().lower())
        if re.fullmatch(r"\d+(?:[.,]\d+)?", w):
            return float(w.replace(",", "."))
        half = re.fullmatch(r"(\d+)\s+1/2", w)
        if half:
            return int(half.group(1)) + 0.5
        nums: dict[str, float] = self.data.get("numbers", {})
        if w in nums:
            return float(nums[w])
        # compound English numbers: "twenty-five", "twenty five"
        parts = re.split(r"[-\s]+", w)
        if len(parts) == 2 and parts[0] in nums and parts[1] in nums:
            return float(nums[parts[0]] + nums[parts[1]])
        # German compounds: "fünfundzwanzig"
        m = re.fullmatch(r"(\w+?)und(\w+)", w)
        if m and m.group(1) in nums and m.group(2) in nums:
            return float(nums[m.group(1)] + nums[m.group(2)])
        return None

    def month(self, word: str) -> int | None:
        v = self.data.get("months", {}).get(word.lower().rstrip("."))
        return int(v) if v is not None else None

    def weekday(self, word: str) -> int | None:
        v = self.data.get("weekdays", {}).get(word.lower().rstrip("."))
        return int(v) if v is not None else None

    def unit(self, word: str) -> str | None:
        w = word.lower()
        units: dict[str, str] = self.data.get("units", {})
        return units.get(w) or units.get(w.rstrip("s"))

    def direction(self, word: str | None) -> str | None:
        """'last'/'letzten' -> 'last', 'next'/'kommenden' -> 'next', 'this'/'diesem' -> 'this'."""
        if not word:
            return None
        w = re.sub(r"\s+", " ", word.lower())
        if w in self.data.get("modifiers_past", []):
            return "last"
        if w in self.data.get("modifiers_future", []):
            return "next"
        if w in self.data.get("modifiers_this", []):
            return "this"
        return None


@lru_cache(maxsize=8)
def load_lexicon(lang: str) -> Lexicon:
    path = LANG_DIR / f"{lang}.json"
    if not path.is_file():
        known = sorted(p.stem for p in LANG_DIR.glob("*.json"))
        raise InputError(lang, f"no temporal lexicon for language {lang!r}; available: {', '.join(known)}")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(str(path), f"cannot read temporal lexicon: {exc}") from exc
    return Lexicon(lang, data)


@lru_cache(maxsize=1)
def _languages() -> tuple[str, ...]:
    return tuple(sorted(p.stem for p in LANG_DIR.glob("*.json")))


def languages() -> list[str]:
    """The languages with a lexicon in ``timex/lang/``."""
    return list(_languages())
