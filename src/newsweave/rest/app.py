"""The FastAPI application: the REST API under ``/api/v1`` and the web UI under ``/``.

    app = create_app(store, token="s3cret")          # writes need "Authorization: Bearer s3cret"
    serve(store, host="127.0.0.1", port=8000, token="s3cret")

Settings (all keyword-only):

==================== ========= ===================================================================
name                 default   meaning
==================== ========= ===================================================================
token                None      bearer token for writes (POST/DELETE); None: writes are refused
read_token           None      bearer token for reads; None: reads are open (the write token
                               also reads)
max_body             5000000   largest request body in bytes (413 above it)
allow_private_urls   False     let ``POST /api/v1/documents {"url": ...}`` fetch loopback,
                               private and link-local addresses
ui                   True      mount the web UI at ``/``
==================== ========= ===================================================================
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Any

from fastapi import Depends, FastAPI, Request

from ..store import Store
from .errors import ApiError, BodyLimit, install_handlers

API_PREFIX = "/api/v1"


@dataclass
class Settings:
    token: str | None = None
    read_token: str | None = None
    max_body: int = 5_000_000
    allow_private_urls: bool = False


def _bearer(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    scheme, _, value = auth.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def _matches(given: str | None, expected: str | None) -> bool:
    return bool(given and expected and hmac.compare_digest(given.encode(), expected.encode()))


def require_read(request: Request) -> None:
    """Reads are open unless the operator set a read token (the write token reads as well)."""
    s: Settings = request.app.state.settings
    if s.read_token is None:
        return
    given = _bearer(request)
    if not (_matches(given, s.read_token) or _matches(given, s.token)):
        raise ApiError(401, "this server needs a bearer token for reads" if given is None else "wrong token",
                       headers={"WWW-Authenticate": "Bearer"})


def require_write(request: Request) -> None:
    s: Settings = request.app.state.settings
    given = _bearer(request)
    if s.token is None:
        raise ApiError(403, "writes are disabled on this server (start it with a token to allow them)")
    if given is None:
        raise ApiError(401, "writes need 'Authorization: Bearer <token>'", headers={"WWW-Authenticate": "Bearer"})
    if not _matches(given, s.token):
        raise ApiError(401, "wrong token", headers={"WWW-Authenticate": "Bearer"})


def get_store(request: Request) -> Any:
    return request.app.state.store


def create_app(
    store: Store,
    *,
    token: str | None = None,
    read_token: str | None = None,
    max_body: int = 5_000_000,
    allow_private_urls: bool = False,
    ui: bool = True,
) -> FastAPI:
    """The whole service over one store."""
    from .. import __version__ as version
    from .docs import mount_docs
    from .reads import router as reads
    from .writes import router as writes

    app = FastAPI(
        title="newsweave",
        version=str(version),
        description="Multilingual news intelligence: documents, entities, quotes, times, events, stories, "
        "links and hybrid cross-lingual search. Errors: `{\"error\": {\"code\", \"message\", \"detail\"}}`.",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,  # served by rest/docs.py, without a CDN
        redoc_url=None,
    )
    app.state.store = store
    app.state.settings = Settings(token=token, read_token=read_token, max_body=max_body,
                                  allow_private_urls=allow_private_urls)
    install_handlers(app)
    app.add_middleware(BodyLimit, max_body=max_body)
    app.include_router(reads, prefix=API_PREFIX, dependencies=[Depends(require_read)])
    app.include_router(writes, prefix=API_PREFIX, dependencies=[Depends(require_write)])
    mount_docs(app, API_PREFIX)  # open, like the OpenAPI description: no data in it
    if ui:
        from ..web import mount_ui

        mount_ui(app, dependencies=[Depends(require_read)])

    @app.get(API_PREFIX, include_in_schema=False)
    def root() -> dict[str, Any]:
        return {"name": "newsweave", "version": str(version), "openapi": f"{API_PREFIX}/openapi.json"}

    return app


def serve(store: Store, host: str = "127.0.0.1", port: int = 8000, token: str | None = None, **options: Any) -> None:
    """Run the service with uvicorn until interrupted."""
    import uvicorn

    app = create_app(store, token=token, **options)
    uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=False)
