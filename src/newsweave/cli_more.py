"""CLI commands over the linked structure: entities, quotes, events, stories, timeline, search, serve."""

from __future__ import annotations

import typer
from rich.table import Table

from . import api, query
from .cli import _filter, _print_json, app, fail, out, state
from .errors import NewsweaveError


@app.command()
def entities(
    name: str = typer.Option(None, "--name", help="Only entities whose name or alias contains this."),
    etype: str = typer.Option(None, "--type", help="PER, ORG, LOC or MISC."),
    limit: int = typer.Option(50, "--limit"), as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Entities with mention counts, languages and aliases, most mentioned first."""
    try:
        rows = query.entities(state.store(), name=name, etype=etype, limit=limit)
    except NewsweaveError as exc:
        fail(str(exc))
        return
    if as_json:
        for r in rows:
            _print_json(r)
        return
    t = Table("id", "type", "name", "mentions", "docs", "languages", "aliases")
    for r in rows:
        t.add_row(r["id"][:10], r["type"], r["name"], str(r["mention_count"]), str(r["document_count"]),
                  ",".join(sorted(r["aliases_by_lang"])), "; ".join(r["aliases"][:6]))
    out.print(t)


@app.command()
def quotes(
    speaker: str = typer.Option(None, "--speaker", help="Speaker name (any alias, any language)."),
    lang: str = typer.Option(None, "--lang"), limit: int = typer.Option(50, "--limit"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Who said what: quotes with their speakers and cues."""
    try:
        rows = query.quotes(state.store(), speaker=speaker, lang=lang, limit=limit)
    except NewsweaveError as exc:
        fail(str(exc))
        return
    if as_json:
        for r in rows:
            _print_json(r)
        return
    t = Table("speaker", "kind", "cue", "quote", "doc")
    for r in rows:
        t.add_row(r.get("speaker_name") or r.get("speaker_text") or "?", r["kind"], r.get("cue") or "",
                  r["text"][:140], r["doc_id"][:10])
    out.print(t)


@app.command()
def events(
    story: str = typer.Option(None, "--story"), entity: str = typer.Option(None, "--entity"),
    date_from: str = typer.Option(None, "--from"), date_to: str = typer.Option(None, "--to"),
    limit: int = typer.Option(100, "--limit"), as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Events: articles that report the same happening, in date order."""
    try:
        rows = query.events(state.store(), _filter(date_from=date_from, date_to=date_to, entity=entity, story=story),
                            limit=limit)
    except NewsweaveError as exc:
        fail(str(exc))
        return
    if as_json:
        for r in rows:
            _print_json(r)
        return
    t = Table("id", "date", "title", "place", "articles", "story")
    for r in rows:
        t.add_row(r["id"][:10], str(r.get("date") or "?"), r["title"][:90], r.get("place") or "",
                  str(len(r["doc_ids"])), (r.get("story_id") or "")[:10])
    out.print(t)


@app.command()
def stories(limit: int = typer.Option(100, "--limit"), as_json: bool = typer.Option(False, "--json")) -> None:
    """Stories: events linked over time by shared actors and subject."""
    try:
        rows = query.stories(state.store(), limit=limit)
    except NewsweaveError as exc:
        fail(str(exc))
        return
    if as_json:
        for r in rows:
            _print_json(r)
        return
    t = Table("id", "title", "events", "from", "to")
    for r in rows:
        t.add_row(r["id"][:10], r["title"][:90], str(len(r["event_ids"])), str(r.get("date_start") or "?"),
                  str(r.get("date_end") or "?"))
    out.print(t)


@app.command()
def timeline(
    story_id: str = typer.Argument(None, help="A story id (or its prefix); or use --query."),
    q: str = typer.Option(None, "--query", "-q", help="Build a timeline of what this search finds, in any language."),
    n_dates: int = typer.Option(10, "--dates", help="With --query: how many dates."),
    n_sentences: int = typer.Option(1, "--sentences", help="With --query: sentences per date."),
    max_docs: int = typer.Option(100, "--docs", help="With --query: how many of the best hits to summarise."),
    lang: str = typer.Option(None, "--lang"), date_from: str = typer.Option(None, "--from"),
    date_to: str = typer.Option(None, "--to"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """A story's dated timeline (one entry per date, with its summary sentence and sources), or with
    --query a summarised timeline of the articles a search finds."""
    if (story_id is None) == (q is None):
        fail("give either a story id or --query (not both)")
        return
    try:
        if q is not None:
            tl = query.topic_timeline(state.store(), q, _filter(lang=lang, date_from=date_from, date_to=date_to),
                                      n_dates=n_dates, n_sentences=n_sentences, max_docs=max_docs)
            tl["title"] = f"{q!r}: {tl['documents']} articles"
        else:
            tl = query.timeline(state.store(), story_id)
    except NewsweaveError as exc:
        fail(str(exc))
        return
    if as_json:
        _print_json(tl)
        return
    out.print(f"[bold]{tl['title']}[/bold]  ({len(tl['entries'])} dates)", highlight=False)
    for e in tl["entries"]:
        out.print(f"[green]{e['date']}[/green]  {e['summary']}", highlight=False)
        out.print(f"            [dim]{', '.join(e.get('sources', [])[:4])}[/dim]", highlight=False)


@app.command()
def search(
    q: str = typer.Argument(..., help='Query, in any language: words, "exact phrase", prefix*, -excluded.'),
    lang: str = typer.Option(None, "--lang"), date_from: str = typer.Option(None, "--from"),
    date_to: str = typer.Option(None, "--to"),
    source: str = typer.Option(None, "--source", help="Part of a source path, URL or outlet."),
    limit: int = typer.Option(10, "--limit"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Search articles (full text and cross-lingual).

    Words are ranked by every ranker, in any language.

    "Quoted words" must occur as that phrase, e.g. "NATO-Russland-Rat".

    word* must start a word (three letters or more); -word or -"a phrase" must not occur.

    Anything else, an unbalanced quote included, is read as plain words.
    """
    try:
        res = query.search(state.store(), q, _filter(lang=lang, date_from=date_from, date_to=date_to, source=source),
                           limit=limit)
    except NewsweaveError as exc:
        fail(str(exc))
        return
    if as_json:
        _print_json(res)
        return
    t = Table("score", "id", "lang", "title")
    for h in res["hits"]:
        t.add_row(f"{h['score']:.3f}", h["id"][:10], h["lang"], h["title"] or h["snippet"][:80])
    out.print(t)


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", "--host"), port: int = typer.Option(8000, "--port"),
    token: str = typer.Option(None, "--token", envvar="NEWSWEAVE_TOKEN", help="Bearer token required for writes."),
) -> None:
    """Serve the REST API (/api/v1) and the web UI."""
    try:
        from .rest.app import serve as _serve
    except ImportError as exc:
        fail(f"the REST API is not available: {exc}")
        return
    _serve(api.open_db(state.db), host=host, port=port, token=token)

