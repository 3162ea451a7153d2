"""The language stage: document and paragraph languages, probabilities, 'und' for short text."""

from __future__ import annotations

import pytest

from newsweave.model import Document
from newsweave.stages.language import LanguageStage, get_identifier, paragraph_spans

STAGE = LanguageStage()
SAMPLES = {
    "de": "Der Gemeinderat hat am Dienstagabend beschlossen, die alte Schwimmhalle bis zum Herbst zu sanieren.",
    "en": "The city council decided on Tuesday evening to renovate the old swimming pool before the autumn.",
    "fr": "Le conseil municipal a décidé mardi soir de rénover l'ancienne piscine avant l'automne prochain.",
    "es": "El ayuntamiento decidió el martes por la noche renovar la antigua piscina antes del otoño.",
    "it": "Il consiglio comunale ha deciso martedì sera di ristrutturare la vecchia piscina entro l'autunno.",
    "nl": "De gemeenteraad heeft dinsdagavond besloten het oude zwembad voor de herfst te renoveren.",
    "pl": "Rada miejska postanowiła we wtorek wieczorem wyremontować stary basen jeszcze przed jesienią.",
    "ru": "Городской совет во вторник вечером решил отремонтировать старый бассейн до наступления осени.",
}


def doc_of(text: str) -> Document:
    return STAGE(Document(raw=b"", format="text", sources=[], text=text))


@pytest.mark.parametrize("lang", sorted(SAMPLES))
def test_sentence_languages(lang: str) -> None:
    d = doc_of(SAMPLES[lang])
    assert d.lang == lang
    assert 0.5 <= d.lang_confidence <= 1.0
    assert [p.lang for p in d.paragraphs] == [lang]


def test_short_text_is_und() -> None:
    for text in ("", "NATO", "Hallo Welt", "12.06.2022 – 14:00"):
        d = doc_of(text)
        assert d.lang == "und" and d.lang_confidence == 0.0


def test_paragraphs_mixed_document() -> None:
    text = "\n\n".join([SAMPLES["de"], SAMPLES["de"] + " " + SAMPLES["de"], SAMPLES["fr"], "Ok."])
    d = doc_of(text)
    assert d.lang == "de"
    assert [p.lang for p in d.paragraphs] == ["de", "de", "fr", "und"]
    for p in d.paragraphs:
        assert text[p.start : p.end].strip() == text[p.start : p.end]


def test_one_paragraph_per_long_line_and_wrapped_blocks() -> None:
    lines = SAMPLES["en"] * 2 + "\n" + SAMPLES["es"] * 2
    assert len(paragraph_spans(lines)) == 2
    wrapped = "A short wrapped line\nthat goes on here\nand ends here.\n\nSecond block."
    cut = wrapped.index("\n\n")
    assert paragraph_spans(wrapped) == [(0, cut), (cut + 2, len(wrapped))]


def test_matches_py3langid_probability() -> None:
    text = SAMPLES["it"] + " " + SAMPLES["it"]
    lang, conf = get_identifier().classify(text)
    assert STAGE.classify(text) == (lang, pytest.approx(conf, abs=1e-3))


def test_restricted_language_set() -> None:
    st = LanguageStage(languages=["de", "en"])
    assert st.classify(SAMPLES["nl"])[0] in {"de", "en", "und"}
    assert st.classify(SAMPLES["de"])[0] == "de"
