"""Exports: JSONL (one object per line), JSON, CSV, Markdown/HTML reports and GraphML."""

from __future__ import annotations

import csv
import html
import json
from typing import IO, Any

from .errors import NewsweaveError
from .store import KINDS, DocFilter, Store

FORMATS = ("jsonl", "json", "csv", "md", "html", "graphml")


def write_export(store: Store, kind: str, fmt: str, stream: IO[str], flt: DocFilter | None = None) -> int:
    """Write every record of ``kind`` to ``stream`` in ``fmt``; returns the number written."""
    if kind not in KINDS:
        raise NewsweaveError(f"unknown export kind {kind!r}; valid kinds: {', '.join(KINDS)}")
    if fmt not in FORMATS:
        raise NewsweaveError(f"cannot export as {fmt!r}; valid formats: {', '.join(FORMATS)}")
    rows = store.iter_records(kind, flt)
    if fmt == "jsonl":
        n = 0
        for r in rows:
            stream.write(json.dumps(r, ensure_ascii=False) + "\n")
            n += 1
        return n
    data = list(rows)
    if fmt == "json":
        json.dump(data, stream, ensure_ascii=False, indent=1)
        stream.write("\n")
    elif fmt == "csv":
        _csv(data, stream)
    elif fmt in ("md", "html"):
        from .report import report

        stream.write(report(store, kind, data, fmt))
    elif fmt == "graphml":
        _graphml(store, stream)
    return len(data)


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, (dict, list)):
        return json.dumps(v, ensure_ascii=False)
    return str(v)


def _csv(rows: list[dict[str, Any]], stream: IO[str]) -> None:
    cols: list[str] = []
    for r in rows:
        cols.extend(k for k in r if k not in cols)
    w = csv.writer(stream)
    w.writerow(cols)
    for r in rows:
        w.writerow([_cell(r.get(c)) for c in cols])


def _graphml(store: Store, stream: IO[str]) -> None:
    """Entity co-occurrence network: entities are nodes, documents they share weigh the edges."""
    from collections import Counter
    from itertools import combinations

    ents = {e["id"]: e for e in store.iter_records("entities")}
    per_doc: dict[str, set[str]] = {}
    for m in store.iter_records("mentions"):
        if m.get("entity_id") in ents:
            per_doc.setdefault(m["doc_id"], set()).add(m["entity_id"])
    edges: Counter[tuple[str, str]] = Counter()
    for ids in per_doc.values():
        for a, b in combinations(sorted(ids), 2):
            edges[(a, b)] += 1
    e = html.escape
    stream.write('<?xml version="1.0" encoding="UTF-8"?>\n<graphml xmlns="http://graphml.graphdrawing.org/xmlns">\n')
    stream.write('<key id="name" for="node" attr.name="name" attr.type="string"/>\n')
    stream.write('<key id="type" for="node" attr.name="type" attr.type="string"/>\n')
    stream.write('<key id="weight" for="edge" attr.name="weight" attr.type="int"/>\n<graph edgedefault="undirected">\n')
    for ent in ents.values():
        stream.write(f'<node id="{e(ent["id"])}"><data key="name">{e(ent["name"])}</data>'
                     f'<data key="type">{e(ent["type"])}</data></node>\n')
    for (a, b), w in sorted(edges.items()):
        stream.write(f'<edge source="{e(a)}" target="{e(b)}"><data key="weight">{w}</data></edge>\n')
    stream.write("</graph>\n</graphml>\n")
