"""The command line: a thin face over :mod:`newsweave.api`. It parses, calls, prints, and turns
newsweave's errors into messages and exit codes (0 ok, 3 some inputs rejected, 1 error)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from . import api
from .errors import NewsweaveError
from .store import KINDS, DocFilter, Store

app = typer.Typer(add_completion=False, no_args_is_help=True, help="newsweave: multilingual news intelligence.")
train_app = typer.Typer(no_args_is_help=True, help="Rebuild the models newsweave ships.")
app.add_typer(train_app, name="train")
out = Console()
err = Console(stderr=True)

EXIT_OK, EXIT_ERROR, EXIT_REJECTED = 0, 1, 3


class _State:
    db: str | None = None
    _store: Store | None = None

    def store(self) -> Store:
        if self._store is None:
            self._store = api.open_db(self.db)
        return self._store


state = _State()


def fail(msg: str, code: int = EXIT_ERROR) -> None:
    err.print(f"[red]error:[/red] {msg}", highlight=False)
    raise typer.Exit(code)


@app.callback()
def main_options(
    db: str = typer.Option(None, "--db", envvar="NEWSWEAVE_DB", help="Database: a SQLite file path (default ./newsweave.db)."),
) -> None:
    state.db = db


def _filter(lang: str | None = None, source: str | None = None, date_from: str | None = None,
            date_to: str | None = None, entity: str | None = None, event: str | None = None,
            story: str | None = None) -> DocFilter:
    return DocFilter(lang=lang, source=source, date_from=date_from, date_to=date_to, entity_id=entity,
                     event_id=event, story_id=story)


def _print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=None) + "\n")


@app.command()
def ingest(
    paths: list[str] = typer.Argument(None, help="Files, directories or '-' for stdin."),
    sample: bool = typer.Option(False, "--sample", help="Ingest the bundled sample corpus."),
    until: str = typer.Option(None, "--until", help="Stop after this stage (clean, language, segment, time, ...)."),
    pattern: str = typer.Option(None, "--glob", help="Only files whose name matches this glob, e.g. '*.html'."),
    manifest: str | None = typer.Option(None, "--manifest", help="CSV or JSONL with a 'path' column and metadata."),
    field_map: str = typer.Option(None, "--fields", help="JSON field mapping, e.g. 'text=body,date=pubdate'."),
    engine: str = typer.Option("local", "--engine", help="local (one process) or ray (Ray Data, many workers)."),
    ray_address: str = typer.Option(None, "--ray-address", help="Ray cluster address (default: a local Ray)."),
    workers: int = typer.Option(None, "--workers", help="Ray workers (default: one per CPU)."),
    no_link: bool = typer.Option(False, "--no-link", help="Skip the events/stories step."),
    corpus_window: int = typer.Option(
        None, "--corpus-window", min=0, help="Documents dated together (default 2000; 0 = each alone)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Ingest articles and run the whole pipeline on them."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    targets = list(paths or [])
    if sample:
        targets += api.sample_paths()
        manifest = manifest or api.sample_manifest()
    if not targets:
        fail("nothing to ingest: give paths, '-' for stdin, or --sample")
    fmap = dict(kv.split("=", 1) for kv in field_map.split(",")) if field_map else None
    try:
        store = state.store()
        with Progress(TextColumn("[bold]ingest"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.description}"),
                      TimeElapsedColumn(), console=err, transient=True, disable=not err.is_terminal) as bar:
            task = bar.add_task("", total=None)

            def progress(done: int, source: str) -> None:
                bar.update(task, completed=done, description=Path(source).name[:40])

            if engine == "ray":
                from .engines import ingest_ray
                from .store import default_url

                url = state.db or default_url()
                store.close()
                state._store = None
                window = {} if corpus_window is None else {"corpus_window": corpus_window}
                report = ingest_ray(url, targets, address=ray_address, workers=workers, until=until,
                                    pattern=pattern, field_map=fmap, manifest=manifest, progress=progress,
                                    link=not no_link, **window)
            elif engine == "local":
                report = api.ingest(store, targets, until=until, pattern=pattern, field_map=fmap, manifest=manifest,
                                    progress=progress, link=not no_link, corpus_window=corpus_window)
            else:
                fail(f"unknown engine {engine!r}; valid engines: local, ray")
                return
    except NewsweaveError as exc:
        fail(str(exc))
        return
    for source, reason in report.rejected:
        err.print(f"rejected {source}: {reason}", highlight=False, soft_wrap=True)
    if as_json:
        _print_json(report.as_dict())
    else:
        langs = ", ".join(f"{k} {v}" for k, v in report.languages.most_common()) or "-"
        out.print(
            f"ingested {report.ingested}, duplicates {report.duplicates}, unchanged {report.unchanged}, "
            f"rejected {len(report.rejected)}; languages: {langs}", highlight=False)
    raise typer.Exit(EXIT_OK if report.ok else EXIT_REJECTED)


@app.command()
def status(as_json: bool = typer.Option(False, "--json")) -> None:
    """What the database holds."""
    try:
        st = api.status(state.store())
    except NewsweaveError as exc:
        fail(str(exc))
        return
    if as_json:
        _print_json(st)
        return
    t = Table(title=f"newsweave database {st['db']}", show_header=False)
    for k in (*KINDS, "sources"):
        t.add_row(k, str(st[k]))
    t.add_row("languages", ", ".join(f"{k} {v}" for k, v in st["languages"].items()) or "-")
    t.add_row("dated documents", str(st["dated"]))
    t.add_row("published range", " … ".join(str(x) for x in st["published_range"]))
    out.print(t)


@app.command()
def articles(
    lang: str = typer.Option(None, "--lang"), source: str = typer.Option(None, "--source"),
    date_from: str = typer.Option(None, "--from"), date_to: str = typer.Option(None, "--to"),
    entity: str = typer.Option(None, "--entity", help="Entity id."), event: str = typer.Option(None, "--event"),
    story: str = typer.Option(None, "--story"), limit: int = typer.Option(50, "--limit"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """List articles, filtered."""
    try:
        rows = api.articles(state.store(), _filter(lang, source, date_from, date_to, entity, event, story), limit=limit)
    except NewsweaveError as exc:
        fail(str(exc))
        return
    if as_json:
        for r in rows:
            _print_json({k: r[k] for k in ("id", "source", "lang", "title", "published", "event_id", "story_id")})
        return
    t = Table("id", "lang", "published", "title", "source")
    for r in rows:
        p = r["published"] or {}
        when = f"{p.get('value') or '?'} ({p.get('source') or '-'})"
        title = r["title"] or (r["text"][:60] + "…")
        t.add_row(r["id"][:10], r["lang"], when, title, Path(r["source"] or "").name)
    out.print(t)


@app.command()
def show(doc_id: str, as_json: bool = typer.Option(False, "--json")) -> None:
    """One article: clean text with removed spans, metadata, dates with provenance, entities, quotes."""
    from .render import render_document

    try:
        d = api.show(state.store(), doc_id)
    except NewsweaveError as exc:
        fail(str(exc))
        return
    if as_json:
        _print_json(d)
        return
    render_document(out, d)


@app.command("export")
def export_cmd(
    kind: str = typer.Argument(..., help=f"One of: {', '.join(KINDS)}."),
    fmt: str = typer.Option("jsonl", "--format", help="jsonl, json, csv, md, html or graphml."),
    output: str = typer.Option(None, "-o", "--output", help="File to write (default stdout)."),
    lang: str = typer.Option(None, "--lang"), source: str = typer.Option(None, "--source"),
    date_from: str = typer.Option(None, "--from"), date_to: str = typer.Option(None, "--to"),
) -> None:
    """Export records of one kind (the format of DESIGN.md's Contracts)."""
    from .export import write_export

    try:
        flt = _filter(lang, source, date_from, date_to)
        if output:
            with open(output, "w", encoding="utf-8", newline="") as stream:
                write_export(state.store(), kind, fmt, stream, flt)
        else:
            write_export(state.store(), kind, fmt, sys.stdout, flt)
    except NewsweaveError as exc:
        fail(str(exc))


@app.command("eval")
def eval_cmd(
    task: str = typer.Argument(..., help="extraction, ner, time, quotes, dating or timeline."),
    data: Path = typer.Option(..., "--data", help="The dataset, in its own published format."),
    lang: str = typer.Option(None, "--lang"),
    split: str = typer.Option(None, "--split", help="Part of the data: all, dev or rest (where the task has splits)."),
    opt: list[str] = typer.Option(None, "--opt", help="Task option KEY=VALUE, repeatable (e.g. limit=100)."),
    as_json: bool = typer.Option(False, "--json", help="Last line: the metrics as one JSON object."),
) -> None:
    """Measure a stage against labelled data and print the task's standard metrics."""
    from .eval import run_eval

    extra: dict[str, object] = {}
    for kv in opt or []:
        key, sep, value = kv.partition("=")
        if not sep:
            fail(f"--opt {kv!r}: expected KEY=VALUE")
        extra[key] = int(value) if value.isdigit() else value
    try:
        report, metrics = run_eval(task, data, lang=lang, split=split, **extra)
    except NewsweaveError as exc:
        fail(str(exc))
        return
    out.print(report, highlight=False)
    if as_json:
        _print_json(metrics)


@train_app.command("ner")
def train_ner(
    lang: str = typer.Option("de", "--lang"),
    out_dir: Path = typer.Option(None, "--out", help="Where to write the model (default: the package's models/)."),
    minutes: float | None = typer.Option(None, "--minutes", help="Training time budget (default: the recipe's)."),
    seed: int = typer.Option(0, "--seed", help="Random seed (the shipped models use 0)."),
) -> None:
    """Rebuild the NER model for a language from the shared training data (the shipped recipe)."""
    try:
        from .ner.train import train
    except ImportError as exc:
        fail(f"NER training is not available: {exc}")
        return
    try:
        from .paths import MODELS_DIR

        budget: dict[str, Any] = {} if minutes is None else {"max_minutes": minutes}
        result = train(lang, out_dir or MODELS_DIR / f"ner_{lang}", seed=seed, **budget)
    except NewsweaveError as exc:
        fail(str(exc))
        return
    _print_json(result)


def main() -> None:
    from . import cli_more  # noqa: F401  - registers entities, quotes, events, stories, timeline, search, serve

    app()


if __name__ == "__main__":
    main()
