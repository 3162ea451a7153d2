"""The embed stage: one cross-lingual space, unit vectors, title + lead, bad input handled."""

from __future__ import annotations

import numpy as np
import pytest

from newsweave.errors import ModelUnavailable
from newsweave.link.synthetic import make_document
from newsweave.stages.embed import EmbedStage, doc_units, embed_query, embed_sentences

pytestmark = pytest.mark.slow  # loads the encoder (~2 s)


@pytest.fixture(scope="module")
def stage() -> EmbedStage:
    s = EmbedStage()
    s.load()
    return s


def test_vectors_are_unit_length_and_cross_lingual(stage: EmbedStage) -> None:
    en = make_document("Finland formally joined NATO on Tuesday. The flag was raised in Brussels.",
                       title="Finland joins NATO")
    de = make_document("Finnland ist am Dienstag offiziell der Nato beigetreten. Die Flagge wurde in Brüssel gehisst.",
                       lang="de", title="Finnland tritt der Nato bei")
    other = make_document("The telescope sent back its first colour images of distant galaxies.",
                          title="First images from the telescope")
    stage.batch([en, de, other])
    vecs = np.asarray([en.vector, de.vector, other.vector])
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-4)
    assert en.vector_model == "use-m3"
    assert vecs[0] @ vecs[1] > 0.7  # the same report in two languages
    assert vecs[0] @ vecs[2] < 0.4  # another subject


def test_query_and_sentences_share_the_documents_space(stage: EmbedStage) -> None:
    doc = make_document("Das James-Webb-Teleskop hat Kohlendioxid in der Atmosphäre eines Exoplaneten gefunden.", lang="de")
    stage(doc)
    q = np.asarray(embed_query("carbon dioxide found on an exoplanet"))
    off = np.asarray(embed_query("football final in Berlin"))
    assert q @ np.asarray(doc.vector) > off @ np.asarray(doc.vector) + 0.2
    mat = embed_sentences(["one sentence", "zwei Sätze"])
    assert mat.shape == (2, 512)
    assert embed_sentences([]).shape == (0, 512)


def test_empty_document_gets_no_vector_and_one_word_does(stage: EmbedStage) -> None:
    empty = make_document("   ")
    word = make_document("NATO")
    stage.batch([empty, word])
    assert empty.vector is None and empty.vector_model == "use-m3"
    assert word.vector is not None and len(word.vector) == 512


def test_doc_units_are_title_and_first_sentences() -> None:
    doc = make_document("One. Two. Three. Four.", title="Title")
    assert doc_units(doc, 2) == ["Title", "One.", "Two."]
    assert doc_units(make_document("No title here at all"), 3) == ["No title here at all"]


def test_unknown_model_is_named_with_the_valid_ones() -> None:
    with pytest.raises(ModelUnavailable, match="valid models: use, e5"):
        EmbedStage(model="bert")
