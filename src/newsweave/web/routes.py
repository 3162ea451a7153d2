"""The web UI's pages: server-rendered Jinja2 templates over the same store as the REST API.

Pages: ``/`` search, ``/documents/{id}`` article reader, ``/entities`` and ``/entities/{id}``,
``/events`` and ``/events/{id}`` (all sources side by side), ``/stories`` and ``/stories/{id}``
(visual timeline). Autoescaping is on for every template; article text reaches the page only
through ``markup.render``, which escapes it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.params import Depends
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape

from .. import query
from ..errors import NewsweaveError, NotFoundError
from ..store import DocFilter
from . import charts, data
from .markup import highlight, render

HERE = Path(__file__).resolve().parent
env = Environment(loader=FileSystemLoader(str(HERE / "templates")), autoescape=select_autoescape(default=True),
                  trim_blocks=True, lstrip_blocks=True)
env.globals.update(render=render, highlight=highlight, bar_chart=charts.bar_chart, timeline_svg=charts.timeline)


def short_source(src: str | None) -> str:
    """A source as a reader wants to see it: a URL's host and path, or a file's name."""
    if not src:
        return ""
    if "://" in src:
        return src.split("://", 1)[1][:80]
    return src.replace("\\", "/").rsplit("/", 1)[-1]


env.filters["short_source"] = short_source

router = APIRouter(include_in_schema=False)


def page(request: Request, template: str, status: int = 200, **ctx: Any) -> HTMLResponse:
    html = env.get_template(template).render(request=request, path=request.url.path, **ctx)
    return HTMLResponse(html, status_code=status)


def not_found(request: Request, exc: NewsweaveError) -> HTMLResponse:
    return page(request, "error.html", status=404, title="Not found", message=str(exc))


def _store(request: Request) -> Any:
    return request.app.state.store


@router.get("/", response_class=HTMLResponse)
def search_page(
    request: Request,
    q: str = Query("", max_length=1000),
    lang: str | None = Query(None, max_length=16),
    source: str | None = Query(None, max_length=300),
    date_from: str | None = Query(None, max_length=32),
    date_to: str | None = Query(None, max_length=32),
    entity: str | None = Query(None, max_length=64),
    page_no: int = Query(1, alias="page", ge=1, le=500),
) -> HTMLResponse:
    store = _store(request)
    flt = DocFilter(lang=lang or None, source=source or None, date_from=date_from or None, date_to=date_to or None,
                    entity_id=entity or None)
    params = {k: v for k, v in {"q": q, "lang": lang, "source": source, "date_from": date_from,
                                "date_to": date_to, "entity": entity}.items() if v}

    def link(**change: Any) -> str:
        p = {**params, **change}
        return "/?" + urlencode({k: v for k, v in p.items() if v})

    result = None
    if q.strip():
        from ..search import hybrid_search

        try:
            result = hybrid_search(store, q, flt, limit=10, offset=(page_no - 1) * 10)
        except NewsweaveError as exc:
            return page(request, "error.html", status=400, title="Search failed", message=str(exc))
    overview = None if result else {"status": store.stats(), "stories": query.stories(store, limit=8),
                                    "entities": query.entities(store, limit=12)}
    return page(request, "search.html", title=f"{q} – search" if q else "newsweave", q=q, result=result,
                params=params, link=link, page_no=page_no, overview=overview)


@router.get("/documents/{doc_id}", response_class=HTMLResponse)
def document(request: Request, doc_id: str) -> HTMLResponse:
    try:
        ctx = data.document_page(_store(request), doc_id)
    except NotFoundError as exc:
        return not_found(request, exc)
    return page(request, "document.html", title=ctx["doc"]["title"] or "article", **ctx)


@router.get("/entities", response_class=HTMLResponse)
def entities(request: Request, name: str | None = Query(None, max_length=200),
             etype: str | None = Query(None, alias="type", max_length=8)) -> HTMLResponse:
    rows = query.entities(_store(request), name=name or None, etype=etype or None, limit=200)
    return page(request, "entities.html", title="Entities", rows=rows, name=name or "", etype=etype or "")


@router.get("/entities/{entity_id}", response_class=HTMLResponse)
def entity(request: Request, entity_id: str) -> HTMLResponse:
    try:
        ctx = data.entity_page(_store(request), entity_id)
    except NotFoundError as exc:
        return not_found(request, exc)
    return page(request, "entity.html", title=ctx["entity"]["name"], **ctx)


@router.get("/events", response_class=HTMLResponse)
def events(request: Request) -> HTMLResponse:
    rows = query.events(_store(request), limit=500)
    return page(request, "events.html", title="Events", rows=rows)


@router.get("/events/{event_id}", response_class=HTMLResponse)
def event(request: Request, event_id: str) -> HTMLResponse:
    try:
        ctx = data.event_page(_store(request), event_id)
    except NotFoundError as exc:
        return not_found(request, exc)
    return page(request, "event.html", title=ctx["event"]["title"] or "event", **ctx)


@router.get("/stories", response_class=HTMLResponse)
def stories(request: Request) -> HTMLResponse:
    rows = query.stories(_store(request), limit=200)
    return page(request, "stories.html", title="Stories", rows=rows)


@router.get("/stories/{story_id}", response_class=HTMLResponse)
def story(request: Request, story_id: str) -> HTMLResponse:
    try:
        ctx = data.story_page(_store(request), story_id)
    except NotFoundError as exc:
        return not_found(request, exc)
    return page(request, "story.html", title=ctx["story"]["title"] or "story", **ctx)


def mount_ui(app: FastAPI, dependencies: Sequence[Depends] | None = None) -> None:
    """Serve the UI pages at ``/`` and the static files at ``/static`` on ``app``."""
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.include_router(router, dependencies=list(dependencies or []))
