"""The bundled sample corpus: news articles about real public events, written by the project.

The articles live in ``corpus/`` (plain text, HTML pages, a JSONL export, an RSS feed and a few
``NAME.meta.json`` sidecars); ``expected.json`` beside it holds the truth about them (language,
event, story, true publication date and where the corpus gives it, near-duplicates,
translations, boilerplate, quotes). Ingest ``corpus_dir()``, never this package folder itself:
the README, ``expected.json`` and this module are not articles.

Document keys are paths relative to ``corpus/``; ``"file#N"`` names record N (1-based) of a
JSONL file or item N of a feed, the same suffix ingest appends to ``Source.source``.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import InputError

SAMPLE_DIR = Path(__file__).resolve().parent
CORPUS_DIR = SAMPLE_DIR / "corpus"
EXPECTED_FILE = SAMPLE_DIR / "expected.json"

_CONTENT_NS = "{http://purl.org/rss/1.0/modules/content/}encoded"
_FEED_SUFFIXES = (".xml", ".rss", ".atom")
_JSONL_SUFFIXES = (".jsonl", ".ndjson")


def corpus_dir() -> Path:
    """The folder to ingest (``newsweave ingest --sample`` reads this)."""
    return CORPUS_DIR


@lru_cache(maxsize=1)
def _expected_cached() -> str:
    return EXPECTED_FILE.read_text(encoding="utf-8")


def expected() -> dict[str, Any]:
    """The truth file, freshly parsed (callers may modify their copy)."""
    data: dict[str, Any] = json.loads(_expected_cached())
    return data


def document_keys() -> list[str]:
    """All document keys of the corpus, in a stable order."""
    return sorted(expected()["documents"])


def split_key(key: str) -> tuple[Path, int | None]:
    """``"feed.xml#3"`` -> (corpus/feed.xml, 3); ``"a.txt"`` -> (corpus/a.txt, None)."""
    name, sep, num = key.partition("#")
    path = CORPUS_DIR / name
    if not sep:
        return path, None
    if not num.isdigit() or int(num) < 1:
        raise InputError(key, f"record number must be a positive integer, got {num!r}")
    return path, int(num)


def jsonl_records(path: Path) -> list[dict[str, Any]]:
    """The records of a JSONL file of the corpus, in file order (blank lines skipped)."""
    records = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError as e:
            raise InputError(f"{path.name}:{n}", f"invalid JSON: {e.msg}") from e
    return records


def feed_items(path: Path) -> list[dict[str, str | None]]:
    """The items of an RSS 2.0 feed of the corpus: title, link, pubDate, language, content."""
    root = ET.parse(path).getroot()
    items = []
    for item in root.iter("item"):
        content = item.findtext(_CONTENT_NS) or item.findtext("description")
        items.append(
            {
                "title": item.findtext("title"),
                "link": item.findtext("link"),
                "pubDate": item.findtext("pubDate"),
                "language": item.findtext("{http://purl.org/dc/elements/1.1/}language"),
                "content": content,
            }
        )
    return items


def source_text(key: str) -> str:
    """The text a document key stands for, as stored: a file's content, a JSONL record's
    ``text`` field, or a feed item's content (HTML). Boilerplate and keep-strings of
    ``expected.json`` are substrings of it."""
    path, num = split_key(key)
    if not path.is_file():
        raise InputError(key, f"no such file in the sample corpus: {path.name}")
    if num is None:
        return path.read_text(encoding="utf-8")
    if path.suffix in _JSONL_SUFFIXES:
        records = jsonl_records(path)
        if num > len(records):
            raise InputError(key, f"{path.name} has only {len(records)} records")
        return str(records[num - 1].get("text", ""))
    if path.suffix in _FEED_SUFFIXES:
        items = feed_items(path)
        if num > len(items):
            raise InputError(key, f"{path.name} has only {len(items)} items")
        return items[num - 1]["content"] or ""
    raise InputError(key, f"'#N' keys are only valid for JSONL files and feeds, not {path.suffix}")


def sidecar(path: Path) -> dict[str, Any] | None:
    """The ``NAME.meta.json`` sidecar of a corpus file (``a.txt`` -> ``a.meta.json``), if any."""
    meta = path.with_name(path.stem + ".meta.json")
    if not meta.is_file():
        return None
    data: dict[str, Any] = json.loads(meta.read_text(encoding="utf-8"))
    return data
