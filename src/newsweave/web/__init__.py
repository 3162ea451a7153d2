"""The web UI: server-rendered pages over the store, mounted on the REST app at ``/``."""

from __future__ import annotations

from .routes import mount_ui

__all__ = ["mount_ui"]
