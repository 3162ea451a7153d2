"""Read-side queries over the linked structure, shared by the CLI, the REST API and the web UI."""

from __future__ import annotations

from typing import Any

from .errors import NewsweaveError, NotFoundError
from .store import DocFilter, Store


def _norm(s: str) -> str:
    import unicodedata

    return "".join(c for c in unicodedata.normalize("NFKD", s.casefold()) if not unicodedata.combining(c))


def entities(store: Store, *, name: str | None = None, etype: str | None = None, limit: int = 50,
             flt: DocFilter | None = None) -> list[dict[str, Any]]:
    rows = list(store.iter_records("entities", flt))
    if etype:
        rows = [r for r in rows if r["type"] == etype.upper()]
    if name:
        n = _norm(name)
        rows = [r for r in rows if any(n in _norm(a) for a in [r["name"], *r["aliases"]])]
    rows.sort(key=lambda r: (-r["mention_count"], r["name"]))
    return rows[:limit]


def find_entity(store: Store, name: str) -> dict[str, Any] | None:
    """The most mentioned entity whose name or any alias equals ``name`` (else contains it)."""
    n = _norm(name)
    rows = list(store.iter_records("entities"))
    exact = [r for r in rows if any(_norm(a) == n for a in [r["name"], *r["aliases"]])]
    cand = exact or [r for r in rows if any(n in _norm(a) for a in [r["name"], *r["aliases"]])]
    return max(cand, key=lambda r: r["mention_count"]) if cand else None


def quotes(store: Store, *, speaker: str | None = None, lang: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
    flt = DocFilter(lang=lang)
    if speaker:
        ent = find_entity(store, speaker)
        if ent is None:
            return []
        flt.entity_id = ent["id"]
    names = {e["id"]: e["name"] for e in store.iter_records("entities")}
    rows = list(store.iter_records("quotes", flt))
    for r in rows:
        r["speaker_name"] = names.get(r.get("speaker_entity_id") or "")
    return rows[:limit]


def events(store: Store, flt: DocFilter | None = None, *, limit: int = 100) -> list[dict[str, Any]]:
    rows = list(store.iter_records("events", flt))
    rows.sort(key=lambda r: (r.get("date") or "9999", r["id"]))
    return rows[:limit]


def stories(store: Store, *, limit: int = 100) -> list[dict[str, Any]]:
    rows = list(store.iter_records("stories"))
    for r in rows:
        dates: list[str] = [d for e in r["event_ids"] if (d := store.get_record("events", e).get("date"))]
        r["date_start"], r["date_end"] = (min(dates), max(dates)) if dates else (None, None)
    rows.sort(key=lambda r: (-len(r["event_ids"]), r["id"]))
    return rows[:limit]


def timeline(store: Store, story_id: str) -> dict[str, Any]:
    """One entry per date of a story: the date, a summary sentence, the sources."""
    from .api import resolve_id

    sid = resolve_id(store, "stories", story_id)
    st = store.get_story(sid)
    if st is None:
        raise NotFoundError("story", story_id)
    from .link.timeline import story_timeline

    result: dict[str, Any] = story_timeline(store, sid)
    return result


def topic_timeline(store: Store, q: str, flt: DocFilter | None = None, *, n_dates: int = 10, n_sentences: int = 1,
                   max_docs: int = 100) -> dict[str, Any]:
    """Timeline summarisation (news-tls, date-wise) over the articles a search finds: the dates
    most articles report, each with its most central sentences and their sources."""
    from .link.timeline import topic_timeline as tls_over

    if n_dates < 1 or n_sentences < 1 or max_docs < 1:
        raise NewsweaveError(f"dates, sentences and documents must be at least 1 (got {n_dates}, {n_sentences}, "
                             f"{max_docs})")
    found = search(store, q, flt, limit=max_docs)
    result: dict[str, Any] = tls_over(store, [h["id"] for h in found["hits"]], n_dates=n_dates,
                                      n_sentences=n_sentences)
    result["query"] = found["query"]
    return result


def search(store: Store, q: str, flt: DocFilter | None = None, *, limit: int = 10) -> dict[str, Any]:
    """Hybrid search: BM25, stemmed full text, vectors and entity names, fused."""
    from .search import hybrid_search

    result: dict[str, Any] = hybrid_search(store, q, flt, limit=limit)
    return result
