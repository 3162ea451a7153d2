"""Pretrained subword vectors for NER: pooling, the spaCy vectors interface, one table per process."""

from __future__ import annotations

import numpy as np
import pytest

from newsweave.ner import pieces


@pytest.fixture(scope="module")
def table() -> pieces.PieceTable:
    return pieces.piece_table()


def _manual(table: pieces.PieceTable, word: str) -> np.ndarray:
    ids = table.tokenizer.encode(word, out_type=int, add_bos=False, add_eos=False)
    rows = [table.table[i].astype(np.float32) * table.scale[i % table.n_chunks] + table.lo[i % table.n_chunks]
            for i in ids]
    return np.mean(rows, axis=0)


def test_pooled_is_the_mean_of_dequantised_pieces(table: pieces.PieceTable) -> None:
    words = ["Stoltenbergs", "Merkel", "NATO-Russland-Rates", "the"]
    got = table.pooled(words)
    assert got.shape == (4, pieces.DIM) and got.dtype == np.float32
    for w, row in zip(words, got, strict=True):
        assert len(table.ids(w)) >= 1
        np.testing.assert_allclose(row, _manual(table, w), rtol=1e-5, atol=1e-5)


def test_words_without_pieces_and_huge_words_are_bounded(table: pieces.PieceTable) -> None:
    got = table.pooled(["\n\n", " ", "", "x" * 20_000])
    assert np.isfinite(got).all() and got.shape == (4, pieces.DIM)
    np.testing.assert_array_equal(got[0], got[2])  # whitespace and "" are one vector (<unk>)
    assert len(table.ids("x" * 20_000)) <= pieces.MAX_CHARS


def test_vectors_place_related_names_near_each_other(table: pieces.PieceTable) -> None:
    v = table.pooled(["Moskau", "Moscow", "Montag"])
    v = v / np.linalg.norm(v, axis=1, keepdims=True)
    assert v[0] @ v[1] > v[0] @ v[2]  # the exonym is nearer than an unrelated capitalised word


def test_spacy_vectors_interface(table: pieces.PieceTable) -> None:
    from spacy.lang.de import German

    nlp = German()
    vectors = pieces.create_piece_vectors()(nlp.vocab)
    nlp.vocab.vectors = vectors
    doc = nlp("Jens Stoltenberg in Brüssel")
    keys = [t.orth for t in doc]
    batch = vectors.get_batch(keys)
    assert batch.shape == (4, pieces.DIM)
    np.testing.assert_allclose(batch, table.pooled([t.text for t in doc]))
    assert vectors.shape[1] == pieces.DIM and nlp.vocab.vectors_length == pieces.DIM
    with pytest.raises(ValueError, match="computed"):
        vectors.add("Stoltenberg", vector=np.zeros(pieces.DIM, dtype=np.float32))


def test_one_table_shared_with_the_embed_stage(table: pieces.PieceTable) -> None:
    from newsweave.stages.embed import UseEncoder, get_encoder

    encoder = get_encoder("use")
    assert isinstance(encoder, UseEncoder)
    piece_table, _, _, tokenizer = encoder.piece_parts()
    assert table.table is piece_table  # the same 65 MB array, not a second copy
    assert table.tokenizer is tokenizer
    assert pieces.piece_table() is table
