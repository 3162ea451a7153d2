"""The REST API against a real uvicorn server on 127.0.0.1: every endpoint, pagination, filters,
the error shape, the OpenAPI document, and a write/read/delete round trip."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from newsweave import api
from newsweave.store import KINDS
from webcorpus import corpus_db, find_doc, running_server

pytestmark = [pytest.mark.integration, pytest.mark.slow]

TOKEN = "test-write-token"


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return corpus_db(tmp_path_factory)


@pytest.fixture(scope="module")
def client(db: Path) -> Iterator[httpx.Client]:
    with running_server(db, token=TOKEN) as base, httpx.Client(base_url=base, timeout=120) as c:
        yield c


@pytest.fixture(scope="module")
def store(db: Path) -> Iterator[Any]:
    s = api.open_db(db)
    yield s
    s.close()


def assert_error(r: httpx.Response, status: int, code: str | None = None) -> dict[str, Any]:
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "detail"}, body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    if code:
        assert body["error"]["code"] == code, body
    err: dict[str, Any] = body["error"]
    return err


def test_openapi_document_validates_and_lists_every_resource(client: httpx.Client) -> None:
    from openapi_spec_validator import validate

    spec = client.get("/api/v1/openapi.json").json()
    validate(spec)
    paths = set(spec["paths"])
    for kind in KINDS:
        assert f"/api/v1/{kind}" in paths and f"/api/v1/{kind}/{{id}}" in paths
    assert {"/api/v1/search", "/api/v1/stories/{id}/timeline", "/api/v1/documents/{doc_id}"} <= paths
    assert "post" in spec["paths"]["/api/v1/documents"]
    assert client.get("/api/v1/docs").status_code == 200
    # errors are documented in the shape they are sent in
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    search_422 = spec["paths"]["/api/v1/search"]["get"]["responses"]["422"]
    assert search_422["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
    assert spec["components"]["schemas"]["Error"]["properties"]["error"]["required"] == ["code", "message", "detail"]


def test_status(client: httpx.Client, store: Any) -> None:
    body = client.get("/api/v1/status").json()
    assert body["documents"] == store.count("documents") > 0
    assert "db" not in body


@pytest.mark.parametrize("kind", KINDS)
def test_cursor_pagination_walks_every_record_once(client: httpx.Client, store: Any, kind: str) -> None:
    seen: list[str] = []
    cursor = None
    for _ in range(10_000):
        params: dict[str, Any] = {"limit": 7}
        if cursor:
            params["cursor"] = cursor
        page = client.get(f"/api/v1/{kind}", params=params).json()
        assert len(page["data"]) <= 7
        seen += [r["id"] for r in page["data"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(seen) and len(seen) == len(set(seen))
    assert len(seen) == store.count(kind)


@pytest.mark.parametrize("kind", KINDS)
def test_item_endpoint_returns_the_listed_record(client: httpx.Client, kind: str) -> None:
    first = client.get(f"/api/v1/{kind}", params={"limit": 1}).json()["data"]
    if not first:
        pytest.skip(f"no {kind} in the corpus of this checkout")
    item = client.get(f"/api/v1/{kind}/{first[0]['id']}").json()
    assert item["id"] == first[0]["id"]
    if kind == "documents":
        assert {"mentions", "quotes", "times", "text", "removed", "published"} <= set(item)
    if kind in ("mentions", "quotes", "times"):
        assert {"doc_id", "start", "end", "text"} <= set(item)


def test_documents_list_omits_raw_text_unless_asked(client: httpx.Client) -> None:
    short = client.get("/api/v1/documents", params={"limit": 1}).json()["data"][0]
    full = client.get("/api/v1/documents", params={"limit": 1, "full": "true"}).json()["data"][0]
    assert "raw_text" not in short and "raw_text" in full and short["text"] == full["text"]


def test_language_and_date_filters(client: httpx.Client) -> None:
    de = client.get("/api/v1/documents", params={"lang": "de", "limit": 200}).json()["data"]
    assert de and {d["lang"] for d in de} == {"de"}
    dated = client.get("/api/v1/documents", params={"date_from": "2023-01-01", "date_to": "2023-12-31",
                                                     "limit": 200}).json()["data"]
    assert all(d["published"]["value"][:4] == "2023" for d in dated)


def test_mentions_of_one_document(client: httpx.Client, store: Any) -> None:
    doc = find_doc(store, "004_91db5c4eda242435.txt") or next(iter(store.iter_records("documents", limit=1)))["id"]
    rows = client.get("/api/v1/mentions", params={"doc": doc, "limit": 500}).json()["data"]
    assert all(r["doc_id"] == doc for r in rows)


def test_entity_filter_by_key(client: httpx.Client, store: Any) -> None:
    ents = client.get("/api/v1/entities", params={"limit": 1000}).json()["data"]
    if not ents:
        pytest.skip("no entities in this checkout")
    top = max(ents, key=lambda e: e["mention_count"])
    docs = client.get("/api/v1/documents", params={"entity": top["key"], "limit": 500}).json()["data"]
    assert len(docs) == top["document_count"]


def test_search_endpoint_is_cross_lingual(client: httpx.Client, store: Any) -> None:
    target = find_doc(store, "004_91db5c4eda242435.txt")
    if target is None:
        pytest.skip("seed corpus absent")
    res = client.get("/api/v1/search", params={"q": "Stoltenberg Biden Russia dialogue", "limit": 3}).json()
    assert target in [h["id"] for h in res["hits"]]
    assert {"id", "score", "lang", "title", "snippet", "published", "source", "event_id", "story_id"} <= set(res["hits"][0])
    assert set(res["facets"]) == {"lang", "source", "year"}
    only_en = client.get("/api/v1/search", params={"q": "Stoltenberg", "lang": "en"}).json()
    assert only_en["hits"] and {h["lang"] for h in only_en["hits"]} == {"en"}


def test_entity_lookup_any_spelling(client: httpx.Client, store: Any) -> None:
    if store.count("entities") == 0:
        pytest.skip("no entities in this checkout")
    a = client.get("/api/v1/entities/lookup", params={"q": "Sacharowa"}).json()["data"]
    b = client.get("/api/v1/entities/lookup", params={"q": "Zakharova"}).json()["data"]
    assert a and b and a[0]["id"] == b[0]["id"]


def test_story_timeline(client: httpx.Client) -> None:
    stories = client.get("/api/v1/stories", params={"limit": 5}).json()["data"]
    if not stories:
        pytest.skip("no stories in this checkout")
    tl = client.get(f"/api/v1/stories/{stories[0]['id']}/timeline").json()
    assert tl["entries"] and all("date" in e for e in tl["entries"])
    assert_error(client.get("/api/v1/stories/0000000000000000/timeline"), 404, "not_found")


@pytest.mark.parametrize("path,status", [
    ("/api/v1/documents/ffffffffffffffff", 404), ("/api/v1/entities/nope", 404), ("/api/v1/no-such-thing", 404),
    ("/api/v1/documents?limit=0", 422), ("/api/v1/documents?limit=abc", 422), ("/api/v1/search", 422),
])
def test_error_shape(client: httpx.Client, path: str, status: int) -> None:
    assert_error(client.get(path), status)


def test_method_not_allowed_has_the_error_shape(client: httpx.Client) -> None:
    assert_error(client.put("/api/v1/documents"), 405, "method_not_allowed")


ARTICLE = """Lighthouse keepers return to the northern cape

After twenty years of automation, the coastal authority announced on Monday that two keepers will
again live at the northern cape lighthouse during the storm season. The authority said remote
monitoring had failed twice last winter. Local fishermen welcomed the decision.
"""


def skip_if_pipeline_unavailable(r: httpx.Response) -> None:
    if r.status_code == 503:
        pytest.skip(f"the ingest pipeline is incomplete in this checkout: {r.json()['error']['message']}")


def test_write_read_delete_round_trip(client: httpx.Client, store: Any) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    r = client.post("/api/v1/documents", content=ARTICLE.encode(), headers={**auth, "Content-Type": "text/plain"})
    skip_if_pipeline_unavailable(r)
    assert r.status_code == 201, r.text
    (doc_id,) = r.json()["ids"]
    doc = client.get(f"/api/v1/documents/{doc_id}").json()
    assert doc["title"].startswith("Lighthouse keepers") and "storm season" in doc["text"]
    assert doc["sources"][0]["source"].startswith("api:")  # not the name of a temporary file
    again = client.post("/api/v1/documents", content=ARTICLE.encode(), headers={**auth, "Content-Type": "text/plain"})
    assert again.status_code == 200 and again.json()["unchanged"] == 1  # the same body from the same source
    named = client.post("/api/v1/documents", params={"name": "desk/lighthouse.txt"}, content=ARTICLE.encode(),
                        headers={**auth, "Content-Type": "text/plain"})
    assert named.status_code == 200 and named.json()["duplicates"] == 1  # one more source for the same text
    sources = [s["source"] for s in client.get(f"/api/v1/documents/{doc_id}").json()["sources"]]
    assert sources == [doc["sources"][0]["source"], "desk/lighthouse.txt"]
    hits = client.get("/api/v1/search", params={"q": "lighthouse keepers"}).json()["hits"]
    assert hits[0]["id"] == doc_id
    assert client.delete(f"/api/v1/documents/{doc_id}", headers=auth).json() == {"deleted": doc_id}
    assert_error(client.get(f"/api/v1/documents/{doc_id}"), 404)
    assert_error(client.delete(f"/api/v1/documents/{doc_id}", headers=auth), 404)
    assert doc_id not in [h["id"] for h in client.get("/api/v1/search", params={"q": "lighthouse keepers"}).json()["hits"]]


def test_json_records_are_ingested_with_their_metadata(client: httpx.Client) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    rec = {"title": "Night trains return between two capitals", "published": "2024-05-02",
           "url": "https://rail.example/night-trains", "outlet": "Rail Example",
           "text": "A night train service between the two capitals resumed on Thursday after a pause of ten years. "
                   "The operator said sleeper cars were fully booked for the first month."}
    r = client.post("/api/v1/documents", json=rec, headers=auth)
    skip_if_pipeline_unavailable(r)
    assert r.status_code == 201, r.text
    (doc_id,) = r.json()["ids"]
    doc = client.get(f"/api/v1/documents/{doc_id}").json()
    assert doc["published"]["value"].startswith("2024-05-02")
    assert doc["sources"][0]["url"] == doc["sources"][0]["source"] == rec["url"]
    client.delete(f"/api/v1/documents/{doc_id}", headers=auth)


def test_uploaded_records_keep_a_meaningful_source(client: httpx.Client) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    recs = [{"name": "harbour-desk/ferry-winter", "title": "Island ferry pauses for the winter",
             "text": "The ferry between the two outer islands stops running for the winter, the island council "
                     "said on Tuesday. Boats will run again in April."},
            {"title": "Valley farmers report a record apple harvest",
             "text": "Farmers in the upper valley picked more apples than in any year before, after a warm and "
                     "dry summer. Cold stores are full, the growers' association said."}]
    r = client.post("/api/v1/documents", json=recs, headers=auth)
    skip_if_pipeline_unavailable(r)
    assert r.status_code == 201, r.text
    ids = r.json()["ids"]
    sources = [client.get(f"/api/v1/documents/{i}").json()["sources"][0]["source"] for i in ids]
    assert sources[0] == "harbour-desk/ferry-winter"
    assert re.fullmatch(r"api:[0-9a-f]{16}#2", sources[1]), sources
    assert not any("tmp" in s or "upload" in s for s in sources)
    bad = client.post("/api/v1/documents", params={"name": ""}, content=b"some text here",
                      headers={**auth, "Content-Type": "text/plain"})
    assert_error(bad, 422, "validation_error")
    for i in ids:
        client.delete(f"/api/v1/documents/{i}", headers=auth)


def test_docs_page_needs_no_other_host(client: httpx.Client) -> None:
    r = client.get("/api/v1/docs")
    assert r.status_code == 200 and "text/html" in r.headers["content-type"]
    refs = re.findall(r"""(?:src|href|url)\s*[=:]\s*["']([^"']+)["']""", r.text)
    assert len(refs) >= 4, refs  # script, stylesheet, icon, the OpenAPI description
    assert not re.search(r"https?://|//[a-z]", r.text), "the docs page names another host"
    for ref in refs:
        assert ref.startswith("/"), ref
        got = client.get(ref)
        assert got.status_code == 200 and len(got.content) > 100, ref
