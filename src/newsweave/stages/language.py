"""The language stage: the language of each document and of each of its paragraphs (py3langid).

The identifier (py3langid's naive Bayes model over byte n-grams, with normalised probabilities)
is loaded once per process. Each paragraph is scored once, on its first ``sample_chars``
characters (enough to tell a language, and it bounds the cost of long paragraphs); the
document's scores come from the summed n-gram counts of its paragraphs, so the text is walked a
single time.

``lang`` is an ISO 639-1 code, ``lang_confidence`` the model's normalised probability (0..1).
Text with fewer than ``min_letters`` letters, or a best probability under ``min_confidence``,
is ``"und"`` (undetermined). Paragraphs are blocks separated by blank lines; in texts that put
one paragraph per line (no blank lines, long lines), each line is a paragraph.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Sequence
from typing import Any

from ..errors import ModelUnavailable
from ..model import Document, Paragraph

_LETTER = re.compile(r"[^\W\d_]")
_BLOCK = re.compile(r"[^\n]+(?:\n[^\n]+)*")
_lock = threading.Lock()
_IDENTIFIERS: dict[tuple[str, ...] | None, Any] = {}


def get_identifier(languages: Sequence[str] | None = None) -> Any:
    """py3langid's identifier with normalised probabilities, loaded once per language set."""
    key = tuple(sorted(languages)) if languages else None
    with _lock:
        if key not in _IDENTIFIERS:
            try:
                from py3langid.langid import MODEL_FILE, LanguageIdentifier
            except ImportError as exc:  # pragma: no cover - a declared dependency
                raise ModelUnavailable("language id needs py3langid: pip install py3langid==0.4.0") from exc
            if None not in _IDENTIFIERS:
                _IDENTIFIERS[None] = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
            if key:
                full = _IDENTIFIERS[None]  # share the loaded model's arrays, restrict the copy
                ident = LanguageIdentifier(*full._full_model, full.tk_nextmove, full.tk_output,
                                           norm_probs=True, tk_row=full.tk_row)  # fmt: skip
                ident.set_languages(list(key))
                _IDENTIFIERS[key] = ident
        return _IDENTIFIERS[key]


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """Paragraphs as (start, end): blocks between blank lines, or lines when blocks are lines."""
    spans: list[tuple[int, int]] = []
    for m in _BLOCK.finditer(text):
        block = m.group()
        lines = block.split("\n")
        if len(lines) > 1 and max(len(x) for x in lines[:-1]) > 120:
            pos = m.start()
            for ln in lines:  # one paragraph per (long) line
                if ln.strip():
                    spans.append((pos, pos + len(ln)))
                pos += len(ln) + 1
        else:
            spans.append((m.start(), m.end()))
    return spans


class LanguageStage:
    name = "language"
    version = "1.0"
    requires = frozenset({"text"})
    adds = frozenset({"lang", "lang_confidence", "paragraphs"})
    options = ("languages", "min_letters", "min_confidence", "sample_chars")

    def __init__(
        self,
        languages: Sequence[str] | None = None,
        min_letters: int = 20,
        min_confidence: float = 0.5,
        sample_chars: int = 320,
    ) -> None:
        self.languages = tuple(languages) if languages else None
        self.min_letters = min_letters
        self.min_confidence = min_confidence
        self.sample_chars = sample_chars  # per paragraph: enough to tell, and bounds the cost
        self._ident: Any = None

    def load(self) -> None:
        if self._ident is None:
            self._ident = get_identifier(self.languages)

    def __call__(self, doc: Document) -> Document:
        self.load()
        paragraphs: list[Paragraph] = []
        total: Counter[int] = Counter()
        total_len = 0
        for start, end in paragraph_spans(doc.text):
            chunk = doc.text[start : min(end, start + self.sample_chars)]
            visits, length = self._features(chunk)
            if visits:
                total.update(visits)
                total_len += length
            lang, conf = self._decide(visits, length, len(_LETTER.findall(chunk)))
            paragraphs.append(Paragraph(start, end, lang, conf))
        doc.lang, doc.lang_confidence = self._decide(total, total_len, len(_LETTER.findall(doc.text[:2000])))
        doc.paragraphs = paragraphs
        return doc

    def classify(self, text: str) -> tuple[str, float]:
        """(lang, probability) for one piece of text, with the stage's thresholds."""
        self.load()
        visits, length = self._features(text)
        return self._decide(visits, length, len(_LETTER.findall(text)))

    # py3langid internals: the n-gram walk and the sparse naive-Bayes score, so that paragraph
    # counts can be summed into the document's without walking the text twice.
    def _features(self, text: str) -> tuple[Counter[int] | None, int]:
        from py3langid.langid import visit_counts

        ident = self._ident
        data = ident._encode(text)
        return visit_counts(ident.tk_nextmove, ident._rowbase, ident.tk_output, data), len(data)

    def _decide(self, visits: Counter[int] | None, length: int, letters: int) -> tuple[str, float]:
        if not visits or letters < self.min_letters:
            return "und", 0.0
        import numpy as np

        ident = self._ident
        scores = ident._sparse_score(visits, ident.nb_ptc) * (1.0 / np.sqrt(length or 1))
        scores = np.exp(scores - scores.max())
        scores /= scores.sum()
        for i, j in ident._alias_pairs:
            scores[i] += scores[j]
            scores[j] = 0.0
        best = int(scores.argmax())
        conf = round(float(scores[best]), 4)
        if conf < self.min_confidence:
            return "und", conf
        return str(ident.nb_classes[best]), conf
