"""Small charts as inline SVG, drawn on the server (no JavaScript, no CDN)."""

from __future__ import annotations

import html
from datetime import date

from markupsafe import Markup


def bar_chart(counts: list[tuple[str, int]], *, width: int = 640, height: int = 180, label: str = "") -> Markup:
    """Vertical bars, one per (period label, count), in the given order."""
    if not counts:
        return Markup('<p class="muted">no dated mentions</p>')
    pad_l, pad_b, pad_t = 34, 34, 12
    inner_w, inner_h = width - pad_l - 8, height - pad_b - pad_t
    top = max(c for _, c in counts) or 1
    bw = inner_w / len(counts)
    parts = [
        f'<svg class="chart" role="img" aria-label="{html.escape(label)}" viewBox="0 0 {width} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">',
        f'<line x1="{pad_l}" y1="{pad_t + inner_h}" x2="{width - 8}" y2="{pad_t + inner_h}" class="axis"/>',
        f'<text x="{pad_l - 6}" y="{pad_t + 8}" class="tick" text-anchor="end">{top}</text>',
        f'<text x="{pad_l - 6}" y="{pad_t + inner_h}" class="tick" text-anchor="end">0</text>',
    ]
    every = max(1, len(counts) // 12)
    for i, (period, n) in enumerate(counts):
        h = inner_h * n / top
        x = pad_l + i * bw + bw * 0.15
        y = pad_t + inner_h - h
        parts.append(
            f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{bw * 0.7:.1f}" height="{h:.1f}">'
            f"<title>{html.escape(period)}: {n}</title></rect>"
        )
        if i % every == 0:
            parts.append(f'<text class="tick" x="{x + bw * 0.35:.1f}" y="{height - 12}" '
                         f'text-anchor="middle">{html.escape(period)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _as_date(value: str | None) -> date | None:
    if not value:
        return None
    v = value[:10]
    for cut, fill in ((10, ""), (7, "-01"), (4, "-01-01")):
        try:
            return date.fromisoformat(v[:cut] + fill)
        except ValueError:
            continue
    return None


LABEL_W = 72  # width of a date label at the chart's font size


def timeline(entries: list[dict[str, str | None]], *, width: int = 900, height: int = 160) -> Markup:
    """A horizontal time axis with one dot per dated entry (``date``, ``label``, ``href``)."""
    dated = [(d, e) for e in entries if (d := _as_date(e.get("date"))) is not None]
    if not dated:
        return Markup('<p class="muted">no dated events</p>')
    lo = min(d for d, _ in dated)
    hi = max(d for d, _ in dated)
    span = max((hi - lo).days, 1)
    pad = 60
    axis_y = 76
    parts = [
        f'<svg class="timeline-svg" role="img" aria-label="timeline" viewBox="0 0 {width} {height}" width="100%" '
        'xmlns="http://www.w3.org/2000/svg">',
        f'<line class="axis" x1="{pad}" y1="{axis_y}" x2="{width - pad}" y2="{axis_y}"/>',
    ]
    for year in range(lo.year, hi.year + 2):
        d = date(year, 1, 1)
        if lo <= d <= hi:
            x = pad + (width - 2 * pad) * (d - lo).days / span
            parts.append(f'<line class="year" x1="{x:.1f}" y1="8" x2="{x:.1f}" y2="{height - 16}"/>'
                         f'<text class="tick year-label" x="{x + 3:.1f}" y="{height - 4}">{year}</text>')
    lanes: list[float] = []  # right edge of the last label in each lane
    for d, e in sorted(dated, key=lambda t: t[0]):
        x = pad + (width - 2 * pad) * (d - lo).days / span if hi != lo else width / 2
        lane = next((i for i, right in enumerate(lanes) if right < x - LABEL_W / 2), len(lanes))
        if lane == len(lanes):
            lanes.append(0.0)
        lanes[lane] = x + LABEL_W / 2
        y_lab = axis_y - 14 - 14 * (lane // 2) if lane % 2 == 0 else axis_y + 24 + 14 * (lane // 2) + 12
        dot = (f'<circle class="dot" cx="{x:.1f}" cy="{axis_y}" r="7"><title>{html.escape(str(e.get("date")))}: '
               f'{html.escape(str(e.get("label") or ""))}</title></circle>'
               f'<text class="tick date" x="{x:.1f}" y="{y_lab}" text-anchor="middle">{html.escape(d.isoformat())}</text>')
        href = e.get("href")
        parts.append(f'<a href="{html.escape(href)}">{dot}</a>' if href else dot)
    parts.append("</svg>")
    return Markup("".join(parts))
