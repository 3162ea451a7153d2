"""Reading one input's bytes: decoding, format sniffing, and the record readers.

Each reader turns the bytes of one file (or one stream) into :class:`RawItem` objects, or into
:class:`InputError` values for the parts that cannot be read; nothing here raises for bad input.
``ingest.py`` walks paths and sidecar metadata and calls these readers.

Readers:
    text / html          the whole file is one item
    json                 one record or a list of records (``{"articles": [...]}`` too)
    jsonl                one record per line; a bad line is one error, the good lines land
    feed                 RSS 2.0 / Atom: one item per entry
    warc                 ``warcio``: one item per HTML response (or resource) record
"""

from __future__ import annotations

import codecs
import html as htmllib
import json
import re
from collections.abc import Iterator, Mapping
from email.utils import parsedate_to_datetime
from typing import IO, Any

from ..errors import EmptyInputError, InputError
from ..model import RawItem, Source

# -- decoding ------------------------------------------------------------------------------

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_MAGIC = {
    b"%PDF": "PDF document",
    b"\x89PNG": "PNG image",
    b"\xff\xd8\xff": "JPEG image",
    b"GIF8": "GIF image",
    b"PK\x03\x04": "ZIP archive",
    b"\x7fELF": "ELF executable",
    b"BZh": "bzip2 archive",
    b"\xfd7zXZ": "xz archive",
}
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{2,40})""", re.I)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f\ufffd]")


def binary_reason(data: bytes) -> str | None:
    """Why ``data`` is not text (a known binary signature, NUL bytes), or None."""
    for magic, what in _MAGIC.items():
        if data.startswith(magic):
            return f"binary file ({what})"
    head = data[:65536]
    if any(head.startswith(b) for b, _ in _BOMS):
        return None
    if b"\x00" in head:
        return "binary file (contains NUL bytes)"
    return None


def decode_bytes(data: bytes, *, declared: str | None = None) -> tuple[str, str]:
    """Decode text bytes: BOM, then strict UTF-8, then a declared charset, then charset-normalizer.

    Returns ``(text, encoding)``; raises ValueError with the reason when nothing fits."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return data.decode(enc), enc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if declared:
        try:
            codecs.lookup(declared)
            return data.decode(declared), declared.lower()
        except (LookupError, UnicodeDecodeError):
            pass
    from charset_normalizer import from_bytes

    best = from_bytes(data[:1_000_000]).best()
    if best is None:
        raise ValueError("undecodable: not UTF-8 and no text encoding fits")
    enc = best.encoding
    text = data.decode(enc, errors="replace")
    if len(_CONTROL.findall(text[:20000])) > 0.05 * max(1, min(len(text), 20000)):
        raise ValueError(f"undecodable: best guess {enc} gives mostly control characters")
    return text, enc


def html_charset(data: bytes) -> str | None:
    m = _META_CHARSET.search(data[:4096])
    return m.group(1).decode("ascii").lower() if m else None


# -- sniffing ------------------------------------------------------------------------------

_HTML_TAG = re.compile(r"<(?:p|div|br|html|body|article|span|a|h[1-6]|ul|li|section|em|strong|b|i)\b[^>]*>", re.I)
_EXT_FORMATS = {
    ".txt": "text", ".text": "text", ".md": "text",
    ".html": "html", ".htm": "html", ".xhtml": "html",
    ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl",
    ".xml": "feed", ".rss": "feed", ".atom": "feed", ".feed": "feed",
    ".warc": "warc",
}  # fmt: skip


def looks_like_html(text: str) -> bool:
    """True when a text field carries markup rather than plain text."""
    return len(_HTML_TAG.findall(text[:20000])) >= 2 or bool(re.match(r"\s*<(!doctype|html)", text, re.I))


def format_for_name(name: str) -> str | None:
    low = name.lower()
    if low.endswith((".warc.gz", ".warc")):
        return "warc"
    if low.endswith("feed") or low.endswith("/feed"):
        return "feed"
    dot = low.rfind(".")
    return _EXT_FORMATS.get(low[dot:]) if dot >= 0 else None


def sniff_format(head: bytes, hint: str | None) -> str:
    """The format of a file from its first bytes, with the extension's ``hint`` as tie-breaker.

    Content wins where it is unambiguous (a ``.txt`` that is an HTML page is HTML, an ``.xml``
    that is an RSS feed is a feed)."""
    if head.startswith(b"WARC/"):
        return "warc"
    probe = head[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if probe.startswith(b"<?xml") or probe.startswith(b"<rss") or probe.startswith(b"<feed"):
        if b"<rss" in probe or b"<feed" in probe or b"<rdf:rdf" in probe:
            return "feed"
        return "html" if b"<html" in probe else (hint or "html")
    if probe.startswith(b"<!doctype html") or probe.startswith(b"<html"):
        return "html"
    if hint in ("json", "jsonl"):
        return hint
    if hint is None and probe[:1] in (b"{", b"["):
        return "jsonl" if probe[:1] == b"{" and b"}\n{" in head[:65536].replace(b"\r\n", b"\n") else "json"
    if hint is None and (b"<p" in probe or b"<div" in probe or b"<body" in probe):
        return "html"
    return hint or "text"


# -- JSON records --------------------------------------------------------------------------

DEFAULT_FIELDS: dict[str, tuple[str, ...]] = {
    "text": ("text", "content", "body", "article", "maintext", "full_text", "fulltext", "article_text"),
    "title": ("title", "headline"),
    "url": ("url", "link", "uri"),
    "published": ("date", "published", "publish_date", "date_publish", "pubDate", "dct", "published_at"),
    "outlet": ("source", "outlet", "source_domain", "site_name", "sitename", "publisher"),
    "author": ("author", "authors", "byline"),
    "lang": ("language", "lang"),
}
_FIELD_ALIASES = {"date": "published", "source": "outlet", "language": "lang", "site_name": "outlet"}


def resolve_field_map(field_map: Mapping[str, str] | None) -> dict[str, tuple[str, ...]]:
    """Defaults, with ``field_map`` entries ({our name: their field}) tried first."""
    fields = dict(DEFAULT_FIELDS)
    for ours, theirs in (field_map or {}).items():
        key = _FIELD_ALIASES.get(ours, ours)
        if key not in fields:
            valid = ", ".join(sorted(set(fields) | set(_FIELD_ALIASES)))
            raise InputError("field_map", f"unknown field {ours!r}; valid names: {valid}")
        fields[key] = (theirs,)
    return fields


def _lookup(record: Mapping[str, Any], name: str) -> Any:
    if name in record:
        return record[name]
    cur: Any = record
    for part in name.split("."):  # dotted paths for nested exports: "meta.url"
        if not isinstance(cur, Mapping) or part not in cur:
            return None
        cur = cur[part]
    return cur


def _as_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, list):
        parts = [_as_text(v) for v in value]
        joined = "\n\n".join(p for p in parts if p)
        return joined or None
    if isinstance(value, Mapping):
        for k in ("name", "text", "value", "#text"):
            if k in value:
                return _as_text(value[k])
        return None
    s = str(value).strip()
    return s or None


def record_to_item(record: Any, source: str, fields: dict[str, tuple[str, ...]], raw: bytes) -> RawItem:
    """One JSON record as a RawItem; raises InputError when it has no text."""
    if not isinstance(record, Mapping):
        raise InputError(source, f"record is a JSON {type(record).__name__}, not an object")
    got: dict[str, str | None] = {}
    for key, names in fields.items():
        sep = ", " if key == "author" else "\n\n"
        for n in names:
            val = _lookup(record, n)
            text = _as_text(val) if not (isinstance(val, list) and sep == ", ") else ", ".join(
                filter(None, (_as_text(v) for v in val))
            )
            if text:
                got[key] = text
                break
    body = got.get("text")
    if not body:
        raise InputError(source, f"record has no text (looked for fields: {', '.join(fields['text'])})")
    used = {n for names in fields.values() for n in names}
    extra = {k: v for k, v in record.items() if k not in used and isinstance(v, str | int | float | bool)}
    src = Source(
        source=source, url=got.get("url"), outlet=got.get("outlet"), author=got.get("author"),
        published=got.get("published"), lang=got.get("lang"), title=got.get("title"), extra=extra,
    )  # fmt: skip
    if looks_like_html(body):
        return RawItem(source=src, raw=raw, format="json", html=body, encoding="utf-8")
    return RawItem(source=src, raw=raw, format="json", text=body, encoding="utf-8")


def read_json(data: str, path: str, fields: dict[str, tuple[str, ...]]) -> Iterator[RawItem | InputError]:
    try:
        obj = json.loads(data)
    except json.JSONDecodeError as exc:
        yield InputError(path, f"invalid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}")
        return
    if isinstance(obj, Mapping) and not any(_lookup(obj, n) for n in fields["text"]):
        lists = [v for v in obj.values() if isinstance(v, list) and v and isinstance(v[0], Mapping)]
        if len(lists) == 1:  # a wrapper such as {"articles": [...], "count": 3}
            obj = lists[0]
    if isinstance(obj, list):
        if not obj:
            yield EmptyInputError(path, "JSON list holds no records")
        for n, rec in enumerate(obj, 1):
            src = f"{path}#{n}"
            try:
                yield record_to_item(rec, src, fields, json.dumps(rec, ensure_ascii=False).encode("utf-8"))
            except InputError as err:
                yield err
        return
    try:
        yield record_to_item(obj, path, fields, data.encode("utf-8"))
    except InputError as err:
        yield err


def read_jsonl(lines: IO[bytes], path: str, fields: dict[str, tuple[str, ...]]) -> Iterator[RawItem | InputError]:
    """One record per line, streamed; each bad line is one InputError naming file and line."""
    seen = 0
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        src = f"{path}#{n}"
        try:
            text, _ = decode_bytes(line)
            rec = json.loads(text)
        except ValueError as exc:
            msg = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
            yield InputError(src, f"line {n}: invalid JSON: {msg}")
            continue
        seen += 1
        try:
            yield record_to_item(rec, src, fields, line.rstrip(b"\r\n"))
        except InputError as err:
            yield InputError(src, f"line {n}: {err.reason}")
    if seen == 0:
        yield EmptyInputError(path, "no JSON records in file")


# -- feeds ---------------------------------------------------------------------------------

_NS = {
    "atom": "http://www.w3.org/2005/Atom",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "dc": "http://purl.org/dc/elements/1.1/",
}


def _iso_date(value: str | None) -> str | None:
    """An RFC 822 feed date as ISO 8601; other forms are passed on unchanged."""
    if not value:
        return None
    value = value.strip()
    if re.match(r"\d{4}-\d{2}-\d{2}", value):
        return value
    try:
        return parsedate_to_datetime(value).isoformat()
    except (TypeError, ValueError, IndexError):
        return value


def _first_text(el: Any, paths: tuple[str, ...]) -> str | None:
    for p in paths:
        found = el.find(p, _NS)
        if found is not None:
            text = "".join(found.itertext()).strip() if len(found) else (found.text or "").strip()
            if text:
                return text
    return None


def read_feed(data: bytes, path: str) -> Iterator[RawItem | InputError]:
    """RSS 2.0 or Atom entries as items: title, link, date, author, content (HTML or text)."""
    from lxml import etree

    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        yield InputError(path, f"invalid XML feed: {exc}")
        return
    if root is None:
        yield InputError(path, "invalid XML feed: no root element")
        return
    atom = root.tag == f"{{{_NS['atom']}}}feed"
    if atom:
        entries = root.findall("atom:entry", _NS)
        outlet = _first_text(root, ("atom:title",))
    else:
        entries = root.findall(".//item")
        outlet = _first_text(root, ("channel/title",))
    if not entries:
        yield EmptyInputError(path, "feed has no entries")
        return
    for n, e in enumerate(entries, 1):
        src = f"{path}#{n}"
        if atom:
            link_el = next((lk for lk in e.findall("atom:link", _NS) if lk.get("rel") in (None, "alternate")), None)
            link = link_el.get("href") if link_el is not None else None
            title = _first_text(e, ("atom:title",))
            date = _first_text(e, ("atom:published", "atom:updated"))
            author = _first_text(e, ("atom:author/atom:name", "atom:author"))
            body = _first_text(e, ("atom:content", "atom:summary"))
        else:
            link = _first_text(e, ("link", "guid"))
            title = _first_text(e, ("title",))
            date = _first_text(e, ("pubDate", "dc:date"))
            author = _first_text(e, ("dc:creator", "author"))
            body = _first_text(e, ("content:encoded", "description"))
        if not body:
            yield InputError(src, "feed entry has neither content nor summary")
            continue
        source = Source(source=src, url=link, outlet=outlet, author=author, published=_iso_date(date),
                        title=htmllib.unescape(title) if title else None)  # fmt: skip
        raw = etree.tostring(e, encoding="utf-8")
        if looks_like_html(body):
            yield RawItem(source=source, raw=raw, format="feed-item", html=body, encoding="utf-8")
        else:
            yield RawItem(source=source, raw=raw, format="feed-item", text=htmllib.unescape(body), encoding="utf-8")


# -- WARC ----------------------------------------------------------------------------------

_HTML_TYPES = ("text/html", "application/xhtml+xml")


def read_warc(stream: IO[bytes], path: str, max_bytes: int) -> Iterator[RawItem | InputError]:
    """HTML response/resource records of a (gzipped) WARC file, streamed."""
    from warcio.archiveiterator import ArchiveIterator

    n = found = 0
    damaged = False
    records = ArchiveIterator(stream, check_digests=True)
    try:
        for rec in records:
            n += 1
            src = f"{path}#{n}"
            http = rec.http_headers
            ctype = (http.get_header("Content-Type") if http else rec.rec_headers.get_header("Content-Type")) or ""
            wanted = rec.rec_type in ("response", "resource") and ctype.lower().startswith(_HTML_TYPES)
            if not wanted:
                _drain(rec)  # read through, so that a cut-off record shows up in its digest
                if _digest_failed(rec):
                    damaged = True
                    yield InputError(src, "WARC record is truncated or damaged (its digest does not match)")
                continue
            payload = rec.content_stream().read(max_bytes + 1)
            if len(payload) > max_bytes:
                yield InputError(src, f"WARC record larger than max_bytes={max_bytes}")
                continue
            if _digest_failed(rec):
                damaged = True
                yield InputError(src, "WARC record is truncated or damaged (its digest does not match)")
                continue
            found += 1
            charset = re.search(r"charset=([\w.:-]+)", ctype, re.I)
            declared = charset.group(1) if charset else html_charset(payload)
            try:
                text, enc = decode_bytes(payload, declared=declared)
            except ValueError as exc:
                yield InputError(src, str(exc))
                continue
            source = Source(source=src, url=rec.rec_headers.get_header("WARC-Target-URI"),
                            fetched=rec.rec_headers.get_header("WARC-Date"))  # fmt: skip
            yield RawItem(source=source, raw=payload, format="warc-record", html=text, encoding=enc)
    except Exception as exc:  # warcio raises many kinds of errors on damaged archives
        yield InputError(path, f"truncated or corrupt WARC after record {n}: {type(exc).__name__}: {exc}")
        return
    damage = None if damaged else (_gzip_damage(stream) or _leftover(records, stream, n))
    if damage:
        yield InputError(path, f"truncated or corrupt WARC after record {n}: {damage}")
    elif found == 0 and not damaged:
        yield EmptyInputError(path, f"WARC file has no HTML response records ({n} records read)")


def _leftover(records: Any, stream: IO[bytes], n: int) -> str | None:
    """Bytes after the last complete record: a record cut off before its headers ended."""
    try:
        end = records.get_record_offset() + records.get_record_length() if n else 0
        size = stream.seek(0, 2)
    except (OSError, ValueError, TypeError):
        return None
    return f"{size - end} bytes after the last complete record" if size - end > 8 else None


def _drain(rec: Any) -> None:
    stream = rec.content_stream()
    while stream.read(1 << 16):
        pass


def _digest_failed(rec: Any) -> bool:
    """A record whose digest is declared but did not verify (damaged, or cut short)."""
    checker = getattr(rec, "digest_checker", None)
    if checker is None:
        return False
    declared = rec.rec_headers.get_header("WARC-Block-Digest") or rec.rec_headers.get_header("WARC-Payload-Digest")
    return checker.passed is False or (bool(declared) and checker.passed is None)


def _gzip_damage(stream: IO[bytes]) -> str | None:
    """Why a (multi-member) gzip stream is incomplete, or None; warcio stops silently there."""
    import zlib

    try:
        stream.seek(0)
    except (OSError, ValueError):
        return None
    if stream.read(2) != b"\x1f\x8b":
        return None
    stream.seek(0)
    d = zlib.decompressobj(wbits=31)
    pending = False  # bytes fed to a member that has not ended yet
    try:
        while chunk := stream.read(1 << 20):
            while chunk:
                d.decompress(chunk)
                pending = not d.eof
                chunk = d.unused_data
                if d.eof:
                    d = zlib.decompressobj(wbits=31)
    except zlib.error as exc:
        return f"corrupt gzip data: {exc}"
    return "gzip stream ends in the middle of a record" if pending else None
