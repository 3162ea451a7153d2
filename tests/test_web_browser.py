"""The web UI in real headless Chromium (Debian's /usr/bin/chromium driven by Playwright; Playwright
never downloads a browser here). Set-up: ``bash scripts/setup-browser.sh``.

Screenshots of every page go to a temporary folder (or to $NEWSWEAVE_SCREENSHOTS when set), so a
person can look at what the tests saw."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from newsweave import api
from webcorpus import XSS_MARKER, corpus_db, find_doc, running_server

pytestmark = [pytest.mark.integration, pytest.mark.slow]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return corpus_db(tmp_path_factory)


@pytest.fixture(scope="module")
def base(db: Path) -> Iterator[str]:
    with running_server(db, token="ui-token") as url:
        yield url


@pytest.fixture(scope="module")
def store(db: Path) -> Iterator[Any]:
    s = api.open_db(db)
    yield s
    s.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = os.environ.get("NEWSWEAVE_SCREENSHOTS")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        return Path(target)
    return tmp_path_factory.mktemp("screenshots")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is missing; run scripts/setup-browser.sh")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is missing; run scripts/setup-browser.sh")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture()
def page(browser: Any, base: str) -> Iterator[Any]:
    """A fresh page that fails the test on any JavaScript error, dialog or request off this server."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = ctx.new_page()
    problems: list[str] = []
    pg.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    pg.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
    pg.on("request", lambda r: None if r.url.startswith(base) or r.url.startswith("data:")
          else problems.append(f"external request: {r.url}"))
    pg.set_default_timeout(60_000)
    yield pg
    ctx.close()
    assert not problems, problems


def shot(pg: Any, shots: Path, name: str) -> None:
    pg.screenshot(path=str(shots / f"{name}.png"), full_page=True)


def test_search_page_finds_german_article_for_english_query(page: Any, base: str, store: Any, shots: Path) -> None:
    page.goto(base + "/")
    assert page.title() == "newsweave"
    shot(page, shots, "home")
    assert '"exact phrase"' in page.locator("#search-hint").inner_text()  # the syntax, in one line
    page.fill("form.search input[name=q]", "Stoltenberg Biden Russia dialogue")
    page.press("form.search input[name=q]", "Enter")
    page.wait_for_selector("ol.hits li.hit")
    shot(page, shots, "search")
    target = find_doc(store, "004_91db5c4eda242435.txt")
    if target is None:
        pytest.skip("seed corpus absent")
    top3 = page.eval_on_selector_all("ol.hits li.hit", "els => els.slice(0, 3).map(e => e.dataset.id)")
    assert target in top3
    assert page.locator("li.hit mark").count() > 0  # query words highlighted in snippets
    page.click(".facet[data-facet=lang] a:text-is('de')")
    page.wait_for_selector("ol.hits li.hit")
    langs = page.eval_on_selector_all("li.hit .lang", "els => els.map(e => e.textContent.trim())")
    assert langs and set(langs) == {"de"}


def test_both_spellings_lead_to_the_same_entity_page(page: Any, base: str, store: Any, shots: Path) -> None:
    if store.count("entities") == 0:
        pytest.skip("no entities in this checkout")
    urls = []
    for q in ("Sacharowa", "Zakharova"):
        page.goto(base + "/?q=" + q)
        page.click(".entity-cards a.entity-card >> nth=0")
        page.wait_for_selector("h1.entity-name")
        urls.append(page.url)
    assert urls[0] == urls[1]
    assert "Zakharova" in page.inner_text("h1.entity-name")
    shot(page, shots, "entity-zakharova")


def test_flow_search_article_entity_story(page: Any, base: str, store: Any, shots: Path) -> None:
    page.goto(base + "/?q=" + "Stoltenberg Biden")
    page.click("ol.hits li.hit >> nth=0 >> a.hit-title")
    page.wait_for_selector("article.reader")
    shot(page, shots, "article")
    assert page.locator("#article-text").inner_text().strip()
    if store.count("mentions") == 0:
        pytest.skip("no mentions in this checkout")
    assert page.locator("#article-text a.mention, #article-text a.role").count() > 0
    page.click("#article-text a.mention >> nth=0")
    page.wait_for_selector("h1.entity-name")
    assert page.locator("svg.chart, p.muted:text('no dated mentions')").count() >= 1
    assert page.locator("table.aliases tbody tr").count() >= 1
    shot(page, shots, "entity")
    if page.locator("a.story-link").count() == 0:
        pytest.skip("no stories in this checkout")
    page.click("a.story-link >> nth=0")
    page.wait_for_selector("ol.timeline")
    assert page.locator("svg.timeline-svg circle.dot").count() >= 1
    shot(page, shots, "story")


def test_article_reader_highlights_and_layers(page: Any, base: str, store: Any, shots: Path) -> None:
    doc_id = find_doc(store, "004_91db5c4eda242435.txt") or next(iter(store.iter_records("documents", limit=1)))["id"]
    page.goto(f"{base}/documents/{doc_id}")
    doc = store.get_document(doc_id)
    if doc["removed"]:
        page.click("#removed summary")
        assert page.locator("#removed .removed").count() == len(doc["removed"])
        assert page.locator("#removed .removed >> nth=0").is_visible()
    if store.count("quotes"):
        page.uncheck("#legend input[data-layer=quote]")
        assert "hide-quote" in (page.get_attribute("#article-text", "class") or "")
    shot(page, shots, "reader")


def test_script_in_an_article_is_shown_not_run(page: Any, base: str, store: Any, shots: Path) -> None:
    doc = next(d for d in store.iter_records("documents") if XSS_MARKER in (d["title"] or "") + d["text"])
    page.goto(f"{base}/documents/{doc['id']}")
    assert page.evaluate("() => window.__pwned === undefined")
    assert "<script>window.__pwned" in page.inner_text("#article-text")
    assert page.locator("#article-text script, #article-text img").count() == 0
    page.goto(base + "/?q=" + "ferry timetable script")
    assert page.evaluate("() => window.__pwned === undefined")
    shot(page, shots, "xss")


def test_event_page_shows_sources_side_by_side(page: Any, base: str, store: Any, shots: Path) -> None:
    events = [e for e in store.iter_records("events") if len(e["doc_ids"]) > 1] or list(store.iter_records("events"))
    if not events:
        pytest.skip("no events in this checkout")
    ev = max(events, key=lambda e: len(e["doc_ids"]))
    page.goto(f"{base}/events/{ev['id']}")
    assert page.locator(".side-by-side article.source-col").count() == len(ev["doc_ids"])
    langs = {store.get_document(d)["lang"] for d in ev["doc_ids"]}
    cols = page.locator(".side-by-side section.lang-col")
    assert cols.count() == len(langs)  # one column per language
    if cols.count() > 1:  # side by side: the columns share a row
        boxes = [cols.nth(i).bounding_box() for i in range(min(cols.count(), 4))]
        assert len({round(b["y"]) for b in boxes if b}) == 1
    shot(page, shots, "event")


def test_lists_and_not_found_pages(page: Any, base: str) -> None:
    for path, heading in (("/stories", "Stories"), ("/events", "Events"), ("/entities", "Entities")):
        page.goto(base + path)
        assert page.inner_text("h1") == heading
    resp = page.goto(base + "/documents/ffffffffffffffff")
    assert resp is not None and resp.status == 404
    assert re.search(r"no document", page.inner_text("main"))


def test_api_docs_page_works_offline(page: Any, base: str, shots: Path) -> None:
    # the page fixture fails the test on any request to another host: the assets are served here
    page.goto(base + "/api/v1/docs")
    page.wait_for_selector(".opblock")
    paths = page.eval_on_selector_all(".opblock-summary-path", "els => els.map(e => e.textContent.trim())")
    assert "/api/v1/search" in paths and "/api/v1/documents" in paths
    assert page.locator(".errors-wrapper").count() == 0  # the OpenAPI description rendered without errors
    shot(page, shots, "api-docs")
