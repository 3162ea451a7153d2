"""Read endpoints: one collection and one item route per export kind, a story's timeline, search.

Collections are paginated with an opaque cursor: a page carries ``next_cursor`` (null on the last
page); pass it back as ``?cursor=`` for the next one. Records come in id order and in the export
shapes of DESIGN.md's Contracts, so a client that pages through ``/api/v1/mentions`` sees exactly
what ``newsweave export mentions`` writes.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query

from .. import api, query
from ..model import stable_id
from ..store import KINDS, DocFilter
from .app import get_store
from .errors import ApiError

router = APIRouter()

MAX_LIMIT = 1000
DATE = r"^\d{4}(-\d{2}(-\d{2}([T ][0-9:.+\-Z]*)?)?)?$"
Id = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:\-]+$")]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"page size, 1..{MAX_LIMIT}")]


def encode_cursor(last_id: str) -> str:
    return base64.urlsafe_b64encode(last_id.encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> str | None:
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise ApiError(422, "cursor is not one this API handed out", detail={"cursor": cursor[:80]}) from exc
    if not re.fullmatch(r"[A-Za-z0-9._:\-]{1,64}", raw):
        raise ApiError(422, "cursor is not one this API handed out", detail={"cursor": cursor[:80]})
    return raw


def entity_ref(value: str | None) -> str | None:
    """An entity given by id or by key ("PER:jens-stoltenberg") as its id."""
    if not value:
        return None
    return stable_id("entity", value) if ":" in value or "." in value else value


def doc_filter(
    lang: Annotated[str | None, Query(max_length=16, pattern=r"^[A-Za-z\-]+$", description="language code")] = None,
    source: Annotated[str | None, Query(max_length=500, description="substring of a source, URL or outlet")] = None,
    date_from: Annotated[str | None, Query(pattern=DATE, description="published on or after (ISO date)")] = None,
    date_to: Annotated[str | None, Query(pattern=DATE, description="published on or before (ISO date)")] = None,
    entity: Annotated[str | None, Query(max_length=200, description="entity id or key, e.g. PER:jens-stoltenberg")] = None,
    event: Annotated[str | None, Query(max_length=64)] = None,
    story: Annotated[str | None, Query(max_length=64)] = None,
    doc: Annotated[str | None, Query(max_length=64, description="only records of this document")] = None,
) -> DocFilter:
    return DocFilter(lang=lang, source=source, date_from=date_from, date_to=date_to, entity_id=entity_ref(entity),
                     event_id=event, story_id=story, doc_id=doc)


def _page(store: Any, kind: str, flt: DocFilter, limit: int, cursor: str | None, full: bool = True) -> dict[str, Any]:
    after = decode_cursor(cursor)
    rows = list(store.iter_records(kind, flt, limit=limit + 1, after=after))
    more = len(rows) > limit
    rows = rows[:limit]
    if kind == "documents" and not full:
        for r in rows:
            r.pop("raw_text", None)
    return {"data": rows, "limit": limit, "next_cursor": encode_cursor(rows[-1]["id"]) if more and rows else None}


def _list_route(kind: str) -> None:
    summary = f"List {kind} (cursor pagination, filters)"

    def endpoint(
        flt: Annotated[DocFilter, Depends(doc_filter)],
        store: Annotated[Any, Depends(get_store)],
        limit: Limit = 50,
        cursor: Annotated[str | None, Query(max_length=200)] = None,
        full: Annotated[bool, Query(description="documents: include raw_text")] = False,
    ) -> dict[str, Any]:
        return _page(store, kind, flt, limit, cursor, full)

    endpoint.__name__ = f"list_{kind}"
    router.add_api_route(f"/{kind}", endpoint, methods=["GET"], summary=summary, tags=[kind])


def _item_route(kind: str) -> None:
    def endpoint(id: Id, store: Annotated[Any, Depends(get_store)]) -> dict[str, Any]:
        if kind == "documents":
            return api.show(store, id) if _exists(store, kind, id) else store.get_record(kind, id)
        rec: dict[str, Any] = store.get_record(kind, id)
        return rec

    endpoint.__name__ = f"get_{kind.rstrip('s')}"
    router.add_api_route(f"/{kind}/{{id}}", endpoint, methods=["GET"], summary=f"One of {kind} by id", tags=[kind])


def _exists(store: Any, kind: str, ident: str) -> bool:
    return bool(list(store.iter_records(kind, DocFilter(ids=[ident]), limit=1)))


@router.get("/status", summary="What the store holds", tags=["status"])
def status(store: Annotated[Any, Depends(get_store)]) -> dict[str, Any]:
    out: dict[str, Any] = api.status(store)
    out.pop("db", None)  # the file path is the operator's business
    return out


@router.get("/search", summary="Hybrid cross-lingual search with filters and facets", tags=["search"])
def search(
    q: Annotated[str, Query(min_length=1, max_length=1000, description=(
        'the query, any language: words (ranked), "exact phrase" (must occur), prefix* (a word starting so, '
        "three letters or more), -word or -\"a phrase\" (must not occur); malformed syntax (an unbalanced "
        "quote, NEAR(, AND (, ^, :) is read as plain words"))],
    flt: Annotated[DocFilter, Depends(doc_filter)],
    store: Annotated[Any, Depends(get_store)],
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
) -> dict[str, Any]:
    from ..search import hybrid_search

    flt.doc_id = None
    return hybrid_search(store, q, flt, limit=limit, offset=offset)


@router.get("/entities/lookup", summary="Entities named by a string, any spelling or language", tags=["entities"])
def lookup_entities(
    q: Annotated[str, Query(min_length=1, max_length=200)],
    store: Annotated[Any, Depends(get_store)],
    limit: Annotated[int, Query(ge=1, le=50)] = 5,
) -> dict[str, Any]:
    from ..search import find_entities

    return {"query": q, "data": find_entities(store, q, limit=limit)}


@router.get("/stories/{id}/timeline", summary="A story's dated timeline", tags=["stories"])
def story_timeline(id: Id, store: Annotated[Any, Depends(get_store)]) -> dict[str, Any]:
    if not _exists(store, "stories", id):
        raise ApiError(404, f"no story with id {id!r}", detail={"kind": "story", "id": id})
    out: dict[str, Any] = query.timeline(store, id)
    return out


for _kind in KINDS:
    _list_route(_kind)
for _kind in KINDS:
    _item_route(_kind)
