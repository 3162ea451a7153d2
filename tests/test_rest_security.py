"""Bad and hostile input against a real server: auth, XSS, private URLs, sizes, encodings, ids,
page sizes and malformed queries. Each answer has the right status and the JSON error shape,
nothing is written, and the server stays up."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from newsweave import api
from newsweave.errors import InputError
from newsweave.rest.netguard import check_url, is_public
from newsweave.store import KINDS
from test_rest import assert_error
from webcorpus import XSS_MARKER, corpus_db, running_server

pytestmark = [pytest.mark.integration, pytest.mark.slow]

TOKEN = "s3cret-token"
READ_TOKEN = "reader-token"
MAX_BODY = 20_000


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return corpus_db(tmp_path_factory)


@pytest.fixture(scope="module")
def client(db: Path) -> Iterator[httpx.Client]:
    with running_server(db, token=TOKEN, max_body=MAX_BODY) as base, httpx.Client(base_url=base, timeout=60) as c:
        yield c


@pytest.fixture()
def counts(db: Path) -> Iterator[Any]:
    """Asserts that the test wrote nothing: every record count is the same afterwards."""
    store = api.open_db(db)
    before = {k: store.count(k) for k in KINDS}
    yield before
    assert {k: store.count(k) for k in KINDS} == before
    store.close()


AUTH = {"Authorization": f"Bearer {TOKEN}"}
BODY = b"Harbour pilots strike\n\nHarbour pilots went on strike on Friday over pay and rest periods.\n"


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {TOKEN}"},
                                     {"Authorization": "Bearer"}, {"Authorization": TOKEN}])
def test_write_without_the_right_token_is_401_and_stores_nothing(client: httpx.Client, counts: Any,
                                                                  headers: dict[str, str]) -> None:
    r = client.post("/api/v1/documents", content=BODY, headers={**headers, "Content-Type": "text/plain"})
    assert_error(r, 401, "unauthorized")
    assert r.headers.get("www-authenticate") == "Bearer"


def test_delete_without_token_is_401_and_deletes_nothing(client: httpx.Client, counts: Any) -> None:
    doc = client.get("/api/v1/documents", params={"limit": 1}).json()["data"][0]
    assert_error(client.delete(f"/api/v1/documents/{doc['id']}"), 401)
    assert client.get(f"/api/v1/documents/{doc['id']}").status_code == 200


def test_writes_are_refused_when_no_token_is_configured(db: Path, counts: Any) -> None:
    with running_server(db) as base:
        r = httpx.post(f"{base}/api/v1/documents", content=BODY, headers={**AUTH, "Content-Type": "text/plain"})
        assert_error(r, 403, "forbidden")


def test_read_token_protects_reads(db: Path) -> None:
    with running_server(db, token=TOKEN, read_token=READ_TOKEN) as base:
        assert_error(httpx.get(f"{base}/api/v1/documents"), 401)
        assert_error(httpx.get(f"{base}/api/v1/search", params={"q": "x"}, headers={"Authorization": "Bearer no"}), 401)
        assert httpx.get(f"{base}/api/v1/documents", headers={"Authorization": f"Bearer {READ_TOKEN}"}).status_code == 200
        assert httpx.get(f"{base}/api/v1/documents", headers=AUTH).status_code == 200
        assert httpx.get(f"{base}/", headers={}).status_code == 401


def test_article_markup_is_shown_as_text(client: httpx.Client, db: Path) -> None:
    store = api.open_db(db)
    hits = [d for d in store.iter_records("documents") if XSS_MARKER in (d["title"] or "") + d["text"]]
    store.close()
    assert hits, "the corpus holds the article with a script payload"
    doc = hits[0]
    assert "<script>" in doc["text"], "the clean text keeps the payload (it is part of the article's text)"
    page = client.get(f"/documents/{doc['id']}").text
    assert "&lt;script&gt;window.__pwned" in page
    assert "<script>window.__pwned" not in page and "<img src=x" not in page
    results = client.get("/", params={"q": "harbour council ferry timetable"}).text
    assert "<script>window" not in results


@pytest.mark.parametrize("url", ["http://127.0.0.1/", "http://10.0.0.1/admin", "http://169.254.169.254/latest/meta-data/",
                                 "http://[::1]:8080/", "http://localhost/", "http://192.168.1.1/", "http://0.0.0.0/",
                                 "http://[::ffff:127.0.0.1]/", "file:///etc/passwd", "ftp://example.org/x",
                                 "http://user:pw@example.org/"])
def test_ingest_by_private_or_odd_url_is_refused(client: httpx.Client, counts: Any, url: str) -> None:
    r = client.post("/api/v1/documents", json={"url": url}, headers=AUTH)
    err = assert_error(r, 400)
    assert err["detail"]["url"] == url


@pytest.mark.parametrize("addr,public", [("127.0.0.1", False), ("10.0.0.1", False), ("169.254.169.254", False),
                                         ("::1", False), ("fe80::1", False), ("100.64.0.1", False), ("fc00::1", False),
                                         ("::ffff:10.0.0.1", False), ("93.184.216.34", True), ("2606:4700::1", True)])
def test_address_classification(addr: str, public: bool) -> None:
    assert is_public(addr) is public


def test_private_urls_pass_only_when_allowed() -> None:
    with pytest.raises(InputError, match="refused"):
        check_url("http://127.0.0.1:9/")
    assert check_url("http://127.0.0.1:9/", allow_private=True).address == "127.0.0.1"


def test_oversized_body_is_413(client: httpx.Client, counts: Any) -> None:
    big = b"word " * (MAX_BODY // 4)
    assert_error(client.post("/api/v1/documents", content=big, headers={**AUTH, "Content-Type": "text/plain"}),
                 413, "payload_too_large")

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit is found while streaming
        for _ in range(10):
            yield b"x" * (MAX_BODY // 5)

    assert_error(client.post("/api/v1/documents", content=chunks(), headers={**AUTH, "Content-Type": "text/plain"}),
                 413, "payload_too_large")


@pytest.mark.parametrize("body,ctype", [
    (b"Caf\xe9 au lait \xff\xfe in Paris, wrote the paper.", "text/plain"),
    (b"\x80\x81\x82 not utf-8", "text/html"),
    (b'{"text": "caf\xe9"}', "application/json"),
])
def test_non_utf8_body_is_400(client: httpx.Client, counts: Any, body: bytes, ctype: str) -> None:
    assert_error(client.post("/api/v1/documents", content=body, headers={**AUTH, "Content-Type": ctype}),
                 400, "bad_encoding")


def test_other_bad_bodies(client: httpx.Client, counts: Any) -> None:
    assert_error(client.post("/api/v1/documents", content=b"{not json", headers={**AUTH, "Content-Type": "application/json"}),
                 400, "bad_json")
    assert_error(client.post("/api/v1/documents", content=b"", headers={**AUTH, "Content-Type": "text/plain"}), 400)
    assert_error(client.post("/api/v1/documents", content=b"\x89PNG", headers={**AUTH, "Content-Type": "image/png"}),
                 415, "unsupported_media_type")
    assert_error(client.post("/api/v1/documents", content=b"x", headers={**AUTH, "Content-Type": "text/plain; charset=nope"}),
                 400, "bad_encoding")
    assert_error(client.post("/api/v1/documents", json=42, headers=AUTH), 400)


@pytest.mark.parametrize("kind", KINDS)
def test_unknown_ids_are_404(client: httpx.Client, kind: str) -> None:
    err = assert_error(client.get(f"/api/v1/{kind}/0123456789abcdef"), 404, "not_found")
    assert "0123456789abcdef" in err["message"]


@pytest.mark.parametrize("params", [{"limit": 10**9}, {"limit": -1}, {"limit": "1e3"}, {"cursor": "%%%"},
                                    {"cursor": "bm90IGFuIGlk=="}, {"date_from": "yesterday"}, {"lang": "<b>"},
                                    {"source": "s" * 1000}])
def test_bad_list_parameters_are_422(client: httpx.Client, params: dict[str, Any]) -> None:
    err = assert_error(client.get("/api/v1/documents", params=params), 422, "validation_error")
    assert err["detail"]


@pytest.mark.parametrize("q", ['"', "AND", "(", "NEAR(", "*:*", "' OR 1=1 --", "\u202e\u0000", "🙂" * 50])
def test_malformed_search_queries_are_answered(client: httpx.Client, q: str) -> None:
    r = client.get("/api/v1/search", params={"q": q})
    assert r.status_code in (200, 422), r.text
    if r.status_code == 200:
        assert isinstance(r.json()["hits"], list)


def test_search_parameter_limits(client: httpx.Client) -> None:
    assert_error(client.get("/api/v1/search", params={"q": "x" * 2000}), 422)
    assert_error(client.get("/api/v1/search", params={"q": "nato", "limit": 10_000}), 422)
    assert_error(client.get("/api/v1/search", params={"q": ""}), 422)


def test_server_is_still_up_after_all_that(client: httpx.Client) -> None:
    assert client.get("/api/v1/status").status_code == 200


def test_markup_escapes_text_titles_and_links_and_keeps_nesting_well_formed() -> None:
    from newsweave.web.markup import Span, highlight, render

    text = 'He said "<b>x</b>" & left <script>alert(1)</script>'
    html = str(render(text, [Span(0, 2, "mention", href='/e/"><script>', title='"onmouseover=alert(1)'),
                             Span(3, 18, "quote"), Span(8, 12, "time"), Span(15, 25, "mention")]))
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&amp; left" in html
    assert 'href="/e/&#34;&gt;&lt;script&gt;"' in html.replace("&quot;", "&#34;")
    assert html.count("<span") == html.count("</span>") == 2  # the crossing span (15-25) is dropped
    assert str(highlight("<i>ok</i>", [[3, 5]])) == "&lt;i&gt;<mark>ok</mark>&lt;/i&gt;"
