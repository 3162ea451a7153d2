"""Turn a text and its annotated spans into safe HTML.

Every character of article text goes through ``html.escape``; only the tags this module writes
are markup. Spans (mentions, quotes, time expressions, removed boilerplate) may nest — a quote
holds mentions and dates — but may not cross: a span that starts inside another and ends outside
it is dropped (the longer, earlier span wins), so the output is always well-formed.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from markupsafe import Markup


@dataclass
class Span:
    start: int
    end: int
    cls: str  # CSS class: mention, role, quote, time, removed
    href: str | None = None
    title: str | None = None
    data: dict[str, str] = field(default_factory=dict)
    children: list[Span] = field(default_factory=list)


def nest(spans: list[Span], length: int) -> list[Span]:
    """Top-level spans with nested children; crossing and out-of-range spans are dropped."""
    ok = sorted((s for s in spans if 0 <= s.start < s.end <= length), key=lambda s: (s.start, -s.end))
    roots: list[Span] = []
    stack: list[Span] = []
    for s in ok:
        s.children = []
        while stack and stack[-1].end <= s.start:
            stack.pop()
        if stack and s.end > stack[-1].end:
            continue  # crosses the open span
        (stack[-1].children if stack else roots).append(s)
        stack.append(s)
    return roots


def _open(s: Span, inside_link: bool) -> tuple[str, str, bool]:
    attrs = [f'class="{html.escape(s.cls)}"']
    if s.title:
        attrs.append(f'title="{html.escape(s.title)}"')
    for k, v in s.data.items():
        attrs.append(f'data-{html.escape(k)}="{html.escape(v)}"')
    if s.href and not inside_link:  # no links inside links
        return f'<a href="{html.escape(s.href)}" {" ".join(attrs)}>', "</a>", True
    return f'<span {" ".join(attrs)}>', "</span>", inside_link


def render(text: str, spans: list[Span]) -> Markup:
    """``text`` as HTML with each span wrapped in its element; newlines kept as <br>."""
    out: list[str] = []

    def esc(a: int, b: int) -> None:
        out.append(html.escape(text[a:b]).replace("\n", "<br>\n"))

    def walk(nodes: list[Span], pos: int, end: int, inside_link: bool) -> None:
        for s in nodes:
            esc(pos, s.start)
            opening, closing, in_link = _open(s, inside_link)
            out.append(opening)
            walk(s.children, s.start, s.end, in_link)
            out.append(closing)
            pos = s.end
        esc(pos, end)

    walk(nest(spans, len(text)), 0, len(text), False)
    return Markup("".join(out))


def highlight(text: str, marks: list[list[int]]) -> Markup:
    """A snippet with ``<mark>`` around the given [start, end] spans."""
    spans = [Span(a, b, "hit") for a, b in marks]
    out: list[str] = []
    pos = 0
    for s in nest(spans, len(text)):
        out.append(html.escape(text[pos : s.start]))
        out.append(f"<mark>{html.escape(text[s.start : s.end])}</mark>")
        pos = s.end
    out.append(html.escape(text[pos:]))
    return Markup("".join(out))
