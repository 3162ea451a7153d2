"""Ingest: turn paths (files, directories, stdin) into raw items, and raw items into documents.

    for item in iter_items(["corpus/", "feed.xml", "-"], pattern="*.html"):
        if isinstance(item, InputError):
            report(item)            # one error per bad input, with the input's name and reason
        else:
            doc = to_document(item) # raw bytes, format ("text" | "html"), sources, raw_text

Reading never raises for bad input: the iterator yields an :class:`InputError` exactly once per
input (or per record) that cannot be read, and carries on. ``Source.source`` is the path as
given, with ``#N`` for record N inside a file (JSONL line, feed entry, WARC record, JSON list item).

Metadata beside a file: ``NAME.meta.json`` (``a.html.meta.json`` or ``a.meta.json``) and/or a
manifest (CSV with a header, or JSONL) whose rows carry ``path`` (or ``file``) and metadata
columns (url, outlet, published/date, author, language, title; others land in Source.extra).
"""

from __future__ import annotations

import csv
import fnmatch
import gzip
import io
import json
import os
import sys
import zlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..errors import EmptyInputError, InputError
from ..model import Document, RawItem, Source
from . import formats
from .formats import binary_reason, decode_bytes, format_for_name, html_charset, sniff_format

STREAMING = frozenset({"jsonl", "warc"})
SIDECAR_SUFFIX = ".meta.json"


def iter_items(
    paths: Sequence[str],
    *,
    recursive: bool = True,
    pattern: str | None = None,
    field_map: dict[str, str] | None = None,
    manifest: str | None = None,
    max_bytes: int = 50_000_000,
) -> Iterator[RawItem | InputError]:
    """Every readable item under ``paths``, and one InputError per input that is not readable."""
    try:
        fields = formats.resolve_field_map(field_map)
    except InputError as err:
        yield err
        return
    rows: dict[str, dict[str, Any]] = {}
    if manifest:
        try:
            rows = read_manifest(manifest)
        except InputError as err:
            yield err
    skip = {os.path.abspath(manifest)} if manifest else set()
    for given in paths:
        if given == "-":
            yield from _read_one("-", sys.stdin.buffer.read(max_bytes + 1), fields, max_bytes, {})
            continue
        if os.path.isdir(given):
            for path in walk(given, recursive=recursive, pattern=pattern):
                if os.path.abspath(path) not in skip:
                    yield from read_path(path, fields=fields, max_bytes=max_bytes, manifest_rows=rows)
        elif os.path.exists(given):
            yield from read_path(given, fields=fields, max_bytes=max_bytes, manifest_rows=rows)
        else:
            yield InputError(given, "no such file or directory")


def walk(root: str, *, recursive: bool, pattern: str | None) -> Iterator[str]:
    """Files under ``root`` in a stable order, skipping hidden entries and sidecars."""
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".")) if recursive else []
        for name in sorted(filenames):
            if name.startswith(".") or name.endswith(SIDECAR_SUFFIX):
                continue
            path = os.path.join(dirpath, name)
            if pattern and not (fnmatch.fnmatch(name, pattern) or fnmatch.fnmatch(os.path.relpath(path, root), pattern)):
                continue
            yield path


def read_path(
    path: str,
    *,
    fields: dict[str, tuple[str, ...]] | None = None,
    max_bytes: int = 50_000_000,
    manifest_rows: Mapping[str, dict[str, Any]] | None = None,
) -> Iterator[RawItem | InputError]:
    """The items of one file, with its sidecar and manifest metadata applied."""
    fields = fields or formats.resolve_field_map(None)
    meta: dict[str, Any] = dict((manifest_rows or {}).get(os.path.abspath(path), {}))
    side = _read_sidecar(path)
    if isinstance(side, InputError):
        yield side
    else:
        meta.update(side)
    hint = format_for_name(path)
    try:
        size = os.path.getsize(path)
        if hint == "warc":
            with open(path, "rb") as fh:
                for x in formats.read_warc(fh, path, max_bytes):
                    yield x if isinstance(x, InputError) else with_meta(x, meta)
            return
        if path.lower().endswith(".gz"):
            yield from _read_gzip(path, fields, max_bytes, meta)
            return
        if hint == "jsonl" or (hint is None and size > max_bytes):
            with open(path, "rb") as fh:
                head = fh.read(4096)
                fh.seek(0)
                if sniff_format(head, hint) == "jsonl":
                    why = binary_reason(head)
                    if why:
                        yield InputError(path, why)
                        return
                    yield from _with_meta(formats.read_jsonl(fh, path, fields), meta)
                    return
        if size > max_bytes:
            yield InputError(path, f"file is {size:,} bytes, larger than max_bytes={max_bytes:,}")
            return
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        yield InputError(path, f"cannot read: {exc.strerror or exc}")
        return
    yield from _read_one(path, data, fields, max_bytes, meta)


def _with_meta(items: Iterator[RawItem | InputError], meta: Mapping[str, Any]) -> Iterator[RawItem | InputError]:
    for x in items:
        yield x if isinstance(x, InputError) else with_meta(x, meta)


def read_bytes(
    source: str, data: bytes, *, name: str | None = None, meta: Mapping[str, Any] | None = None,
    field_map: dict[str, str] | None = None, max_bytes: int = 50_000_000,
) -> Iterator[RawItem | InputError]:
    """The items of input that is already in memory (a request body), as if read from a file:
    ``source`` is the name the documents keep (records inside get ``source#N``), ``name`` a file
    name whose suffix tells the format (``body.html``, ``records.jsonl``), else it is sniffed."""
    try:
        fields = formats.resolve_field_map(field_map)
    except InputError as err:
        yield err
        return
    yield from _read_one(source, data, fields, max_bytes, dict(meta or {}), name=name or source)


def _read_gzip(path: str, fields: dict[str, tuple[str, ...]], max_bytes: int, meta: dict[str, Any]) -> Iterator[RawItem | InputError]:
    """A gzipped text/HTML/JSON file: decompress (bounded) and read as the inner name says."""
    inner = path[:-3]
    try:
        with gzip.open(path, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except (OSError, EOFError, zlib.error) as exc:
        yield InputError(path, f"truncated or corrupt gzip: {exc}")
        return
    if len(data) > max_bytes:
        yield InputError(path, f"decompressed size exceeds max_bytes={max_bytes:,}")
        return
    yield from _read_one(path, data, fields, max_bytes, meta, name=inner)


def _read_one(
    path: str, data: bytes, fields: dict[str, tuple[str, ...]], max_bytes: int,
    meta: Mapping[str, Any], *, name: str | None = None,
) -> Iterator[RawItem | InputError]:  # fmt: skip
    """Items from the whole bytes of one input (file content or stdin)."""
    if len(data) > max_bytes:
        yield InputError(path, f"input larger than max_bytes={max_bytes:,}")
        return
    if not data.strip():
        yield EmptyInputError(path, "empty file" if data == b"" else "file holds only whitespace")
        return
    hint = format_for_name(name or path) if path != "-" else None
    fmt = sniff_format(data[:65536], hint)
    if fmt == "warc":
        yield from _with_meta(formats.read_warc(io.BytesIO(data), path, max_bytes), meta)
        return
    why = binary_reason(data)
    if why:
        yield InputError(path, why)
        return
    if fmt == "jsonl":
        yield from _with_meta(formats.read_jsonl(io.BytesIO(data), path, fields), meta)
        return
    if fmt == "feed":
        yield from _with_meta(formats.read_feed(data, path), meta)
        return
    try:
        text, enc = decode_bytes(data, declared=html_charset(data) if fmt == "html" else None)
    except ValueError as exc:
        yield InputError(path, str(exc))
        return
    if fmt == "json":
        yield from _with_meta(formats.read_json(text, path, fields), meta)
        return
    if not any(ch.isalpha() for ch in text[:100000]):
        yield EmptyInputError(path, "no letters in the text")
        return
    src = Source(source=path)
    if fmt == "html":
        yield with_meta(RawItem(source=src, raw=data, format="html", html=text, encoding=enc), meta)
    else:
        yield with_meta(RawItem(source=src, raw=data, format="text", text=text, encoding=enc), meta)


# -- metadata beside the inputs ----------------------------------------------------------------


def _read_sidecar(path: str) -> dict[str, Any] | InputError:
    base, _ = os.path.splitext(path)
    for cand in (path + SIDECAR_SUFFIX, base + SIDECAR_SUFFIX):
        if os.path.isfile(cand):
            try:
                with open(cand, "rb") as fh:
                    obj = json.loads(fh.read().decode("utf-8-sig"))
            except (OSError, ValueError) as exc:
                return InputError(cand, f"unreadable sidecar metadata: {exc}")
            if not isinstance(obj, dict):
                return InputError(cand, "sidecar metadata must be a JSON object")
            return obj
    return {}


def read_manifest(manifest: str) -> dict[str, dict[str, Any]]:
    """Rows of a CSV (with header) or JSONL manifest, keyed by the absolute path they describe.

    Relative paths are taken relative to the manifest's folder."""
    mpath = Path(manifest)
    try:
        raw = mpath.read_bytes()
        text, _ = decode_bytes(raw)
    except (OSError, ValueError) as exc:
        raise InputError(manifest, f"cannot read manifest: {exc}") from exc
    rows: list[dict[str, Any]] = []
    if mpath.suffix.lower() in (".jsonl", ".ndjson", ".json") or text.lstrip().startswith("{"):
        for n, line in enumerate(text.splitlines(), 1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise InputError(f"{manifest}#{n}", f"line {n}: invalid JSON: {exc.msg}") from exc
    else:
        rows = [dict(r) for r in csv.DictReader(io.StringIO(text))]
    out: dict[str, dict[str, Any]] = {}
    for n, row in enumerate(rows, 1):
        target = row.get("path") or row.get("file") if isinstance(row, dict) else None
        if not target:
            raise InputError(f"{manifest}#{n}", "manifest row has no 'path' or 'file' column")
        full = target if os.path.isabs(target) else str(mpath.parent / target)
        out[os.path.abspath(full)] = {k: v for k, v in row.items() if v not in (None, "")}
    return out


def with_meta(item: RawItem, meta: Mapping[str, Any]) -> RawItem:
    """The item with sidecar/manifest metadata filled in where the item itself has none."""
    if not meta:
        return item
    s = item.source
    pick = {
        "url": meta.get("url") or meta.get("link"),
        "outlet": meta.get("outlet") or meta.get("source") or meta.get("site_name"),
        "published": meta.get("published") or meta.get("date") or meta.get("publish_date"),
        "author": meta.get("author") or meta.get("byline"),
        "lang": meta.get("language") or meta.get("lang"),
        "title": meta.get("title") or meta.get("headline"),
    }
    known = {"url", "link", "outlet", "source", "site_name", "published", "date", "publish_date", "author",
             "byline", "language", "lang", "title", "headline", "path", "file"}  # fmt: skip
    changes: dict[str, Any] = {k: str(v) for k, v in pick.items() if v and not getattr(s, k)}
    extra = {**{k: v for k, v in meta.items() if k not in known and v not in (None, "")}, **s.extra}
    return replace(item, source=replace(s, **changes, extra=extra))


# -- RawItem -> Document -------------------------------------------------------------------


def to_document(item: RawItem) -> Document:
    """A Document ready for the clean stage.

    ``doc.format`` says what ``doc.raw`` holds: ``"html"`` (a page to extract from) or ``"text"``.
    ``doc.raw`` is the article's own bytes: the file as read for files and WARC payloads, the
    field's text as UTF-8 for JSON records and feed entries (the container format is kept in
    ``Source.extra["container"]``). Text inputs get ``raw_text`` (decoded, newlines normalised)."""
    kind = "html" if item.html is not None else "text"
    own_bytes = item.format in ("text", "html", "warc-record")
    content = item.html if kind == "html" else item.text
    if own_bytes:
        raw, enc = item.raw, item.encoding or "utf-8"
    else:
        raw, enc = (content or "").encode("utf-8"), "utf-8"
    if content is None:
        try:
            content, enc = decode_bytes(raw)
        except ValueError as exc:
            raise InputError(item.source.source, str(exc)) from exc
    source = item.source
    source.extra.setdefault("container", item.format)
    if item.encoding:
        source.extra.setdefault("encoding", item.encoding)
    doc = Document(raw=raw, format=kind, sources=[source], meta={"encoding": enc})
    if kind == "text":
        doc.raw_text = normalise_newlines(content)
    return doc


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
