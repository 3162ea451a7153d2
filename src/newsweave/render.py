"""Terminal rendering of one document for ``newsweave show``."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.panel import Panel
from rich.text import Text


def render_document(out: Console, d: dict[str, Any]) -> None:
    p = d.get("published") or {}
    head = Text()
    head.append(f"{d.get('title') or '(no title)'}\n", style="bold")
    head.append(f"id {d['id']}  lang {d['lang']} ({d.get('lang_confidence', 0):.2f})  format {d['format']}\n")
    for s in d.get("sources", []):
        head.append(f"source {s.get('source')}  {s.get('url') or ''} {s.get('outlet') or ''}\n")
    head.append(f"published {p.get('value') or 'unknown'} [{p.get('earliest') or '?'} … {p.get('latest') or '?'}] "
                f"from {p.get('source') or '-'}\n")
    for ev in p.get("evidence") or []:
        head.append(f"  · {ev}\n", style="dim")
    if d.get("event_id"):
        head.append(f"event {d['event_id']}  story {d.get('story_id') or '-'}\n")
    out.print(Panel(head, title="article"))

    text = Text(d["text"])
    for m in d.get("mentions", []):
        text.stylize("bold cyan" if m["type"] != "ROLE" else "bold magenta", m["start"], m["end"])
    for t in d.get("times", []):
        text.stylize("underline green", t["start"], t["end"])
    for q in d.get("quotes", []):
        text.stylize("italic yellow", q["start"], q["end"])
    out.print(Panel(text, title="clean text (entities cyan, roles magenta, dates green, quotes yellow)"))

    if d.get("removed"):
        rem = Text()
        for r in d["removed"]:
            rem.append(f"[{r['start']}:{r['end']}] {r['reason']}: ", style="red")
            rem.append(r["text"][:200].replace("\n", " ⏎ ") + "\n", style="strike")
        out.print(Panel(rem, title="removed"))
    if d.get("quotes"):
        qs = Text()
        for q in d["quotes"]:
            qs.append(f"{q['kind']:8} {q.get('speaker_text') or '?'} ({q.get('cue') or '-'}): ", style="bold")
            qs.append(q["text"][:160] + "\n")
        out.print(Panel(qs, title="quotes"))
