"""Batch enrichment on Ray: the per-document stages as a Ray Data actor pool over the inputs.

    from newsweave.engines.ray_engine import ingest_ray
    report = ingest_ray("postgresql://nw@db/news", ["/shared/articles"], address="auto")

The driver plans the units (files, see ``local.plan_units``) and hands them to Ray Data as a
dataset of pickled units. ``map_batches`` runs :class:`EnrichActor` in an actor pool: each actor
builds one :class:`~newsweave.engines.local.BatchWorker` (models loaded once per actor), reads
its files, runs clean → ... → embed and, on PostgreSQL, writes each document in its own
transaction from the worker. On SQLite (one writer at a time) the documents travel back and the
driver writes them. Ray Data's ``preserve_order`` hands the outcomes back in input order, so the
driver's :class:`~newsweave.engines.local.Committer` links them (events, stories) exactly as the
single-process path does.

Faults: Ray Data's actor pool restarts a dead actor (``max_restarts=-1``) and resubmits its
batches (``max_task_retries=-1``). A re-run batch finds what its first attempt stored: ids are
content hashes and writes are idempotent, and the committer links a stored-but-unlinked
document once, so nothing is lost or stored twice.

Ray Data rather than plain tasks: it gives the actor pool, batching, back-pressure (a slow driver
is not flooded with results), ordered streaming back to the driver and the retries, all of which
plain actors would need by hand. Measured costs are in docs/scaling.md.
"""

from __future__ import annotations

import logging
import os
import pickle
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..errors import EngineError, ModelUnavailable, NewsweaveError, StoreError
from ..store import open_store
from .local import (
    CORPUS_WINDOW,
    BatchWorker,
    Committer,
    ProgressFn,
    Unit,
    links_enabled,
    plan_units,
    stage_names,
)

__all__ = ["EnrichActor", "ingest_ray", "is_concurrent_store"]

INSTALL_HINT = 'Ray is not installed: pip install "ray[data]==2.60.0"'


def _ray() -> Any:
    try:
        import ray
        import ray.data  # the Data library must be there too
    except ImportError as exc:
        raise ModelUnavailable(INSTALL_HINT) from exc
    return ray


def is_concurrent_store(store_url: str) -> bool:
    """Whether workers may write to this store themselves (PostgreSQL) or not (SQLite)."""
    return str(store_url).startswith(("postgresql://", "postgres://"))


class EnrichActor:
    """The Ray Data callable class: one per actor, holding a BatchWorker with loaded models."""

    def __init__(self, **worker_kwargs: Any) -> None:
        self.worker = BatchWorker(**worker_kwargs)
        self.worker.load()

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, list[bytes]]:
        units = [pickle.loads(b) for b in batch["unit"]]
        return {"outcome": [o.dumps() for o in self.worker.process(units)]}


def _connect(address: str | None, num_cpus: int | None) -> bool:
    """Join (``address``) or start a local Ray; True when this call started it."""
    ray = _ray()
    if ray.is_initialized():
        return False
    kwargs: dict[str, Any] = {"include_dashboard": False, "logging_level": logging.WARNING,
                              "log_to_driver": False}
    if address:
        ray.init(address=address, **kwargs)
    else:
        ray.init(num_cpus=num_cpus, **kwargs)
    return True


def _workers(ray: Any, workers: int | None) -> int:
    if workers:
        return max(1, int(workers))
    return max(1, int(ray.cluster_resources().get("CPU", 1)))


def ingest_ray(
    store_url: str,
    paths: Sequence[str],
    *,
    address: str | None = None,
    num_cpus: int | None = None,
    batch_size: int = 32,
    until: str | None = None,
    workers: int | None = None,
    pattern: str | None = None,
    field_map: dict[str, str] | None = None,
    manifest: str | None = None,
    progress: ProgressFn | None = None,
    link: bool = True,
    corpus_window: int = CORPUS_WINDOW,
) -> Any:
    """Ingest ``paths`` into the store at ``store_url`` with the stages running on Ray.

    ``address``: a running cluster (``"auto"``, ``"ray://head:10001"``, ``"head:6379"``); without
    it, and without a Ray already initialised in this process, a local Ray with ``num_cpus`` is
    started (and shut down at the end). ``batch_size``: files per map batch. ``workers``: actors
    in the pool (default: one per CPU of the cluster). ``link=False`` skips the online step (events,
    stories): every per-document stage still runs. ``corpus_window``: documents dated together on
    the driver (``engines.local.Committer``; 0: each alone). Returns an ``api.IngestReport``."""
    names = stage_names(until)
    ray = _ray()
    store = open_store(store_url)  # created and migrated here, before any worker opens it
    started = False
    try:
        if str(store_url) == ":memory:":
            raise StoreError("an in-memory SQLite store cannot be shared with Ray workers; give a file or a URL")
        units = plan_units(paths, pattern=pattern, field_map=field_map, manifest=manifest)
        if units:  # Ray first, before this process does any heavy work of its own
            started = _connect(address, num_cpus)
        writes = is_concurrent_store(store_url)
        linking = link and links_enabled(names)
        committer = Committer(store, link=linking, workers_write=writes, progress=progress,
                              corpus_window=corpus_window)
        if units:
            for o in _run(ray, units, store_url, names, writes, linking, field_map, batch_size, workers):
                committer.take(o)
        return committer.finish()
    finally:
        store.close()
        if started:
            ray.shutdown()


def _run(ray: Any, units: list[Unit], store_url: str, names: list[str], writes: bool, relink: bool,
         field_map: dict[str, str] | None, batch_size: int, workers: int | None) -> Any:
    """The outcomes of every unit, in input order, as the actor pool produces them."""
    import ray.data

    ctx = ray.data.DataContext.get_current()
    saved = (ctx.execution_options.preserve_order, ctx.enable_progress_bars)
    ctx.execution_options.preserve_order = True  # the linking after it depends on input order
    ctx.enable_progress_bars = False
    size = max(1, batch_size)
    try:
        ds = ray.data.from_items([{"unit": pickle.dumps(u)} for u in units],
                                 override_num_blocks=max(1, -(-len(units) // size)))
        ds = ds.map_batches(
            EnrichActor,
            fn_constructor_kwargs={"store_url": str(store_url), "names": names, "writes": writes,
                                   "relink": relink, "field_map": field_map, "pipe_batch": size, "cwd": os.getcwd()},
            batch_size=size, batch_format="numpy", num_cpus=1,
            compute=ray.data.ActorPoolStrategy(size=_workers(ray, workers)),
        )
        for row in ds.iter_rows():
            yield pickle.loads(row["outcome"])
    except NewsweaveError:
        raise
    except Exception as exc:  # a Ray job failure: surface the worker's own error when it is ours
        cause = getattr(exc, "cause", None)
        if isinstance(cause, NewsweaveError):
            raise cause from exc
        raise EngineError(f"the Ray ingest job failed: {type(exc).__name__}: {exc}") from exc
    finally:
        ctx.execution_options.preserve_order, ctx.enable_progress_bars = saved
