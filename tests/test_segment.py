"""The segment stage: rule-based sentences per language, and tokens, with offsets."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from newsweave.model import Document
from newsweave.stages.segment import SegmentStage, split_sentences, tokenize


def sents(text: str, lang: str) -> list[str]:
    return [text[a:b] for a, b in split_sentences(text, lang)]


def test_german_abbreviations_and_ordinals() -> None:
    text = ("Am 2. Juni traf Dr. Müller u. a. Vertreter der Stadt, z. B. den Kämmerer. Die Sitzung "
            "dauerte bzw. zog sich bis 22 Uhr. Zum 75. Jahrestag kamen ca. 300 Gäste. Nr. 5 gewann.")
    assert sents(text, "de") == [
        "Am 2. Juni traf Dr. Müller u. a. Vertreter der Stadt, z. B. den Kämmerer.",
        "Die Sitzung dauerte bzw. zog sich bis 22 Uhr.",
        "Zum 75. Jahrestag kamen ca. 300 Gäste.",
        "Nr. 5 gewann.",
    ]


def test_english_abbreviations_initials_numbers() -> None:
    text = ("U.S. President Joseph R. Biden met Mr. Smith in Washington D.C. on Friday. Growth was 3.5 "
            "percent in Jan. 2023, up from 1.000 units. It rose again. Really?")
    assert sents(text, "en") == [
        "U.S. President Joseph R. Biden met Mr. Smith in Washington D.C. on Friday.",
        "Growth was 3.5 percent in Jan. 2023, up from 1.000 units.",
        "It rose again.",
        "Really?",
    ]


def test_quotes_after_full_stop_and_inside_quotes() -> None:
    text = ("„Wir sind bereit.“ Das sagte er. „Warum?“, fragte sie. "
            "He said: “We will win.” Then he left. She asked “why?” and nobody answered.")
    assert sents(text, "de")[:3] == ["„Wir sind bereit.“", "Das sagte er.", "„Warum?“, fragte sie."]
    assert sents(text, "en")[3:] == ["He said: “We will win.”", "Then he left.",
                                     "She asked “why?” and nobody answered."]


def test_french_spanish_italian() -> None:
    assert len(sents("M. Dupont est arrivé. Mme Martin aussi.", "fr")) == 2
    assert sents("M. Dupont est arrivé.", "fr") == ["M. Dupont est arrivé."]
    assert len(sents("El Sr. García llegó ayer. La Sra. López no.", "es")) == 2
    assert len(sents("Il sig. Rossi è arrivato. La dott.ssa Bianchi no.", "it")) == 2


def test_line_breaks() -> None:
    text = "A heading without a stop\nThe first sentence follows. Another one\ncontinues on a wrapped line."
    assert sents(text, "en") == ["A heading without a stop", "The first sentence follows.",
                                 "Another one\ncontinues on a wrapped line."]


def test_tokens() -> None:
    text = "NATO-Russland-Rat: 1.000 U.S. Dollar, l'OTAN (2022)!"
    toks = [text[a:b] for a, b in tokenize(text)]
    assert toks == ["NATO-Russland-Rat", ":", "1.000", "U.S.", "Dollar", ",", "l'OTAN", "(", "2022", ")", "!"]


def test_stage_sets_fields() -> None:
    d = SegmentStage()(Document(raw=b"", format="text", sources=[], text="Eins. Zwei drei.", lang="de"))
    assert [(s.start, s.end) for s in d.sentences] == [(0, 5), (6, 16)]
    assert [d.text[a:b] for a, b in d.tokens] == ["Eins", ".", "Zwei", "drei", "."]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("aA. !?\n“”„1"), max_size=80), st.sampled_from(["de", "en", "und"]))
def test_spans_are_ordered_and_cover_all_words(text: str, lang: str) -> None:
    spans = split_sentences(text, lang)
    last = 0
    for a, b in spans:
        assert last <= a < b <= len(text)
        assert text[a:b] == text[a:b].strip()
        last = b
    covered = "".join(text[a:b] for a, b in spans)
    assert "".join(text.split()) == "".join(covered.split())
    for a, b in tokenize(text):
        assert text[a:b].strip() == text[a:b] != ""
