"""The time stage on documents: contract, precedence of dates, re-anchoring, seeds."""

from __future__ import annotations

import json

import pytest

from newsweave.model import DateInfo, Document, Sentence
from newsweave.paths import shared_dir
from newsweave.pipeline import Pipeline
from newsweave.stages.time import TimeStage
from newsweave.timex import sentence_spans


def make_doc(text: str, lang: str, published: DateInfo | None = None) -> Document:
    doc = Document(raw=text.encode(), format="text", sources=[], text=text, lang=lang, published=published)
    doc.sentences = [Sentence(a, b) for a, b in sentence_spans(text)]
    return doc


@pytest.fixture(scope="module")
def stage():
    st = TimeStage()
    st.load()
    return st


def test_contract():
    assert TimeStage.name == "time"
    assert TimeStage.requires == {"text", "lang", "sentences", "published"}
    assert TimeStage.adds == {"times", "published", "event_date"}
    Pipeline([TimeStage()], frozenset({"raw", "format", "sources", "text", "lang", "sentences", "published"}))


def test_metadata_date_wins_and_anchors_relative_times(stage):
    pub = DateInfo("2021-06-08", "2021-06-08", "2021-06-08", "metadata", ["sidecar"])
    doc = stage(make_doc("Stoltenberg sagte am Montag, die NATO wolle Dialog.", "de", pub))
    assert doc.published is pub
    assert [(t.text, t.value) for t in doc.times] == [("Montag", "2021-06-07")]
    assert doc.event_date is not None and doc.event_date.value == "2021-06-07"


def test_missing_date_is_inferred_and_times_reanchored(stage):
    text = (
        "NATO-Generalsekretär Mark Rutte und der designierte Präsident Donald Trump sprachen "
        "am Montag in Palm Beach."
    )
    doc = stage(make_doc(text, "de", DateInfo(None, source="inferred", evidence=["no date in metadata"])))
    assert doc.published.source == "inferred" and doc.published.value is not None
    assert doc.published.evidence[0] == "no date in metadata"
    (t,) = doc.times
    assert t.value is not None and t.anchor == doc.published.value


def test_unknown_language_and_empty_text(stage):
    doc = stage(make_doc("", "de"))
    assert doc.times == [] and doc.event_date is None
    st = TimeStage(fallback_lang=None)
    doc = st(make_doc("2021-06-07 something", "xx"))
    assert doc.times == []


def test_nothing_to_go_on_gives_honest_none(stage):
    doc = stage(make_doc("Die Katze schläft gern in der Sonne.", "de"))
    assert doc.published is not None and doc.published.value is None
    assert doc.event_date is None


def _seed_docs():
    sd = shared_dir()
    if sd is None or not (sd / "corpus" / "seeds" / "expected.json").is_file():
        return []
    exp = json.loads((sd / "corpus" / "seeds" / "expected.json").read_text(encoding="utf-8"))["documents"]
    return [(n, d, (sd / "corpus" / "seeds" / n).read_text(encoding="utf-8")) for n, d in sorted(exp.items())]


SEEDS = _seed_docs()


@pytest.mark.skipif(not SEEDS, reason="shared seed corpus (../shared/corpus/seeds) not available")
@pytest.mark.parametrize("seed", SEEDS, ids=[s[0][:3] for s in SEEDS])
def test_seeds_through_the_stage(stage, seed):
    _name, exp, text = seed
    want = exp["published"]
    pub = None
    if want.get("source") == "byline":  # what the clean stage finds in 003's byline
        pub = DateInfo(want["true"], want["true"], want["true"], "byline", ["byline in the text"], 0.9)
    doc = stage(make_doc(text, exp["lang"], pub))
    lo, hi = want["must_lie_in"]
    assert lo <= doc.published.value <= hi
    if want.get("source"):
        assert doc.published.source == want["source"]
    assert doc.published.evidence
    assert doc.event_date is not None and doc.event_date.evidence
    for t in doc.times:
        assert doc.text[t.start : t.end] == t.text
