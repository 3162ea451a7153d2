"""The REST API (FastAPI): ``create_app(store, token=...)`` and ``serve(store, host, port, token)``.

``app.py`` builds the application and its settings, ``reads.py`` and ``writes.py`` hold the
endpoints, ``errors.py`` the one error shape and the body-size guard, ``netguard.py`` the check
that keeps ingest-by-URL out of private networks.
"""

from __future__ import annotations

from .app import create_app, serve

__all__ = ["create_app", "serve"]
