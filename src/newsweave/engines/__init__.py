"""Engines: who runs the per-document stages over a batch of inputs, and where.

    from newsweave.engines import ingest_local, ingest_ray
    report = ingest_local("news.db", ["articles/"])                       # one process
    report = ingest_ray("postgresql://host/db", ["/shared/articles/"])    # a Ray cluster

Both split the work the same way (see ``local.py``): the driver plans *units* (files, stdin
items, unreadable inputs), a :class:`~newsweave.engines.local.BatchWorker` turns a batch of units
into *outcomes* (documents through the pipeline, rejects, unchanged inputs), and the driver's
:class:`~newsweave.engines.local.Committer` takes outcomes in input order: it writes them when
the workers could not (SQLite has one writer) and runs the order-dependent linking (events,
stories). ``ray_engine.py`` runs the workers as a Ray Data actor pool; Ray is imported lazily.
"""

from __future__ import annotations

from typing import Any

from .local import BatchWorker, Committer, Outcome, Unit, ingest_local, plan_units

__all__ = ["BatchWorker", "Committer", "Outcome", "Unit", "ingest_local", "ingest_ray", "plan_units"]


def ingest_ray(store_url: str, paths: Any, **kwargs: Any) -> Any:
    """See :func:`newsweave.engines.ray_engine.ingest_ray` (imported on first use: Ray is heavy)."""
    from .ray_engine import ingest_ray as _ingest_ray

    return _ingest_ray(store_url, paths, **kwargs)
