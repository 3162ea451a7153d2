"""The interactive API docs at ``/api/v1/docs``, served entirely by this process.

FastAPI's stock docs page loads Swagger UI's JavaScript and CSS from a CDN, so it stays blank on
a machine without internet (or behind a strict proxy). Here the assets come from the
``swagger-ui-bundle-v2`` package (Swagger UI's own ``dist`` files, Apache-2.0, installed from
PyPI as a dependency, not copied into this repository) and are served under
``/api/v1/docs/assets/``. Swagger UI's online validator badge is switched off, so opening the
page makes no request to any other host.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from .errors import ApiError

ASSETS = ("swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png")

ERROR_SCHEMA = {
    "title": "Error", "type": "object", "required": ["error"],
    "properties": {"error": {
        "type": "object", "required": ["code", "message", "detail"],
        "properties": {
            "code": {"type": "string", "description": "a stable word: not_found, validation_error, ..."},
            "message": {"type": "string", "description": "a sentence for a person"},
            "detail": {"description": "structured extras (failing fields, limits) or null"},
        },
    }},
}
ERRORS = {"400": "bad input", "401": "missing or wrong token", "404": "no such record",
          "422": "invalid parameters", "500": "internal error"}


def describe_errors(app: FastAPI) -> None:
    """Make the OpenAPI description tell the truth about errors: every operation answers them in
    the one ``Error`` shape (FastAPI would document its own validation-error shape, never sent)."""
    from fastapi.openapi.utils import get_openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        spec = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        schemas = spec.setdefault("components", {}).setdefault("schemas", {})
        schemas.pop("HTTPValidationError", None)
        schemas.pop("ValidationError", None)
        schemas["Error"] = ERROR_SCHEMA
        ref = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
        for ops in spec.get("paths", {}).values():
            for op in ops.values():
                responses = op.setdefault("responses", {})
                for status, what in ERRORS.items():
                    responses[status] = {"description": what, "content": ref}
        app.openapi_schema = spec
        return spec

    app.openapi = openapi  # type: ignore[method-assign]


def swagger_assets() -> Path | None:
    """The folder with Swagger UI's distribution files, or None when the package is missing."""
    try:
        from swagger_ui_bundle import swagger_ui_path
    except ImportError:
        return None
    path = Path(str(swagger_ui_path))
    return path if all((path / name).is_file() for name in ASSETS) else None


def mount_docs(app: FastAPI, prefix: str) -> None:
    """``{prefix}/docs`` (the page) and ``{prefix}/docs/assets/*`` (its files) on ``app``, and the
    error shape in its OpenAPI description."""
    describe_errors(app)
    assets = swagger_assets()
    base = f"{prefix}/docs"
    if assets is not None:
        app.mount(f"{base}/assets", StaticFiles(directory=str(assets)), name="docs-assets")

    @app.get(base, include_in_schema=False)
    def docs() -> HTMLResponse:
        if assets is None:
            raise ApiError(503, "the API docs page needs the swagger-ui-bundle-v2 package: "
                           "pip install swagger-ui-bundle-v2 (the OpenAPI description is at "
                           f"{app.openapi_url})", code="unavailable")
        params: dict[str, Any] = {"validatorUrl": None, "deepLinking": True, "tryItOutEnabled": False}
        return get_swagger_ui_html(
            openapi_url=str(app.openapi_url), title=f"{app.title} API",
            swagger_js_url=f"{base}/assets/swagger-ui-bundle.js", swagger_css_url=f"{base}/assets/swagger-ui.css",
            swagger_favicon_url=f"{base}/assets/favicon-32x32.png", swagger_ui_parameters=params,
        )
