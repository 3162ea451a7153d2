"""Markdown and HTML reports of stored records: stories with their timelines, events, articles."""

from __future__ import annotations

import html
from typing import Any

from .store import Store


def _md_table(rows: list[list[str]], head: list[str]) -> str:
    def esc(s: str) -> str:
        return s.replace("|", "\\|").replace("\n", " ")

    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(esc(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def _title(r: dict[str, Any]) -> str:
    return str(r.get("title") or r.get("name") or (r.get("text") or "")[:80] or r["id"])


def markdown(store: Store, kind: str, rows: list[dict[str, Any]]) -> str:
    parts = [f"# newsweave report: {kind} ({len(rows)})", ""]
    if kind == "stories":
        for st in rows:
            parts += [f"## {st['title'] or st['id']}", ""]
            evs = [store.get_record("events", e) for e in st["event_ids"]]
            parts.append(_md_table([[str(e.get("date") or "?"), _title(e), str(len(e["doc_ids"]))] for e in evs],
                                   ["date", "event", "articles"]))
            parts.append("")
    elif kind == "events":
        for ev in rows:
            parts += [f"## {ev.get('date') or '?'} — {_title(ev)}", "", ev.get("summary") or "", ""]
            parts.append(f"Place: {ev.get('place') or '-'}; articles: {len(ev['doc_ids'])}")
            parts.append("")
    else:
        keys: list[str] = [k for k in ("id", "lang", "title", "name", "type", "text", "kind", "value") if rows and k in rows[0]]
        parts.append(_md_table([[str(r.get(k) or "")[:120] for k in keys] for r in rows], keys))
    return "\n".join(parts) + "\n"


def report(store: Store, kind: str, rows: list[dict[str, Any]], fmt: str) -> str:
    md = markdown(store, kind, rows)
    if fmt == "md":
        return md
    body = []
    for line in md.splitlines():
        if line.startswith("## "):
            body.append(f"<h2>{html.escape(line[3:])}</h2>")
        elif line.startswith("# "):
            body.append(f"<h1>{html.escape(line[2:])}</h1>")
        elif line.startswith("|---"):
            continue
        elif line.startswith("| "):
            cells = [html.escape(c.strip()) for c in line.strip("|").split(" | ")]
            body.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
        elif line.strip():
            body.append(f"<p>{html.escape(line)}</p>")
    return ("<!doctype html><html><head><meta charset='utf-8'><title>newsweave report</title></head><body>"
            + "\n".join(body) + "</body></html>\n")
