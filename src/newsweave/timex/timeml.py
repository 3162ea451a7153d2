"""Read annotated temporal data: TimeML ``.tml`` (inline TIMEX3, DCT in ``<DCT>``) and inline
TIMEX2 SGML as in WikiWars (``<TIMEX2 VAL="...">``; the document date from a ``<DATE_TIME>`` /
``<DATETIME>`` / ``<DCT>`` element or from a date in the file name).

Each file becomes an :class:`AnnotatedDoc`: the plain text (tags removed), the gold
expressions as offsets into it, the creation date and the language.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..errors import EvalError

_TAG = re.compile(r"<(/?)([A-Za-z_][\w:.-]*)([^>]*?)(/?)>", re.S)
_ATTR = re.compile(r"([\w:.-]+)\s*=\s*(\"[^\"]*\"|'[^']*')")
_DATE_IN_NAME = re.compile(r"((?:19|20)\d{2})-?(\d{2})-?(\d{2})")


@dataclass
class GoldTimex:
    start: int
    end: int
    text: str
    type: str
    value: str | None


@dataclass
class AnnotatedDoc:
    name: str
    text: str
    dct: date | None
    lang: str
    timexes: list[GoldTimex] = field(default_factory=list)
    fmt: str = "timeml"  # timeml | timex2


def _attrs(s: str) -> dict[str, str]:
    return {k.lower(): html.unescape(v[1:-1]) for k, v in _ATTR.findall(s)}


def _dct_from(value: str | None) -> date | None:
    if not value:
        return None
    m = re.search(r"(\d{4})-?(\d{2})-?(\d{2})", value)
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def strip_inline(markup: str, tag: str) -> tuple[str, list[GoldTimex]]:
    """Remove all tags; return the text and the ``tag`` elements as offsets into it."""
    out: list[str] = []
    pos = 0
    length = 0
    stack: list[tuple[int, dict[str, str]]] = []
    gold: list[GoldTimex] = []
    for m in _TAG.finditer(markup):
        chunk = html.unescape(markup[pos : m.start()])
        out.append(chunk)
        length += len(chunk)
        pos = m.end()
        closing, name, attrs, selfclose = m.group(1), m.group(2).upper(), m.group(3), m.group(4)
        if name != tag:
            continue
        if closing:
            if stack:
                start, a = stack.pop()
                if not stack:  # outermost only (TIMEX2 may nest)
                    text = "".join(out)[start:length]
                    gold.append(
                        GoldTimex(
                            start, length, text, a.get("type", "DATE").upper(), a.get("value") or a.get("val")
                        )
                    )
        elif not selfclose:
            stack.append((length, _attrs(attrs)))
    out.append(html.unescape(markup[pos:]))
    return "".join(out), gold


def read_timeml(path: Path, lang: str | None = None) -> AnnotatedDoc:
    raw = path.read_text(encoding="utf-8", errors="replace")
    m = re.search(r"<TEXT>(.*?)</TEXT>", raw, re.S)
    if not m:
        raise EvalError(f"{path}: no <TEXT> element; not a TimeML file")
    dct = None
    d = re.search(r"<DCT>(.*?)</DCT>", raw, re.S)
    if d:
        t = re.search(r"<TIMEX3([^>]*)>", d.group(1))
        dct = _dct_from(_attrs(t.group(1)).get("value") if t else d.group(1))
    root = re.search(r"<TimeML([^>]*)>", raw)
    file_lang = _attrs(root.group(1)).get("xml:lang") or _attrs(root.group(1)).get("lang") if root else None
    text, gold = strip_inline(m.group(1), "TIMEX3")
    return AnnotatedDoc(path.name, text, dct, lang or file_lang or "en", gold, "timeml")


def read_timex2(path: Path, lang: str | None = None) -> AnnotatedDoc:
    raw = path.read_text(encoding="utf-8", errors="replace")
    dct = None
    d = re.search(r"<(DATE_TIME|DATETIME|DCT)>(.*?)</\1>", raw, re.S | re.I)
    if d:
        dct = _dct_from(d.group(2))
    if dct is None:
        dct = _dct_from(path.stem) if _DATE_IN_NAME.search(path.stem) else None
    m = re.search(r"<TEXT>(.*?)</TEXT>", raw, re.S | re.I)
    body = m.group(1) if m else raw
    text, gold = strip_inline(body, "TIMEX2")
    for g in gold:
        g.type = _timex2_type(g.value)
    return AnnotatedDoc(path.name, text, dct, lang or "en", gold, "timex2")


def _timex2_type(value: str | None) -> str:
    """TIMEX2 has no TYPE attribute; derive the TIMEX3 type from the value."""
    v = value or ""
    if v.startswith("P"):
        return "DURATION"
    if "T" in v[10:11] or re.match(r"\d{4}-\d{2}-\d{2}T", v):
        return "TIME"
    return "DATE"


def read_dir(data: Path, lang: str | None = None) -> list[AnnotatedDoc]:
    """All annotated files under ``data`` (``.tml`` as TimeML; ``.sgml``/``.xml`` with TIMEX2)."""
    if not data.exists():
        raise EvalError(f"{data}: no such file or directory")
    files = [data] if data.is_file() else sorted(p for p in data.rglob("*") if p.is_file())
    docs = []
    for p in files:
        if p.suffix == ".tml":
            docs.append(read_timeml(p, lang))
        elif p.suffix.lower() in (".sgml", ".sgm", ".xml", ".key"):
            head = p.read_text(encoding="utf-8", errors="replace")
            if "<TIMEX2" in head:
                docs.append(read_timex2(p, lang))
            elif "<TIMEX3" in head and "<TEXT>" in head:
                docs.append(read_timeml(p, lang))
    if not docs:
        raise EvalError(f"{data}: no TimeML (.tml) or TIMEX2 (.sgml) files found")
    return docs


def read_standoff(path: Path, text_dir: Path, lang: str | None = None) -> list[AnnotatedDoc]:
    """Standoff TIMEX3 annotation (JSON: ``documents: {file: {dct, timexes: [{start, end, type,
    value}]}}``) over plain-text files kept elsewhere (``text_dir``)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise EvalError(f"{path}: {exc}") from exc
    docs = []
    for name, d in data.get("documents", {}).items():
        tpath = text_dir / name
        if not tpath.is_file():
            raise EvalError(f"{tpath}: annotated text not found")
        text = tpath.read_text(encoding="utf-8")
        gold = [
            GoldTimex(t["start"], t["end"], text[t["start"] : t["end"]], t["type"], t.get("value"))
            for t in d.get("timexes", [])
        ]
        docs.append(
            AnnotatedDoc(name, text, _dct_from(d.get("dct")), lang or d.get("lang", "de"), gold, "standoff")
        )
    return docs
