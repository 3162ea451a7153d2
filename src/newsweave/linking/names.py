"""Name normalisation for linking: folding, inflection, and a transliteration-aware key.

Names of people from Cyrillic (and other) scripts reach German and English text through
different transliteration conventions: German writes ``w`` for English ``v``, ``ch`` for ``kh``,
``sch`` for ``sh``, ``tsch`` for ``ch``, ``j`` for ``y``, ``s`` for initial ``z`` and ``z`` for
``ts``. :func:`name_key` maps every spelling onto one phonetic skeleton by rules, so "Maria
Sacharowa" and "Maria Zakharova", "Wladimir Putin" and "Vladimir Putin", "Selenskyj" and
"Zelenskyy" share a key without any list of names. :func:`to_english` rewrites a German
transliteration into the English convention, for display aliases.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_SPECIAL = str.maketrans({"ß": "ss", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "æ": "ae", "ı": "i"})
_DASHES = re.compile(r"[\u2010-\u2015\u2212]")


@lru_cache(maxsize=200_000)
def fold(text: str) -> str:
    """Case- and accent-insensitive form, dashes unified, whitespace collapsed. Cached: the
    linker folds the same words over and over (a pure function of the string)."""
    t = unicodedata.normalize("NFKD", _DASHES.sub("-", text).translate(_SPECIAL))
    t = "".join(c for c in t if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", t.replace("’", "'")).strip().casefold()


def slugify(name: str) -> str:
    """'Jens Stoltenberg' -> 'jens-stoltenberg' (lowercase ASCII, hyphens)."""
    return re.sub(r"[^a-z0-9]+", "-", fold(name)).strip("-")


# ordered: longer clusters first; applied to folded, letters-only words
_KEY_RULES: list[tuple[str, str]] = [
    ("schtsch", "s"), ("shch", "s"), ("dsch", "i"), ("tsch", "k"), ("tch", "k"), ("sch", "s"), ("sh", "s"), ("zh", "s"),
    ("ch", "k"), ("kh", "k"), ("ck", "k"), ("ph", "f"), ("th", "t"), ("ts", "s"), ("tz", "s"),
    ("ae", "a"), ("oe", "o"), ("ue", "u"), ("ij", "i"), ("yj", "i"), ("iy", "i"),
    ("w", "v"), ("z", "s"), ("j", "i"), ("y", "i"), ("c", "k"), ("q", "k"), ("x", "ks"), ("h", ""),
]
_KEY_RE = re.compile("|".join(re.escape(a) for a, _ in _KEY_RULES))
_KEY_MAP = dict(_KEY_RULES)


@lru_cache(maxsize=200_000)
def word_key(word: str) -> str:
    w = re.sub(r"[^a-z]", "", fold(word))
    if not w:
        return ""
    w = _KEY_RE.sub(lambda m: _KEY_MAP[m.group(0)], w)
    w = re.sub(r"(.)\1+", r"\1", w)  # doubled letters
    return w


@lru_cache(maxsize=200_000)
def name_key(name: str) -> str:
    """The transliteration-aware key of a name: 'Maria Sacharowa' and 'Maria Zakharova' ->
    'maria-sakarova'. Punctuation and initials ('Joseph R. Biden') are dropped."""
    words = [word_key(w) for w in re.split(r"[\s\-]+", name) if len(re.sub(r"\W", "", w)) > 1]
    return "-".join(w for w in words if w)


# German transliteration convention -> English one, for display
_DE_EN: list[tuple[str, str]] = [
    ("schtsch", "shch"), ("tsch", "ch"), ("sch", "sh"), ("ch", "kh"), ("w", "v"), ("ja", "ya"),
    ("ju", "yu"), ("je", "ye"), ("jo", "yo"), ("yj", "yy"), ("ij", "iy"), ("j", "y"),
]
_SLAVIC_END = re.compile(r"(?:owa|ewa|ow|ew|ski|skaja|skij|sky|enko|itsch|owitsch|ewitsch|ina|in|yj|ij|uk|tschuk)$")
_VOWELS = "aeiouy"


def looks_transliterated(word: str) -> bool:
    """Whether a word carries typical endings of a German-transliterated Slavic name."""
    return bool(_SLAVIC_END.search(fold(word))) or "tsch" in fold(word)


_DE_EN_RE = re.compile("|".join(re.escape(a) for a, _ in _DE_EN))
_DE_EN_MAP = dict(_DE_EN)


def _de_word_to_en(word: str, surname: bool = False) -> str:
    if not word:
        return word
    out = _DE_EN_RE.sub(lambda m: _DE_EN_MAP[m.group(0)], word.lower())
    # German 's' before a vowel at the start of a surname stands for a voiced z (Sacharowa)
    if surname and out[0] == "s" and len(out) > 1 and out[1] in _VOWELS:
        out = "z" + out[1:]
    # German 'z' stands for 'ts' (Jelzin -> Yeltsin)
    out = re.sub(r"(?<=[a-y])z", "ts", out)
    return out[0].upper() + out[1:] if word[0].isupper() else out


def to_english(name: str, lang: str) -> str | None:
    """The English-convention spelling of a German-transliterated name, or None when the name
    does not look transliterated or nothing changes. 'Maria Sacharowa' -> 'Maria Zakharova'."""
    if lang != "de":
        return None
    words = name.split()
    if not words or not looks_transliterated(words[-1]):
        return None
    # given names are transliterated too only when they show the German convention
    last = len(words) - 1
    out = " ".join(_de_word_to_en(w, i == last) if i == last or re.search(r"w|j|sch|ch", w.lower())
                   else w for i, w in enumerate(words))
    return out if out != name else None


# German case endings on names and nouns: genitive -s/-es, dative/plural -n/-en, adjectives
DE_SUFFIXES = ("es", "s", "en", "n", "e")


def inflection_variants(surface: str, lang: str) -> list[str]:
    """Base forms to try for an inflected surface: 'Stoltenbergs' -> ['Stoltenberg'],
    'NATO-Russland-Rates' -> ['NATO-Russland-Rat', ...]; 'Russia's' -> ['Russia']."""
    s = surface.strip()
    out: list[str] = []
    if lang != "de" or s.endswith(("'s", "’s")):
        if s.endswith(("'s", "’s")):
            out.append(s[:-2])
        if lang != "de":
            return out
    for suf in DE_SUFFIXES:
        if s.endswith(suf) and len(s) - len(suf) >= 3:
            out.append(s[: -len(suf)])
    return out
