"""Write endpoints (bearer token required; see ``app.require_write``).

``POST /api/v1/documents`` ingests one request body through the whole pipeline, exactly as
``newsweave ingest`` would ingest the same bytes from a file:

- ``text/plain``: an article as plain text;
- ``text/html``: a web page (main text extracted);
- ``application/json``: ``{"text": ..., "title": ..., "url": ..., "published": ..., "outlet": ...,
  "author": ..., "language": ...}``, a list of such records, or ``{"url": "https://..."}`` alone
  to fetch a page (public addresses only unless the operator allowed private ones);
- ``application/x-ndjson``: one such record per line.

Each document keeps a source a reader can tell apart: the record's (or ``?url=``'s) URL, else
the record's ``name`` field or the ``?name=`` query parameter, else ``api:<hash of the body>``
(``#N`` for record N of a list), so posting the same body twice is recognised as unchanged.

Bodies must be UTF-8 (or carry another charset in Content-Type); anything else is a 400 and
nothing is stored. The answer lists the ids of the documents that landed and the inputs that
were rejected, with reasons.

``DELETE /api/v1/documents/{id}`` removes a document and everything derived from it.
"""

from __future__ import annotations

import codecs
import hashlib
import json
from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from .. import api
from ..errors import InputError, ModelUnavailable, PipelineError
from ..model import RawItem, stable_id
from ..stages.ingest import read_bytes
from .app import Settings, get_store
from .errors import ApiError
from .netguard import fetch

router = APIRouter()

_SUFFIX = {"text/plain": ".txt", "text/html": ".html", "application/xhtml+xml": ".html",
           "application/json": ".json", "application/x-ndjson": ".jsonl", "application/jsonl": ".jsonl"}


def _content_type(request: Request) -> tuple[str, str | None]:
    raw = request.headers.get("content-type", "text/plain")
    mime, _, params = raw.partition(";")
    charset = None
    for p in params.split(";"):
        k, _, v = p.strip().partition("=")
        if k.lower() == "charset" and v:
            charset = v.strip().strip('"').lower()
    return mime.strip().lower(), charset


def _decode(body: bytes, charset: str | None) -> str:
    enc = charset or "utf-8"
    try:
        codecs.lookup(enc)
    except LookupError as exc:
        raise ApiError(400, f"unknown charset {enc!r} in Content-Type", code="bad_encoding") from exc
    try:
        return body.decode(enc)
    except UnicodeDecodeError as exc:
        raise ApiError(400, f"the request body is not valid {enc}: byte {exc.start} cannot be decoded",
                       code="bad_encoding", detail={"encoding": enc, "offset": exc.start}) from exc


def _named(item: RawItem | InputError, name: str | None) -> RawItem | InputError:
    """An uploaded record keeps a source a reader recognises: its URL, else the ``name`` it was
    given, else the upload's own name (``api:<hash>``, ``#N`` for record N of a list)."""
    if isinstance(item, InputError):
        return item
    src = item.source
    given = src.url or src.extra.get("name") or (name if "#" not in src.source else None)
    if not isinstance(given, str) or not given.strip():
        return item
    return replace(item, source=replace(src, source=given.strip()[:2000]))


def _ingest_bytes(store: Any, data: bytes, suffix: str, meta: dict[str, Any] | None = None,
                  name: str | None = None) -> dict[str, Any]:
    """Ingest one request body in memory, exactly as a file with these bytes would be ingested."""
    source = "api:" + stable_id("upload", hashlib.sha256(data).hexdigest(), length=16)
    items = (_named(x, name) for x in read_bytes(source, data, name="upload" + suffix, meta=meta))
    try:
        report = api.ingest(store, [], items=items)
    except (ImportError, PipelineError, ModelUnavailable) as exc:
        raise ApiError(503, f"the ingest pipeline cannot run on this server: {exc}", code="unavailable") from exc
    out = report.as_dict()
    out["ids"] = report.doc_ids
    out["rejected"] = [{"source": s, "reason": r} for s, r in report.rejected]
    return out


_META_KEYS = ("url", "title", "published", "date", "outlet", "author", "language", "lang")
_QUERY_DOCS = [
    {"name": k, "in": "query", "required": False, "schema": {"type": "string"}, "description": d}
    for k, d in (("name", "the source name the document keeps (default: its URL, else api:<hash>)"),
                 ("url", "text/HTML bodies: the page's URL (also the source name)"),
                 ("title", "text/HTML bodies: the title"), ("published", "text/HTML bodies: publication date"),
                 ("outlet", "text/HTML bodies: the outlet"), ("author", "text/HTML bodies: the author"),
                 ("language", "text/HTML bodies: ISO 639-1 language code"))
]


@router.post(
    "/documents", status_code=201, summary="Ingest a document (text, HTML, JSON record(s) or a URL)",
    tags=["documents"],
    openapi_extra={"parameters": _QUERY_DOCS, "requestBody": {"required": True, "content": {
        "text/plain": {"schema": {"type": "string"}}, "text/html": {"schema": {"type": "string"}},
        "application/json": {"schema": {"oneOf": [{"type": "object"}, {"type": "array", "items": {"type": "object"}}]}},
    }}},
)
async def create_document(request: Request, store: Annotated[Any, Depends(get_store)]) -> JSONResponse:
    from starlette.concurrency import run_in_threadpool

    settings: Settings = request.app.state.settings
    mime, charset = _content_type(request)
    if mime not in _SUFFIX:
        raise ApiError(415, f"cannot ingest {mime!r}; send one of: {', '.join(sorted(_SUFFIX))}",
                       detail={"accepted": sorted(_SUFFIX)})
    body = await request.body()
    if not body.strip():
        raise ApiError(400, "the request body is empty")
    text = _decode(body, charset)
    data = text.encode("utf-8")
    suffix = _SUFFIX[mime]
    meta: dict[str, Any] | None = None
    if suffix == ".json":
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ApiError(400, f"the body is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}",
                           code="bad_json") from exc
        if not isinstance(parsed, dict | list):
            raise ApiError(400, "send a JSON object or a list of objects")
        if isinstance(parsed, dict) and "url" in parsed and not any(parsed.get(k) for k in ("text", "html", "body")):
            url = parsed["url"]
            if not isinstance(url, str):
                raise ApiError(422, "url must be a string")
            try:
                page, ctype = await run_in_threadpool(
                    fetch, url, allow_private=settings.allow_private_urls, max_bytes=settings.max_body)
            except InputError as exc:
                raise ApiError(400, exc.reason, code="url_refused" if "refused" in exc.reason else "url_failed",
                               detail={"url": url}) from exc
            data = page
            suffix = ".html" if "html" in (ctype or "html") else ".txt"
            meta = {k: parsed[k] for k in _META_KEYS if isinstance(parsed.get(k), str)}
            meta["url"] = url
    elif suffix in (".txt", ".html"):
        meta = {k: request.query_params[k] for k in _META_KEYS if k in request.query_params} or None
    name = request.query_params.get("name")
    if name is not None and not (0 < len(name.strip()) <= 500):
        raise ApiError(422, "name must be 1 to 500 characters", detail={"field": "name"})
    result = await run_in_threadpool(_ingest_bytes, store, data, suffix, meta, name)
    status = 201 if result["ingested"] else (200 if result["duplicates"] or result["unchanged"] else 400)
    if status == 400:
        reasons = "; ".join(r["reason"] for r in result["rejected"]) or "nothing to ingest"
        raise ApiError(400, f"nothing was ingested: {reasons}", code="rejected", detail=result)
    return JSONResponse(result, status_code=status)


@router.delete("/documents/{doc_id}", summary="Delete a document and everything derived from it", tags=["documents"])
def delete_document(doc_id: str, store: Annotated[Any, Depends(get_store)]) -> dict[str, Any]:
    if len(doc_id) > 64:
        raise ApiError(422, "document ids are at most 64 characters")
    if not store.delete_document(doc_id):
        raise ApiError(404, f"no document with id {doc_id!r}", detail={"kind": "document", "id": doc_id})
    return {"deleted": doc_id}
