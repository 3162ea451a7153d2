"""The clean stage: seed facts from expected.json, own articles in several languages, HTML,
bylines, published precedence, and the offset map back to the raw text."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsweave.errors import EmptyInputError
from newsweave.model import Document, RawItem, Removed, Source
from newsweave.stages.boilerplate import find_boilerplate, find_byline, is_bio_like, is_name_like
from newsweave.stages.clean import CleanStage, compose, raw_offset
from newsweave.stages.ingest import iter_items, to_document

FIX = Path(__file__).parent / "fixtures" / "ingest"
STAGE = CleanStage()


def clean_text(text: str, **source: Any) -> Document:
    doc = Document(raw=text.encode(), format="text", sources=[Source(source="t.txt", **source)], raw_text=text)
    return STAGE(doc)


def clean_file(path: Path) -> Document:
    (item,) = [i for i in iter_items([str(path)]) if isinstance(i, RawItem)]
    return STAGE(to_document(item))


def removed_text(doc: Document) -> str:
    return " ".join(r.text for r in doc.removed)


def assert_offsets_trace(doc: Document) -> None:
    for r in doc.removed:
        assert doc.raw_text[r.start : r.end] == r.text
    for ts, rs, ln in doc.meta["offset_map"]:
        assert doc.text[ts : ts + ln] == doc.raw_text[rs : rs + ln]
    assert sum(ln for _, _, ln in doc.meta["offset_map"]) == len(doc.text)


def test_seed_clean_facts(seeds_dir: Path, seed_expected: dict[str, Any]) -> None:
    for name, exp in seed_expected["documents"].items():
        doc = clean_file(seeds_dir / name)
        assert_offsets_trace(doc)
        rem = removed_text(doc)
        for s in exp["removed_must_include"]:
            assert s in rem and s not in doc.text, f"{name}: boilerplate kept: {s!r}"
        for s in exp["text_must_keep"]:
            assert s in doc.text, f"{name}: text lost: {s!r}"
        if exp["title"]:
            assert doc.title == exp["title"], name
        else:
            assert doc.title is None, f"{name}: no title in the text, got {doc.title!r}"
        pub = exp["published"]
        if pub.get("source") == "byline":
            assert doc.published is not None and doc.published.source == "byline"
            assert doc.published.value == pub["true"] == doc.published.earliest == doc.published.latest
            assert doc.published.evidence and doc.published.confidence >= 0.9
            assert any(r.reason == "byline" for r in doc.removed)
        else:
            assert doc.published is None, f"{name}: no date in metadata or byline"


def test_french_article_boilerplate() -> None:
    doc = clean_file(FIX / "article_fr.txt")
    assert doc.title == "Le conseil municipal adopte le budget des écoles"
    assert doc.published is not None and (doc.published.value, doc.published.source) == ("2023-03-12", "byline")
    assert doc.meta["author"] == "Claire Martin"
    reasons = {r.reason for r in doc.removed}
    assert {"title", "byline", "related-links", "share-prompt", "comment-form"} <= reasons
    assert "Lire aussi" not in doc.text and "Partager" not in doc.text and "Votre adresse" not in doc.text
    assert "L'opposition a voté contre" in doc.text and doc.text.startswith("Le conseil municipal a adopté")
    assert_offsets_trace(doc)


def test_spanish_trailing_related_block() -> None:
    doc = clean_file(FIX / "article_es.txt")
    assert doc.title and doc.title.startswith("El ayuntamiento")
    assert "El metro alarga" not in doc.text and "Compartir" not in doc.text
    assert doc.text.rstrip().endswith("durante las obras.")


def test_german_mid_text_related_line_only() -> None:
    doc = clean_file(FIX / "article_de.txt")
    assert "Lesen Sie auch" not in doc.text
    assert "Kritik kam vom Einzelhandel" in doc.text, "the article goes on after a mid-text link line"
    assert "E-Mail-Adresse" not in doc.text and "Artikel teilen" not in doc.text
    assert doc.published is not None and doc.published.value == "2022-06-03"


@pytest.mark.parametrize(
    "tail, gone, reason",
    [
        ("Leggi anche: Il sindaco presenta il nuovo piano\n\nCondividi su Facebook", "Leggi anche", "related-links"),
        ("Lees ook: Nieuwe brug over de rivier geopend", "Lees ook", "related-links"),
        ("Czytaj także: Nowy most na rzece otwarty", "Czytaj także", "related-links"),
        ("Читайте также: Новый мост открыт для движения", "Читайте также", "related-links"),
        ("We use cookies to give you the best experience. Accept all", "We use cookies", "cookie"),
        ("Subscribe to our newsletter for the day's top stories", "Subscribe", "newsletter"),
        ("Tags: transport, council, trams", "Tags:", "tags"),
    ],
)
def test_boilerplate_families_many_languages(tail: str, gone: str, reason: str) -> None:
    body = ("The regional parliament approved the plan on Thursday after a long debate about costs and "
            "timing.\n\nWork on the first section is due to begin in the autumn, officials said.\n\n")
    doc = clean_text(body + tail)
    assert gone not in doc.text
    assert reason in {r.reason for r in doc.removed}
    assert "Work on the first section" in doc.text


def test_prose_mentioning_markers_is_kept() -> None:
    text = ("Read more than forty pages of the report and you find that the council never costed the plan, "
            "the auditor wrote on Monday in a letter to members.\n\nShare prices fell sharply after the "
            "announcement, traders said, and the company did not comment on the figures.\n\nThe vote is due "
            "next week.")
    doc = clean_text(text)
    assert doc.removed == [] and doc.text == text


def test_author_box_at_end() -> None:
    text = ("Der Stadtrat hat am Mittwoch den Haushalt für das kommende Jahr beschlossen, nachdem die Debatte "
            "bis in den späten Abend gedauert hatte.\n\nDie Opposition kündigte an, gegen einzelne Posten zu "
            "klagen, und verlangte eine neue Abstimmung.\n\nMarta Kowalczyk\n\nCoffee addict. Amateur "
            "photographer. Travel writer. Loves maps.")
    doc = clean_text(text)
    assert "Marta Kowalczyk" not in doc.text and "Coffee addict" not in doc.text
    assert {r.reason for r in doc.removed} == {"author-bio"}
    assert is_name_like("Marta Kowalczyk") and not is_name_like("Der Stadtrat tagte.")
    assert is_bio_like("Coffee addict. Amateur photographer. Travel writer.")
    assert not is_bio_like("The council met on Monday. It approved the budget after a long debate.")


def test_fused_byline_general() -> None:
    title = "Harbour expansion wins final approval"
    body = (f"{title}\nLocal, Business May 9, 2023 3 Comments on {title}The port authority approved the "
            "expansion on Monday after a decade of planning.\nConstruction starts in the summer.")
    doc = clean_text(body)
    assert doc.title == title
    assert doc.text.startswith("The port authority approved")
    assert doc.published is not None and doc.published.value == "2023-05-09"
    assert doc.published.evidence == ["byline: 'May 9, 2023'"]
    by = find_byline("Von Max Muster | 12.01.2021\nText beginnt hier.", 0)
    assert by is not None and by.date == "2021-01-12" and by.author == "Max Muster"
    assert find_byline("June 3, 2022 was the day the treaty was finally signed in the capital.", 0) is None


def test_metadata_date_and_title_win() -> None:
    text = "Some headline here\n\nBy Jo Lee | June 3, 2022\n\nThe committee met again on Friday to discuss it."
    doc = clean_text(text, published="2022-06-05T10:00:00Z", title="The real title")
    assert doc.published is not None and (doc.published.value, doc.published.source) == ("2022-06-05", "metadata")
    assert doc.title == "The real title"
    assert "June 3, 2022" not in doc.text, "the byline is still removed"


def test_html_page(tmp_path: Path) -> None:
    doc = clean_file(FIX / "page_en.html")
    assert doc.format == "html"
    assert doc.title == "City council approves new tram line"
    assert doc.published is not None and (doc.published.value, doc.published.source) == ("2023-03-14", "html")
    assert "Thirty-one councillors backed the plan" in doc.text
    for junk in ("Post Comment", "waste of money", "We use cookies", "Home"):
        assert junk not in doc.text
    info = doc.meta["html_extraction"]
    assert info["method"] == "trafilatura" and info["text_chars"] == len(doc.raw_text)
    assert_offsets_trace(doc)


def test_truncated_html_extracted(tmp_path: Path) -> None:
    p = tmp_path / "cut.html"
    p.write_text("<html><head><title>Neue Brücke</title></head><body><article><p>Der Stadtrat von Bonn hat am "
                 "Mittwoch den Bau einer neuen Brücke beschlossen, sagte der Oberbürgermeister nach der Sitzung."
                 "</p><p>Die Arbeiten sollen im Frühjahr begin", encoding="utf-8")
    doc = clean_file(p)
    assert "neuen Brücke beschlossen" in doc.text


def test_raw_offset_lookup() -> None:
    doc = clean_text("Title of the piece\n\nFirst paragraph of the text here.\n\nRead more\nLink one\nLink two")
    i = doc.text.index("paragraph")
    assert doc.raw_text[raw_offset(doc.meta["offset_map"], i) or 0 :].startswith("paragraph")


@settings(max_examples=150, deadline=None)
@given(
    st.text(alphabet=st.sampled_from("ab \t\n\u00a0.X"), max_size=120),
    st.lists(st.tuples(st.integers(0, 120), st.integers(0, 20)), max_size=6),
)
def test_compose_offset_map_roundtrip(text: str, cuts: list[tuple[int, int]]) -> None:
    spans = sorted({(min(a, len(text)), min(a + n, len(text))) for a, n in cuts})
    disjoint: list[Removed] = []
    for a, b in spans:
        if not disjoint or a >= disjoint[-1].end:
            disjoint.append(Removed(a, b, "x", text[a:b]))
    out, segs = compose(text, disjoint)
    assert "\n\n\n" not in out and out == out.strip()
    assert sum(ln for _, _, ln in segs) == len(out)
    for ts, rs, ln in segs:
        assert out[ts : ts + ln] == text[rs : rs + ln]
        assert not any(r.start <= rs < r.end for r in disjoint)


def test_find_boilerplate_offsets_are_into_text() -> None:
    text = "Body sentence that is long enough to count as the article itself, it seems.\n\nLeave a comment\nName *"
    spans = find_boilerplate(text)
    assert [(r.reason, text[r.start : r.end]) for r in spans] == [("comment-form", "Leave a comment"),
                                                                   ("comment-form", "Name *")]


def test_sample_corpus_clean_facts() -> None:
    """Every clean fact of the bundled sample corpus (its expected.json): boilerplate, titles, dates."""
    import json

    from newsweave.paths import SAMPLE_DIR

    truth_path = SAMPLE_DIR / "expected.json"
    if not truth_path.is_file():
        pytest.skip("the sample corpus has no expected.json yet")
    truth = json.loads(truth_path.read_text(encoding="utf-8"))["documents"]
    root = str(SAMPLE_DIR / "corpus")
    docs = {i.source.source[len(root) + 1 :]: STAGE(to_document(i))
            for i in iter_items([root]) if isinstance(i, RawItem)}  # fmt: skip
    failures = []
    for key, exp in truth.items():
        doc = docs.get(key)
        if doc is None:
            failures.append(f"{key}: not read")
            continue
        rem = removed_text(doc)
        failures += [f"{key}: kept {s!r}" for s in exp.get("removed_must_include", []) if s not in rem or s in doc.text]
        failures += [f"{key}: lost {s!r}" for s in exp.get("text_must_keep", []) if s not in doc.text]
        if exp.get("title") and doc.title != exp["title"]:
            failures.append(f"{key}: title {doc.title!r}")
        given = exp.get("published", {}).get("given")
        got = (doc.published.value, doc.published.source) if doc.published else None
        if given in ("metadata", "html", "byline") and got != (exp["published"]["true"], given):
            failures.append(f"{key}: published {got}")
        if given == "none" and got is not None:
            failures.append(f"{key}: published {got}, the corpus gives none")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("first", ["WASHINGTON (AP) --", "NAIROBI, August 21 (Xinhua) --", "BERLIN, 3. Juni (dpa) -"])
def test_dateline_is_not_a_title(first: str) -> None:
    doc = clean_text(f"{first}\nThe talks ended on Friday without an agreement, officials said after the meeting.")
    assert doc.title is None and doc.text.startswith(first)


_LINES = st.sampled_from([
    "Leave a comment", "Mehr zum Thema – Ein Link", "Marta Kowalczyk", "Coffee addict. Writer. Runner.",
    "Europe, News June 3, 2022 No Comments on A Title", "Share this:", "By Jo Lee | May 9, 2023",
    "The council met on Monday and approved the plan after a long debate about the costs.", "", " ",
    "Kurzer Titel ohne Punkt", "Name *", "Tags: a, b", "„Zitat.“ Er sagte es.",
])


@settings(max_examples=150, deadline=None)
@given(st.lists(_LINES, min_size=1, max_size=12), st.sampled_from(["\n", "\n\n", "\r\n"]))
def test_clean_any_mix_traces_offsets(lines: list[str], sep: str) -> None:
    text = sep.join(lines)
    try:
        doc = clean_text(text)
    except EmptyInputError:
        return
    assert doc.text.strip() and "\n\n\n" not in doc.text
    assert_offsets_trace(doc)
    spans = [(r.start, r.end) for r in doc.removed]
    assert spans == sorted(spans) and all(a < b <= c for (a, b), (c, _) in pairwise(spans))
