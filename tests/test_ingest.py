"""Ingest: readers for every format, sidecar/manifest metadata, encodings, and bad inputs."""

from __future__ import annotations

import gzip
import io
import json
import os
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsweave.errors import EmptyInputError, InputError
from newsweave.model import RawItem
from newsweave.stages.ingest import iter_items, read_manifest, to_document

FIX = Path(__file__).parent / "fixtures" / "ingest"
ARTICLE = (
    "Die Stadtwerke erhöhen die Preise für Fernwärme ab dem kommenden Jahr deutlich, teilte das "
    "Unternehmen am Dienstag mit. Größere Haushalte müssen mit höheren Kosten rechnen."
)


def split(results: list[RawItem | InputError]) -> tuple[list[RawItem], list[InputError]]:
    items = [r for r in results if isinstance(r, RawItem)]
    errors = [r for r in results if isinstance(r, InputError)]
    assert len(items) + len(errors) == len(results)
    return items, errors


def run(*paths: str | Path, **kw: object) -> tuple[list[RawItem], list[InputError]]:
    return split(list(iter_items([str(p) for p in paths], **kw)))  # type: ignore[arg-type]


def test_directory_recursive_skips_hidden_and_sidecars(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "sub" / "b.txt").write_text(ARTICLE + " Zweiter Text.", encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "a.txt.meta.json").write_text(json.dumps({"url": "https://x.example/a", "published": "2021-05-04",
                                                          "outlet": "X", "tag": "local"}), encoding="utf-8")
    items, errors = run(tmp_path)
    assert errors == []
    assert sorted(Path(i.source.source).name for i in items) == ["a.txt", "b.txt"]
    a = next(i for i in items if i.source.source.endswith("a.txt"))
    assert (a.source.url, a.source.published, a.source.outlet) == ("https://x.example/a", "2021-05-04", "X")
    assert a.source.extra["tag"] == "local"
    items, _ = run(tmp_path, recursive=False)
    assert [Path(i.source.source).name for i in items] == ["a.txt"]
    items, _ = run(tmp_path, pattern="b.*")
    assert [Path(i.source.source).name for i in items] == ["b.txt"]


def test_stem_sidecar_and_manifests(tmp_path: Path) -> None:
    (tmp_path / "one.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "two.txt").write_text(ARTICLE + " Noch ein Satz.", encoding="utf-8")
    (tmp_path / "one.meta.json").write_text('{"author": "Eva Roth"}', encoding="utf-8")
    (tmp_path / "m.csv").write_text("path,outlet,date,language\none.txt,Blatt,2020-01-02,de\n", encoding="utf-8")
    (tmp_path / "m.jsonl").write_text('{"file": "two.txt", "title": "Zwei", "url": "https://z.example"}\n',
                                      encoding="utf-8")
    items, errors = run(tmp_path / "one.txt", manifest=str(tmp_path / "m.csv"))
    assert not errors
    s = items[0].source
    assert (s.author, s.outlet, s.published, s.lang) == ("Eva Roth", "Blatt", "2020-01-02", "de")
    rows = read_manifest(str(tmp_path / "m.jsonl"))
    assert rows[str((tmp_path / "two.txt").resolve())]["title"] == "Zwei"
    # a manifest inside the folder being ingested is not itself ingested
    items, errors = run(tmp_path, manifest=str(tmp_path / "m.jsonl"), pattern="*.*")
    names = sorted(Path(i.source.source).name for i in items)
    assert "m.jsonl" not in names and "two.txt" in names


def test_html_json_feeds(tmp_path: Path) -> None:
    items, errors = run(FIX / "page_en.html", FIX / "records.jsonl", FIX / "feed.rss", FIX / "feed.atom")
    by_src = {i.source.source: i for i in items}
    html = by_src[str(FIX / "page_en.html")]
    assert html.format == "html" and html.html and "<article>" in html.html
    rec = by_src[f"{FIX / 'records.jsonl'}#1"]
    assert (rec.source.title, rec.source.published, rec.source.outlet) == (
        "Library extends opening hours", "2022-09-16", "citynews.example")
    assert rec.source.author == "Lea Brandt, Tom Okafor" and rec.source.lang == "en"
    assert by_src[f"{FIX / 'records.jsonl'}#4"].html is not None, "HTML in a text field is HTML"
    rss = by_src[f"{FIX / 'feed.rss'}#1"]
    assert rss.format == "feed-item" and rss.html and rss.source.url == "https://harbour.example/ferry-resumes"
    assert rss.source.published is not None and rss.source.published.startswith("2023-02-06")
    assert rss.source.author == "Ola Nordmann" and rss.source.outlet == "Harbour Times"
    assert by_src[f"{FIX / 'feed.rss'}#2"].text is not None
    atom = by_src[f"{FIX / 'feed.atom'}#1"]
    assert (atom.source.url, atom.source.author) == ("https://valley.example/bridge", "Ana Souza")
    bad = sorted(e.source for e in errors)
    assert bad == [f"{FIX / 'feed.rss'}#3", f"{FIX / 'records.jsonl'}#2", f"{FIX / 'records.jsonl'}#3"]
    assert "line 2" in str(errors[[e.source for e in errors].index(f"{FIX / 'records.jsonl'}#2")])


def test_json_list_wrapper_and_field_map(tmp_path: Path) -> None:
    recs = [{"hl": "Eins", "story": ARTICLE}, {"hl": "Zwei", "story": ARTICLE + " Mehr."}, {"hl": "leer"}]
    (tmp_path / "list.json").write_text(json.dumps({"articles": recs, "count": 3}), encoding="utf-8")
    items, errors = run(tmp_path / "list.json", field_map={"text": "story", "title": "hl"})
    assert [i.source.title for i in items] == ["Eins", "Zwei"]
    assert [i.source.source.rsplit("#", 1)[1] for i in items] == ["1", "2"]
    assert len(errors) == 1 and errors[0].source.endswith("#3")
    (tmp_path / "one.json").write_text(json.dumps({"text": ARTICLE, "meta": {"url": "u"}}), encoding="utf-8")
    items, _ = run(tmp_path / "one.json", field_map={"url": "meta.url"})
    assert items[0].source.source == str(tmp_path / "one.json") and items[0].source.url == "u"
    _, errors = run(tmp_path / "one.json", field_map={"bogus": "x"})
    assert "valid names" in str(errors[0])


@pytest.mark.parametrize("enc", ["latin-1", "cp1252", "utf-16", "utf-8-sig"])
def test_encodings(tmp_path: Path, enc: str) -> None:
    p = tmp_path / "t.txt"
    p.write_bytes((ARTICLE + " Das kostet 5 € mehr." if enc != "latin-1" else ARTICLE).encode(enc))
    items, errors = run(p)
    assert not errors
    doc = to_document(items[0])
    assert "Fernwärme" in doc.raw_text and "\ufeff" not in doc.raw_text
    assert items[0].encoding and doc.raw == p.read_bytes()


def test_bad_inputs_each_reported_once(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.txt").write_bytes(b"  \n\n ")
    (tmp_path / "nul.txt").write_bytes(b"abc\x00\x01\x02def" * 50)
    (tmp_path / "img.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(200))
    (tmp_path / "broken.json").write_text('{"title": "x", "text": ', encoding="utf-8")
    (tmp_path / "big.txt").write_text(ARTICLE * 20, encoding="utf-8")
    (tmp_path / "ok.txt").write_text(ARTICLE, encoding="utf-8")
    with gzip.open(tmp_path / "cut.txt.gz", "wb") as fh:
        fh.write((ARTICLE * 50).encode())
    data = (tmp_path / "cut.txt.gz").read_bytes()
    (tmp_path / "cut.txt.gz").write_bytes(data[: len(data) // 2])
    items, errors = run(tmp_path, tmp_path / "missing.txt", max_bytes=2000)
    assert [Path(i.source.source).name for i in items] == ["ok.txt"]
    reasons = {Path(e.source).name: e.reason for e in errors}
    assert len(errors) == len(reasons) == 8
    assert "empty" in reasons["empty.txt"] and "whitespace" in reasons["blank.txt"]
    assert "NUL" in reasons["nul.txt"] and "PNG" in reasons["img.txt"]
    assert "invalid JSON" in reasons["broken.json"] and "max_bytes" in reasons["big.txt"]
    assert "gzip" in reasons["cut.txt.gz"] and "no such file" in reasons["missing.txt"]
    assert isinstance(next(e for e in errors if e.source.endswith("empty.txt")), EmptyInputError)


def test_truncated_html_still_read(tmp_path: Path) -> None:
    p = tmp_path / "t.html"
    p.write_text("<html><body><article><p>" + ARTICLE + "</p><p>Die Arbeiten sollen im Frühjahr begin",
                 encoding="utf-8")
    items, errors = run(p)
    assert not errors and items[0].format == "html"


def test_gzipped_jsonl_and_content_sniffing(tmp_path: Path) -> None:
    with gzip.open(tmp_path / "r.jsonl.gz", "wt", encoding="utf-8") as fh:
        fh.write(json.dumps({"text": ARTICLE}) + "\n")
    (tmp_path / "noext").write_text("<!DOCTYPE html><html><body><p>" + ARTICLE + "</p></body></html>")
    (tmp_path / "feed.xml").write_bytes((FIX / "feed.atom").read_bytes())
    items, errors = run(tmp_path)
    assert not errors
    assert sorted(i.format for i in items) == ["feed-item", "html", "json"]


def _write_warc(path: Path, *, gz: bool = True) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with open(path, "wb") as fh:
        w = WARCWriter(fh, gzip=gz)
        pages = [("https://w.example/a", "text/html; charset=utf-8", f"<html><body><p>{ARTICLE}</p></body></html>"),
                 ("https://w.example/logo.png", "image/png", "PNGDATA"),
                 ("https://w.example/b", "text/html", f"<html><body><p>{ARTICLE} Zweite Seite.</p></body></html>")]
        for url, ctype, body in pages:
            headers = StatusAndHeaders("200 OK", [("Content-Type", ctype)], protocol="HTTP/1.1")
            rec = w.create_warc_record(url, "response", payload=io.BytesIO(body.encode()), http_headers=headers)
            w.write_record(rec)


def test_warc_records(tmp_path: Path) -> None:
    _write_warc(tmp_path / "a.warc.gz")
    items, errors = run(tmp_path / "a.warc.gz")
    assert not errors
    assert [i.source.url for i in items] == ["https://w.example/a", "https://w.example/b"]
    assert all(i.format == "warc-record" and i.source.fetched for i in items)
    assert [i.source.source.rsplit("#", 1)[1] for i in items] == ["1", "3"]


@pytest.mark.parametrize("gz", [True, False])
@pytest.mark.parametrize("keep", [0.8, 0.95])
def test_truncated_warc_reported_once(tmp_path: Path, gz: bool, keep: float) -> None:
    name = "a.warc.gz" if gz else "a.warc"
    _write_warc(tmp_path / name, gz=gz)
    data = (tmp_path / name).read_bytes()
    (tmp_path / name).write_bytes(data[: int(len(data) * keep)])
    items, errors = run(tmp_path / name)
    assert [i.source.url for i in items] == ["https://w.example/a"], "the good record before the cut lands"
    assert len(errors) == 1 and "WARC" in str(errors[0]), errors


def test_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    class FakeStdin:
        buffer = io.BytesIO(json.dumps([{"text": ARTICLE}]).encode())

    monkeypatch.setattr(sys, "stdin", FakeStdin())
    items, errors = run("-")
    assert not errors and items[0].source.source == "-#1" and items[0].format == "json"


def test_to_document_formats() -> None:
    items, _ = run(FIX / "page_en.html", FIX / "records.jsonl")
    html_doc = to_document(items[0])
    assert html_doc.format == "html" and html_doc.raw == (FIX / "page_en.html").read_bytes() and not html_doc.raw_text
    rec_doc = to_document(items[1])
    assert rec_doc.format == "text" and rec_doc.raw_text.startswith("The central library")
    assert rec_doc.sources[0].extra["container"] == "json"


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=600), st.sampled_from(["x.txt", "x.json", "x.jsonl", "x.html", "x.xml", "x.warc", "x"]))
def test_arbitrary_bytes_never_raise(tmp_path_factory: pytest.TempPathFactory, data: bytes, name: str) -> None:
    p = tmp_path_factory.mktemp("fuzz") / name
    p.write_bytes(data)
    items, errors = split(list(iter_items([str(p)])))
    assert items or errors
    for i in items:
        doc = to_document(i)
        assert doc.format in ("text", "html")
