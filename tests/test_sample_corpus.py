"""The bundled sample corpus is well formed and its truth file is consistent with the files.

These tests read only the corpus and expected.json (no pipeline), so they are fast; the stage
tests assert the facts themselves.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections import Counter
from datetime import date
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser

import pytest

from newsweave import sample
from newsweave.errors import InputError
from newsweave.paths import SAMPLE_DIR, shared_dir

EXP = sample.expected()
DOCS: dict[str, dict] = EXP["documents"]
EVENTS: dict[str, dict] = EXP["events"]
CORPUS = sample.corpus_dir()
GIVEN = {"metadata", "html", "byline", "none"}
DOC_SUFFIXES = {".txt", ".html", ".jsonl", ".xml"}


_FURNITURE = {"header", "footer", "aside", "figure", "form", "nav"}


class _ArticleText(HTMLParser):
    """Paragraph text of the article body of a sample page: the plain <p> elements (no class, not
    in a header, footer, aside, figure or form) of the <article> element, or (for a page without
    one) of the element marked ``itemprop="articleBody"``."""

    def __init__(self, use_article: bool) -> None:
        super().__init__()
        self.use_article = use_article
        self.stack: list[bool] = []  # per open element: is it the body container?
        self.furniture: list[bool] = []  # per open element: is it page furniture?
        self.in_p = 0
        self.parts: list[str] = []
        self.tags: set[str] = set()

    def _is_body(self, tag: str, attrs: list[tuple[str, str | None]]) -> bool:
        if self.use_article:
            return tag == "article"
        return ("itemprop", "articleBody") in attrs

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        if tag in {"img", "input", "meta", "link", "br", "hr"}:
            return  # void elements never close
        self.stack.append(self._is_body(tag, attrs))
        self.furniture.append(tag in _FURNITURE or (tag == "p" and any(k == "class" for k, _ in attrs)))
        if tag == "p" and any(self.stack) and not any(self.furniture):
            self.in_p += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "p" and self.in_p:
            self.in_p -= 1
        if self.stack:
            self.stack.pop()
            self.furniture.pop()

    def handle_data(self, data: str) -> None:
        if self.in_p:
            self.parts.append(data)


def _article_text(html: str) -> tuple[str, set[str]]:
    """Whitespace-normalised paragraph text of the article body, and the tags seen."""
    p = _ArticleText(use_article=True)
    p.feed(html)
    if "article" not in p.tags:
        p = _ArticleText(use_article=False)
        p.feed(html)
    return " ".join(" ".join(p.parts).split()), p.tags


def _norm(text: str) -> str:
    return " ".join(text.split())


def _body_words(key: str) -> int:
    text = sample.source_text(key)
    if key.endswith(".html"):
        text = _article_text(text)[0]
    elif key.split("#")[0].endswith(".xml"):
        text = re.sub(r"<[^>]+>", " ", text)
    return len(text.split())


def _day(value: str) -> date:
    return date.fromisoformat(value[:10])


# ---- files <-> truth -------------------------------------------------------------------------


def test_every_document_in_truth_exists_and_every_file_is_described() -> None:
    files = {p.name for p in CORPUS.iterdir() if p.suffix in DOC_SUFFIXES}
    described = {k.split("#")[0] for k in DOCS}
    assert files == described
    for key in DOCS:
        assert sample.source_text(key).strip(), key
    # every record/item is described, no more, no less
    for p in CORPUS.iterdir():
        if p.suffix == ".jsonl":
            assert {k for k in DOCS if k.startswith(p.name + "#")} == {
                f"{p.name}#{i}" for i in range(1, len(sample.jsonl_records(p)) + 1)
            }
        if p.suffix == ".xml":
            assert {k for k in DOCS if k.startswith(p.name + "#")} == {
                f"{p.name}#{i}" for i in range(1, len(sample.feed_items(p)) + 1)
            }
    others = {p.name for p in CORPUS.iterdir()} - files
    assert all(n.endswith(".meta.json") for n in others), others


def test_sample_dir_is_the_one_paths_names() -> None:
    assert SAMPLE_DIR.resolve() == sample.SAMPLE_DIR
    assert (SAMPLE_DIR / "README.md").is_file()


def test_size_and_languages() -> None:
    assert len(DOCS) >= 40
    langs = Counter(d["lang"] for d in DOCS.values())
    assert {"de", "en", "fr"} <= set(langs) and len(langs) >= 3
    assert langs["fr"] >= 5
    assert 2 <= langs["es"] + langs["it"] <= 3


def test_articles_are_120_to_450_words() -> None:
    for key in DOCS:
        assert 120 <= _body_words(key) <= 450, (key, _body_words(key))


def test_bad_keys_are_explained() -> None:
    with pytest.raises(InputError, match="only"):
        sample.source_text("partner-export.jsonl#99")
    with pytest.raises(InputError, match="no such file"):
        sample.source_text("missing.txt")
    with pytest.raises(InputError, match="positive integer"):
        sample.split_key("newsdesk-feed.xml#x")


# ---- formats ---------------------------------------------------------------------------------


def test_jsonl_export_parses_and_exactly_one_record_has_no_date() -> None:
    [path] = list(CORPUS.glob("*.jsonl"))
    records = sample.jsonl_records(path)
    assert len(records) >= 5
    for r in records:
        assert {"title", "text", "url", "source", "language"} <= set(r), r.keys()
    assert sum(1 for r in records if not (r.get("published") or r.get("date"))) == 1


def test_feed_parses_with_stdlib_and_items_have_pubdate() -> None:
    [path] = list(CORPUS.glob("*.xml"))
    root = ET.parse(path).getroot()
    assert root.tag == "rss" and root.get("version") == "2.0"
    items = sample.feed_items(path)
    assert len(items) >= 4
    for it in items:
        assert it["title"] and it["link"] and it["content"]
        assert it["pubDate"] and parsedate_to_datetime(it["pubDate"]).year >= 2000


def test_html_pages_look_real() -> None:
    pages = sorted(CORPUS.glob("*.html"))
    assert len(pages) >= 4
    with_time_and_og = 0
    for page in pages:
        html = page.read_text(encoding="utf-8")
        body, tags = _article_text(html)
        assert "article" in tags or "main" in tags, page.name
        assert len(body.split()) >= 120, page.name
        assert {"nav", "header", "footer", "form"} <= tags, (page.name, tags)
        assert re.search(r"cookie", html, re.I), page.name
        if "<time datetime=" in html and 'property="og:title"' in html:
            with_time_and_og += 1
    assert with_time_and_og >= 1


def test_sidecars() -> None:
    sidecars = sorted(CORPUS.glob("*.meta.json"))
    assert 3 <= len(sidecars) <= 4
    for s in sidecars:
        meta = json.loads(s.read_text(encoding="utf-8"))
        assert {"url", "outlet", "published", "author"} <= set(meta), s.name
        stem = s.name.removesuffix(".meta.json")
        assert [p for p in CORPUS.glob(stem + ".*") if p != s], f"{s.name} describes no file"


# ---- truth consistency -----------------------------------------------------------------------


def test_stories_events_and_documents_agree() -> None:
    stories = {s["key"]: s for s in EXP["stories"]}
    assert len(stories) >= 3
    for s in stories.values():
        assert len(s["events"]) >= 3, s["key"]
        dates = [EVENTS[e]["date"] for e in s["events"]]
        assert dates == sorted(dates), s["key"]
        assert all(EVENTS[e]["story"] == s["key"] for e in s["events"])
    used = Counter(d["event"] for d in DOCS.values())
    assert set(used) == set(EVENTS), set(EVENTS) ^ set(used)
    for key, d in DOCS.items():
        ev = EVENTS[d["event"]]
        assert d["story"] == ev["story"], key
        assert d["story"] is None or d["story"] in stories
    singles = [k for k, e in EVENTS.items() if e["story"] is None]
    assert 4 <= len(singles) <= 6
    # the trap: a NATO event that is not part of any NATO story
    assert any("ORG:nato" in EVENTS[k]["actors"] for k in singles)


def test_every_story_has_several_languages_and_undated_documents() -> None:
    for s in EXP["stories"]:
        docs = [d for d in DOCS.values() if d["story"] == s["key"]]
        assert len({d["lang"] for d in docs}) >= 2, s["key"]
        assert any(d["published"]["given"] == "none" for d in docs), s["key"]


def test_published_truth_is_consistent_with_the_files() -> None:
    given: Counter[str] = Counter()
    for key, d in DOCS.items():
        pub = d["published"]
        given[pub["given"]] += 1
        assert pub["given"] in GIVEN, key
        lo, hi = (_day(x) for x in pub["must_lie_in"])
        true = _day(pub["true"])
        assert lo <= true <= hi, key
        assert _day(EVENTS[d["event"]]["date"]) <= true or pub["given"] != "none", key
        path, num = sample.split_key(key)
        text = sample.source_text(key)
        meta = sample.sidecar(path) if num is None else None
        if num is not None and path.suffix == ".jsonl":
            rec = sample.jsonl_records(path)[num - 1]
            stated = rec.get("published") or rec.get("date")
            assert bool(stated) == (pub["given"] == "metadata"), key
            if stated:
                assert _day(stated) == true, key
        elif num is not None:
            stated = sample.feed_items(path)[num - 1]["pubDate"]
            assert pub["given"] == "metadata" and stated, key
            assert parsedate_to_datetime(stated).date() == true, key
        elif meta is not None:
            assert pub["given"] == "metadata" and _day(meta["published"]) == true, key
        elif pub["given"] == "byline":
            first = text.splitlines()[0]
            assert first.startswith(d["byline"]) and d["title"] in first, key
        elif pub["given"] == "html":
            assert path.suffix == ".html" and pub["true"] in text, key
        else:
            assert pub["given"] == "none", key
            if path.suffix == ".html":
                assert not re.search(r"datetime=|datePublished|published_time|name=\"date\"", text), key
    assert given["none"] >= 10 and given["byline"] >= 4 and given["metadata"] >= 8 and given["html"] >= 3


def test_titles_are_in_the_sources() -> None:
    for key, d in DOCS.items():
        path, num = sample.split_key(key)
        if num is None:
            assert d["title"] in path.read_text(encoding="utf-8").replace("&amp;", "&"), key
        elif path.suffix == ".jsonl":
            assert sample.jsonl_records(path)[num - 1]["title"] == d["title"], key
        else:
            assert sample.feed_items(path)[num - 1]["title"] == d["title"], key


def test_near_duplicates_and_translations() -> None:
    nd, tr = EXP["near_duplicates"], EXP["translations"]
    assert 2 <= len(nd) <= 3 and 3 <= len(tr) <= 4
    for a, b in nd:
        assert DOCS[a]["event"] == DOCS[b]["event"] and DOCS[a]["lang"] == DOCS[b]["lang"]
        wa, wb = (set(re.findall(r"\w+", sample.source_text(k).lower())) for k in (a, b))
        assert len(wa & wb) / len(wa | wb) > 0.7, (a, b)  # really near copies
    for group in tr:
        assert len({DOCS[k]["event"] for k in group}) == 1, group
        assert len({DOCS[k]["lang"] for k in group}) == len(group), group
    # different reports of one event that are neither copies nor translations exist too
    paired = {k for pair in nd for k in pair} | {k for g in tr for k in g}
    assert sum(1 for k in DOCS if k not in paired and DOCS[k]["story"]) >= 10


def test_boilerplate_and_kept_text_are_where_the_truth_says() -> None:
    checked = 0
    for key, d in DOCS.items():
        text = sample.source_text(key)
        for s in d.get("removed_must_include", []) + d.get("text_must_keep", []):
            assert _norm(s) in _norm(text), (key, s)
            checked += 1
        if "text_must_exclude" in d:
            body, _ = _article_text(text)
            for s in d["text_must_exclude"]:
                assert s in _norm(text) and s not in body, (key, s)
            for s in d["text_must_keep"]:
                assert s in body, (key, s)
    assert checked >= 40
    langs_with_boilerplate = {d["lang"] for d in DOCS.values() if d.get("removed_must_include")}
    assert {"de", "en", "fr", "es", "it"} <= langs_with_boilerplate


def test_quotes_and_roles_are_in_their_documents() -> None:
    kinds: Counter[str] = Counter()
    styles = set()
    for q in EXP["quotes"]:
        text = _norm(sample.source_text(q["doc"]))
        assert q["text"] in text, q
        assert q["speaker_key"].startswith("PER:") and q["kind"] in {"direct", "indirect"}
        kinds[q["kind"]] += 1
        if q["kind"] == "direct":
            i = text.index(q["text"])
            styles.add(text[max(0, i - 1)])
    assert kinds["direct"] >= 10 and kinds["indirect"] >= 5
    assert {"„", "»", "“", '"', "«"} <= styles, styles
    for r in EXP["role_mentions"]:
        assert r["text"] in sample.source_text(r["doc"]), r


def test_entity_keys_look_canonical() -> None:
    pattern = re.compile(r"^(PER|ORG|LOC|MISC):[a-z0-9]+(-[a-z0-9]+)*$")
    keys = [k for d in DOCS.values() for k in d.get("entities_must_include", [])]
    keys += [k for e in EVENTS.values() for k in e["actors"]] + [q["speaker_key"] for q in EXP["quotes"]]
    assert len(keys) > 50
    assert all(pattern.match(k) for k in keys), [k for k in keys if not pattern.match(k)]


# ---- own words -------------------------------------------------------------------------------


def _shingles(text: str, n: int = 8) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.lower())
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def test_no_text_shared_with_the_seeds() -> None:
    shared = shared_dir()
    if shared is None or not (shared / "corpus" / "seeds").is_dir():
        pytest.skip("shared seed corpus not available")
    seeds: set[tuple[str, ...]] = set()
    for p in (shared / "corpus" / "seeds").glob("*.txt"):
        seeds |= _shingles(p.read_text(encoding="utf-8"))
    for key in DOCS:
        common = _shingles(sample.source_text(key)) & seeds
        assert not common, (key, sorted(common)[:3])


def test_corpus_files_are_utf8_without_bom() -> None:
    for p in CORPUS.iterdir():
        raw = p.read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf"), p.name
        raw.decode("utf-8")


def test_readme_counts_are_true() -> None:
    readme = (SAMPLE_DIR / "README.md").read_text(encoding="utf-8")
    langs = Counter(d["lang"] for d in DOCS.values())
    names = {"en": "English", "de": "German", "fr": "French", "es": "Spanish", "it": "Italian"}
    summary = f"{len(DOCS)} documents: " + ", ".join(
        f"{n} {names[lang]}" for lang, n in sorted(langs.items(), key=lambda kv: -kv[1])
    )
    assert summary in readme
    undated = sum(1 for d in DOCS.values() if d["published"]["given"] == "none")
    assert f"**Undated articles**: {undated} documents" in readme
    assert f"{len(EXP['quotes'])} quotes" in readme
