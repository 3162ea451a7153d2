"""Language-aware word forms for full-text search: tokens, accent folding and Snowball stems.

Surface words alone miss other forms of a word: "talks" does not find "talk", "Gespräche" does
not find "Gespräch". The posting index (``postings.py``) therefore also indexes each document's
words reduced to their Snowball stems *in the document's language*, and :func:`query_terms`
turns a query into stems in every language the corpus holds (a query's language cannot be told
from two or three words). Stems and folds are cached: news vocabulary is Zipfian, most words
repeat.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from ..errors import ModelUnavailable

# ISO 639-1 code -> Snowball algorithm name
SNOWBALL = {
    "ar": "arabic", "ca": "catalan", "cs": "czech", "da": "danish", "de": "german", "el": "greek",
    "en": "english", "es": "spanish", "et": "estonian", "eu": "basque", "fi": "finnish", "fr": "french",
    "ga": "irish", "hi": "hindi", "hu": "hungarian", "hy": "armenian", "id": "indonesian", "it": "italian",
    "lt": "lithuanian", "ne": "nepali", "nl": "dutch", "no": "norwegian", "nb": "norwegian", "nn": "norwegian",
    "pl": "polish", "pt": "portuguese", "ro": "romanian", "ru": "russian", "sr": "serbian", "sv": "swedish",
    "ta": "tamil", "tr": "turkish", "yi": "yiddish",
}

_WORD = re.compile(r"[^\W_]+", re.UNICODE)  # runs of letters and digits, as FTS5's unicode61 splits


@lru_cache(maxsize=64)
def _stemmer(lang: str) -> Any | None:
    algo = SNOWBALL.get(lang)
    if algo is None:
        return None
    try:
        import snowballstemmer
    except ImportError as exc:  # pragma: no cover - a declared dependency of the search module
        raise ModelUnavailable("stemmed search needs the 'snowballstemmer' package: pip install snowballstemmer") from exc
    return snowballstemmer.stemmer(algo)


def words(text: str) -> list[str]:
    """Lower-cased word tokens: runs of letters and digits ("foo_bar" is two words)."""
    return _WORD.findall(text.casefold()) if text else []


_STEMS: dict[str, dict[str, str]] = {}  # lang -> word -> stem (news vocabulary is Zipfian: most words repeat)
_STEMS_MAX = 200_000


def stem_words(ws: Iterable[str], lang: str) -> list[str]:
    st = _stemmer(lang)
    ws = list(ws)
    if st is None:
        return ws
    cache = _STEMS.setdefault(lang, {})
    out = []
    for w in ws:
        s = cache.get(w)
        if s is None:
            s = st.stemWord(w)
            if len(cache) < _STEMS_MAX:
                cache[w] = s
        out.append(s)
    return out


def stem_text(text: str, lang: str) -> str:
    """The stemmed form of a text, one stem per word, for indexing."""
    return " ".join(stem_words(words(text), lang))


_FOLDS: dict[str, str] = {}


def fold_word(w: str) -> str:
    """A word without its accents ("Gespräche" -> "Gesprache"), as FTS5's remove_diacritics folds it."""
    f = _FOLDS.get(w)
    if f is None:
        f = "".join(c for c in unicodedata.normalize("NFKD", w) if not unicodedata.combining(c))
        if len(_FOLDS) < _STEMS_MAX:
            _FOLDS[w] = f
    return f


def query_terms(query: str, langs: Iterable[str]) -> list[set[str]]:
    """For each query word, the set of its stems in each of ``langs`` (and the word itself)."""
    langs = [lang for lang in dict.fromkeys(langs) if lang in SNOWBALL]
    out: list[set[str]] = []
    for w in words(query)[:32]:
        forms = {fold_word(w)}
        for lang in langs:
            forms.add(fold_word(stem_words([w], lang)[0]))
        out.append({f for f in forms if f})
    return [f for f in out if f]
