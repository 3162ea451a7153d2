"""The clean stage: raw input → article text, title, byline, dates, and the spans cut away.

Steps, in order (each removed span is recorded with offsets into ``raw_text`` and a reason):

1. **Extract** (HTML only): one ``trafilatura.bare_extraction`` call gives main text (comments
   excluded) and metadata (title, author, date, url, site name); ``htmldate`` is asked for the
   date only when trafilatura found none. ``raw_text`` of an HTML document is trafilatura's text.
2. **Title**: a first line that looks like a headline (short, no final period, followed by a
   blank line or a byline) becomes ``doc.title`` and is cut (reason ``title``). A title from
   metadata or HTML wins, and a first line repeating it is cut too.
3. **Byline**: a category/date/author line near the top, also when fused into the first line of
   text ("<categories> <date> No Comments on <title><first sentence>"), is cut (``byline``); its
   date becomes ``published`` (source ``byline``) unless metadata or HTML gave one.
4. **Boilerplate**: :mod:`newsweave.stages.boilerplate` (comment forms, related links, bios,
   prompts) on the rest.
5. **Compose**: ``text`` = raw_text minus the removed spans, whitespace tidied, paragraph breaks
   kept; ``meta["offset_map"]`` = ``[[text_start, raw_start, length], ...]`` traces it back.

Published precedence: Source.published (``metadata``) > HTML (``html``) > byline (``byline``);
otherwise ``None`` and the time stage infers it.
"""

from __future__ import annotations

import re
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any

from ..errors import EmptyInputError
from ..model import DateInfo, Document, Removed
from . import boilerplate as bp
from .formats import decode_bytes, html_charset
from .ingest import normalise_newlines

_HEADLINE_END_BAD = tuple(".:;,")
_CONFIDENCE = {"metadata": 0.99, "html": 0.9, "byline": 0.95}


class CleanStage:
    name = "clean"
    version = "1.0"
    requires = frozenset({"raw", "format", "sources"})
    adds = frozenset({"raw_text", "text", "title", "removed", "meta", "published"})
    options = ("html_metadata",)

    def __init__(self, html_metadata: bool = True) -> None:
        self.html_metadata = html_metadata
        self._loaded = False

    def load(self) -> None:
        if not self._loaded:
            bp.load_patterns()
            bp._byline_regexes()
            self._loaded = True

    def __call__(self, doc: Document) -> Document:
        self.load()
        meta: dict[str, Any] = {k: v for k, v in doc.meta.items() if k != "offset_map"}
        for s in doc.sources:
            for key in ("url", "outlet", "author"):
                if getattr(s, key) and key not in meta:
                    meta[key] = getattr(s, key)
        html_title = html_date = None
        if doc.format == "html":
            raw_text, info = extract_html(doc, with_metadata=self.html_metadata)
            meta["html_extraction"] = info
            html_title, html_date = info.get("title"), info.get("date")
            for key in ("author", "url", "sitename"):
                if info.get(key) and key not in meta:
                    meta[key] = info[key]
        else:
            raw_text = doc.raw_text or normalise_newlines(decode_bytes(doc.raw)[0])
        meta_title = next((s.title for s in doc.sources if s.title), None) or html_title
        removed: list[Removed] = []

        title, title_span = find_title(raw_text, meta_title)
        if title_span:
            removed.append(Removed(*title_span, "title", raw_text[title_span[0] : title_span[1]]))
        after_title = title_span[1] if title_span else 0
        byline = bp.find_byline(raw_text, after_title, title=title or meta_title)
        if byline:
            removed.append(Removed(byline.start, byline.end, "byline", raw_text[byline.start : byline.end]))
            meta["byline"] = raw_text[byline.start : byline.end]
            if byline.author and "author" not in meta:
                meta["author"] = byline.author
        skip = byline.end if byline else after_title
        removed.extend(bp.find_boilerplate(raw_text, skip_before=skip))
        removed = _merge(removed, raw_text)

        text, segments = compose(raw_text, removed)
        if not text.strip():
            raise EmptyInputError(doc.source, "no article text left after cleaning")
        meta["offset_map"] = segments
        doc.raw_text, doc.text, doc.removed, doc.meta = raw_text, text, removed, meta
        doc.title = meta_title or title or (byline.title if byline else None)
        doc.published = choose_published(doc, html_date, byline)
        return doc


# -- HTML ----------------------------------------------------------------------------------


def extract_html(doc: Document, *, with_metadata: bool = True) -> tuple[str, dict[str, Any]]:
    """Main text of an HTML document with what the extraction did.

    The page is parsed once; metadata (title, author, date, url, site name) is read from that
    tree's meta tags in one pass (htmldate searches for the date only when the tags give none),
    and the same tree goes to one ``trafilatura.bare_extraction`` call for the main text
    (comments excluded). One trafilatura call instead of two keeps HTML ingest close to the cost
    of a bare ``trafilatura.extract``."""
    import trafilatura
    from trafilatura.utils import load_html

    enc = doc.meta.get("encoding")
    try:
        html = doc.raw.decode(enc) if enc else decode_bytes(doc.raw, declared=html_charset(doc.raw))[0]
    except (LookupError, UnicodeDecodeError, ValueError):
        html = doc.raw.decode("utf-8", errors="replace")
    url = next((s.url for s in doc.sources if s.url), None)
    info: dict[str, Any] = {"extractor": f"trafilatura {trafilatura.__version__}", "html_chars": len(html)}
    tree = load_html(html)
    if tree is not None and with_metadata:
        info.update(html_metadata(tree))
    res = trafilatura.bare_extraction(tree if tree is not None else html, url=url or info.get("url"),
                                      include_comments=False)  # fmt: skip
    text = normalise_newlines(getattr(res, "text", None) or "") if res is not None else ""
    if text.strip():
        info["method"] = "trafilatura"
    else:
        text = normalise_newlines(trafilatura.html2txt(html) or "")
        info["method"] = "html2txt (no main text found)"
    if not text.strip():
        raise EmptyInputError(doc.source, "no text could be extracted from the HTML")
    info["text_chars"] = len(text)
    return text, info


_META_KEYS = {
    "title": ("og:title", "twitter:title", "dc.title", "headline"),
    "author": ("author", "article:author", "byl", "dc.creator", "parsely-author", "sailthru.author", "link:author"),
    "url": ("link:canonical", "og:url"),
    "sitename": ("og:site_name", "application-name", "publisher"),
    "date": ("article:published_time", "datepublished", "og:published_time", "published_time", "pubdate",
             "publishdate", "publish-date", "dc.date.issued", "dc.date", "dcterms.created", "date",
             "sailthru.date", "parsely-pub-date", "article.published", "created"),
}  # fmt: skip
_LD_DATE = re.compile(r'"datePublished"\s*:\s*"([^"]{8,40})"')


def html_metadata(tree: Any) -> dict[str, Any]:
    """Title, author, url, site name and date from the page's meta tags, read in one pass.

    Falls back to <h1>/<title> for the title, and to JSON-LD, <time datetime> and finally
    htmldate (URL, headers, structured markup) for the date."""
    metas: dict[str, str] = {}
    for el in tree.iter("meta", "link"):
        if el.tag == "link":
            key, val = "link:" + (el.get("rel") or "").lower(), el.get("href")
        else:
            key = (el.get("property") or el.get("name") or el.get("itemprop") or "").lower()
            val = el.get("content")
        if key and val and val.strip() and key not in metas:
            metas[key] = " ".join(val.split())
    out: dict[str, Any] = {}
    for field, keys in _META_KEYS.items():
        found = next((metas[k] for k in keys if k in metas), None)
        if found:
            out[field] = found
    if "title" not in out:
        h1 = [" ".join(h.text_content().split()) for h in tree.iter("h1")]
        titles = [" ".join(t.text_content().split()) for t in tree.iter("title")]
        if len(h1) == 1 and h1[0]:
            out["title"] = h1[0]
        elif titles and titles[0]:
            # "Headline | Site" / "Headline - Site": drop the site part
            out["title"] = re.split(r"\s+[|–—-]\s+(?=[^|–—-]{1,40}$)", titles[0])[0]
    out["date_from"] = "meta" if out.get("date") else None
    if not out.get("date"):
        for script in tree.iter("script"):
            if (script.get("type") or "").lower() == "application/ld+json" and script.text:
                m = _LD_DATE.search(script.text)
                if m:
                    out["date"], out["date_from"] = m.group(1), "json-ld"
                    break
    if not out.get("date"):
        stamp = next((t.get("datetime") for t in tree.iter("time") if t.get("datetime")), None)
        if stamp:
            out["date"], out["date_from"] = stamp, "time element"
    if not out.get("date") or not parse_date_value(str(out["date"])):
        from htmldate import find_date

        # not htmldate's text-wide search: it is slow on dateless pages and often returns a
        # copyright year or a date mentioned in the story; the time stage dates from content
        date = find_date(tree, extensive_search=False, original_date=True, max_date=_today())
        out["date"], out["date_from"] = (date, "htmldate") if date else (None, None)
    return out


def _today() -> str:
    return datetime.now().strftime("%Y-%m-%d")


# -- title -----------------------------------------------------------------------------------


def _norm(s: str) -> str:
    return " ".join(s.split()).casefold().strip(" .:")


# a dateline opens the first paragraph ("WASHINGTON (AP) --", "BERLIN, 3. Juni (dpa) -"): not a title
_DATELINE = re.compile(r"^[A-ZÀ-Þ][A-ZÀ-Þ .'’-]{2,}(?:,[^()\n]{0,40})?(?:\s*\([\w .-]{1,20}\))?\s*(?:[-–—_]+|:)\s*$")


def looks_like_headline(line: str) -> bool:
    words = line.split()
    return (
        2 <= len(words) <= 20
        and len(line) <= 180
        and not line.rstrip("\"'”“»’").endswith(_HEADLINE_END_BAD)
        and not line.rstrip().endswith(("-", "–", "—", "_"))
        and not _DATELINE.match(line)
        and (line[0].isupper() or line[0].isdigit() or line[0] in "\"'“„«")
    )


def find_title(raw_text: str, meta_title: str | None) -> tuple[str | None, tuple[int, int] | None]:
    """(title found in the text, its span) for a headline-like first line."""
    lines = bp.split_lines(raw_text[:2000])
    if len(lines) < 2:
        return None, None
    first, nxt = lines[0], lines[1]
    if meta_title and (_norm(first.text) == _norm(meta_title)):
        return first.text, (first.start, first.end)
    if not looks_like_headline(first.text):
        return None, None
    pats = bp.load_patterns()
    if any(rx.match(first.text) for rx in pats.headers.values()) or bp.find_byline(first.text, 0):
        return None, None
    blank_after = "\n\n" in raw_text[first.end : nxt.start].replace(" ", "").replace("\t", "")
    byline_next = bp.find_byline(raw_text, nxt.start, title=first.text, max_lines=1) is not None
    no_blank_lines = not re.search(r"\n[ \t]*\n", raw_text)
    lead_next = no_blank_lines and len(first.text.split()) <= 12 and nxt.prose and first.text.count(",") < 2
    if blank_after or byline_next or lead_next:
        return first.text, (first.start, first.end)
    return None, None


# -- compose ---------------------------------------------------------------------------------


def _merge(spans: list[Removed], raw_text: str) -> list[Removed]:
    """Sorted and disjoint: a span overlapping an earlier one is dropped (the first reason wins);
    neighbours with the same reason and only whitespace between them become one span."""
    out: list[Removed] = []
    for r in sorted(spans, key=lambda r: (r.start, -r.end)):
        if out and r.start < out[-1].end:
            continue
        prev = out[-1] if out else None
        if prev and prev.reason == r.reason and not raw_text[prev.end : r.start].strip():
            out[-1] = Removed(prev.start, r.end, r.reason, raw_text[prev.start : r.end])
            continue
        out.append(r)
    return out


_TRAILING_BLANKS = re.compile(r"[ \t\u00a0]+(?=\n)")
_EXTRA_NEWLINES = re.compile(r"(?<=\n\n)\n+|^\s+|\s+$")


def compose(raw_text: str, removed: list[Removed]) -> tuple[str, list[list[int]]]:
    """raw_text minus ``removed`` (sorted, disjoint), whitespace tidied by dropping characters only.

    Returns the text and its offset map: segments ``[text_start, raw_start, length]``."""
    drops = [(r.start, r.end) for r in removed]
    text, pieces = _drop(raw_text, [[0, 0, len(raw_text)]], drops)
    text, pieces = _drop(text, pieces, [m.span() for m in _TRAILING_BLANKS.finditer(text)])
    text, pieces = _drop(text, pieces, [m.span() for m in _EXTRA_NEWLINES.finditer(text)])
    return text, pieces


def _drop(s: str, pieces: list[list[int]], drops: list[tuple[int, int]]) -> tuple[str, list[list[int]]]:
    """``s`` without the (sorted, disjoint) ``drops``, and the piece map carried through.

    ``pieces`` maps ``s`` to raw text as ``[s_start, raw_start, length]`` segments."""
    keep: list[tuple[int, int]] = []
    cur = 0
    for a, b in drops:
        if a > cur:
            keep.append((cur, a))
        cur = max(cur, b)
    if cur < len(s):
        keep.append((cur, len(s)))
    out: list[str] = []
    segs: list[list[int]] = []
    t = k = 0
    for a, b in keep:
        out.append(s[a:b])
        while a < b:
            while pieces[k][0] + pieces[k][2] <= a:
                k += 1
            ps, rs, ln = pieces[k]
            n = min(b, ps + ln) - a
            raw = rs + a - ps
            if segs and segs[-1][1] + segs[-1][2] == raw:
                segs[-1][2] += n
            else:
                segs.append([t, raw, n])
            t += n
            a += n
    return "".join(out), segs


def raw_offset(segments: list[list[int]], text_pos: int) -> int | None:
    """The raw_text offset of a clean-text offset, through ``meta["offset_map"]``."""
    for ts, rs, ln in segments:
        if ts <= text_pos < ts + ln:
            return rs + text_pos - ts
    return None


# -- published -------------------------------------------------------------------------------


def parse_date_value(value: str) -> tuple[str, str, str, str] | None:
    """(value, earliest, latest, granularity) for a metadata date string, or None."""
    v = value.strip()
    m = re.fullmatch(r"(\d{4})(?:-(\d{2}))?", v)
    if m:
        y, mo = int(m.group(1)), m.group(2)
        if mo:
            import calendar

            last = calendar.monthrange(y, int(mo))[1]
            return f"{y:04d}-{mo}-01", f"{y:04d}-{mo}-01", f"{y:04d}-{mo}-{last:02d}", "month"
        return f"{y:04d}-01-01", f"{y:04d}-01-01", f"{y:04d}-12-31", "year"
    day: str | None = None
    try:
        day = datetime.fromisoformat(v.replace("Z", "+00:00")).date().isoformat()
    except ValueError:
        try:
            day = parsedate_to_datetime(v).date().isoformat()
        except (TypeError, ValueError, IndexError):
            date_first, _, month_no = bp._byline_regexes()
            dm = date_first.match(v)
            day = bp.parse_date_match(dm, month_no) if dm and dm.group("date") else None
    return (day, day, day, "day") if day else None


def choose_published(doc: Document, html_date: str | None, byline: bp.Byline | None) -> DateInfo | None:
    candidates: list[tuple[str, str, str]] = []  # (source, raw value, evidence label)
    for s in doc.sources:
        if s.published:
            candidates.append(("metadata", s.published, f"metadata ({s.source})"))
    if html_date:
        candidates.append(("html", html_date, "html"))
    if byline and byline.date and byline.date_text:
        candidates.append(("byline", byline.date, "byline"))
    for source, raw, label in candidates:
        parsed = parse_date_value(raw)
        if parsed:
            value, lo, hi, gran = parsed
            shown = byline.date_text if source == "byline" and byline else raw
            return DateInfo(value=value, earliest=lo, latest=hi, source=source, evidence=[f"{label}: {shown!r}"],
                            confidence=_CONFIDENCE[source], granularity=gran)  # fmt: skip
    return None
