"""``eval quotes``: attribution (content, source, cue) on PolNeAR brat standoff (English) or the
REDEWIEDERGABE corpus's token tables (German), detected.

PolNeAR: ``data`` is a folder with ``text/<name>.txt`` and ``attributions/<name>_<annotator>.ann``
(a split, e.g. ``../shared/data/quotes/polnear/dev``), or the folder above the splits (then
``dev``). Each ``.ann`` file is scored against the system's quotes on its text.

REDEWIEDERGABE: ``data`` is a folder of ``*.tsv`` token tables (columns ``tok``, ``stwr``,
``frame``, ``speaker``; ``metadata.tsv`` beside them), 1840-1919 German fiction and non-fiction.
The text is rebuilt from the tokens (spaces between them, none before closing punctuation or
inside quotation marks). Gold quotations are the direct and indirect representations of speech
and writing (thought, reported and free indirect speech, and hypothetical "nonfact" instances
are not what newsweave extracts); their ``frame`` tokens are the cue, their ``speaker`` tokens
the source. Figures are given for all samples and for the non-fiction ones (``fictional`` no).

Either way the entities stage (NER, linking) and the quotes stage run as in the pipeline.

Metrics per span kind (content = quote span, source = speaker span, cue): *exact* — the spans are
equal after trimming whitespace, quotation marks and edge punctuation; *overlap* — the spans share
at least one character. Matching is one-to-one, greedy in text order. P = matched / predicted,
R = matched / gold.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

from ..errors import EvalError

KINDS = ("content", "source", "cue")
_TRIM = " \t\n\"'„“”»«‚‘’.,;:"


def read_ann(path: Path) -> list[dict[str, tuple[int, int] | None]]:
    """Attribution relations of one brat file: [{content: (s, e), source: ..., cue: ...}]."""
    spans: dict[str, tuple[int, int]] = {}
    rels: list[dict[str, tuple[int, int] | None]] = []
    events: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("T"):
            cols = line.split("\t")
            if len(cols) < 2:
                continue
            offsets = cols[1].partition(" ")[2]
            nums = [int(x) for x in re.findall(r"\d+", offsets)]
            if nums:
                spans[cols[0]] = (min(nums), max(nums))
        elif line.startswith("E"):
            events.append(line)
    for ev in events:
        parts: dict[str, str] = {}
        for p in ev.split("\t")[1].split():
            role, _, ref = p.partition(":")
            parts[role] = ref
        rels.append({k: spans.get(parts.get(k.capitalize(), "")) for k in KINDS})
    return rels


def _norm(text: str, span: tuple[int, int]) -> tuple[int, int]:
    s, e = span
    while s < e and text[s] in _TRIM:
        s += 1
    while e > s and text[e - 1] in _TRIM:
        e -= 1
    return s, e


def _match(text: str, gold: list[tuple[int, int]], pred: list[tuple[int, int]], exact: bool) -> int:
    used: set[int] = set()
    hits = 0
    for g in sorted(gold):
        gn = _norm(text, g)
        for i, p in enumerate(pred):
            if i in used:
                continue
            ok = _norm(text, p) == gn if exact else (p[0] < g[1] and g[0] < p[1])
            if ok:
                used.add(i)
                hits += 1
                break
    return hits


def _prf(tp_p: int, tp_g: int, n_pred: int, n_gold: int) -> dict[str, float]:
    p = tp_p / n_pred if n_pred else 0.0
    r = tp_g / n_gold if n_gold else 0.0
    return {"p": round(p, 4), "r": round(r, 4), "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0}


_CLOSING = set(".,;:!?)]}…“‘")
_OPENING = set("„‚([{")
_TOGGLING = set("\"'")  # opening or closing by turns
_CHEVRONS = (("»", "«"), ("›", "‹"))  # German »…«, French and Swiss «…»: the first one seen opens
Rel = dict[str, tuple[int, int] | None]


def read_redewiedergabe(path: Path) -> tuple[str, list[Rel]]:
    """(text, gold relations) of one REDEWIEDERGABE token table (see the module docstring)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    if not lines:
        raise EvalError(f"{path}: empty token table")
    head = lines[0].split("\t")
    try:
        col = {k: head.index(k) for k in ("tok", "stwr", "frame", "speaker")}
    except ValueError as exc:
        raise EvalError(f"{path}: not a REDEWIEDERGABE table (needs tok, stwr, frame, speaker columns)") from exc
    rows = [line.split("\t") for line in lines[1:]]
    tokens = [c[col["tok"]] for c in rows if len(c) > col["tok"]]
    opening, closing_marks = set(_OPENING), set(_CLOSING)
    for a, b in _CHEVRONS:
        first = next((t for t in tokens if t in (a, b)), a)
        opening.add(first)
        closing_marks.add(b if first == a else a)
    parts: list[str] = []
    pos = 0
    glue_next = False
    open_toggles: set[str] = set()
    content: dict[str, list[tuple[int, int]]] = {}
    frame: dict[str, list[tuple[int, int]]] = {}
    speaker: dict[str, list[tuple[int, int]]] = {}
    for n, cols in enumerate(rows, start=2):
        if len(cols) <= max(col.values()):
            if "".join(cols).strip():
                raise EvalError(f"{path}:{n}: {len(cols)} columns, expected {len(head)}")
            continue
        tok = cols[col["tok"]]
        if not tok:
            continue
        closing = tok in closing_marks or (tok in _TOGGLING and tok in open_toggles)
        if parts and not glue_next and not closing:
            parts.append(" ")
            pos += 1
        start = pos
        parts.append(tok)
        pos += len(tok)
        glue_next = tok in opening or (tok in _TOGGLING and not closing)
        if tok in _TOGGLING:
            open_toggles ^= {tok}
        span = (start, pos)
        for entry in cols[col["stwr"]].split("|"):
            bits = entry.split(".")
            ident = next((b for b in bits if b.isdigit()), None)
            if ident is None or len(bits) < 3 or "nonfact" in bits:
                continue
            kinds, media = set(bits[0].split()), set(bits[1].split())
            if kinds & {"direct", "indirect"} and media & {"speech", "writing"}:
                content.setdefault(ident, []).append(span)
        for entry in cols[col["frame"]].split("|"):
            if entry.startswith("frame."):
                frame.setdefault(entry[6:], []).append(span)
        for entry in cols[col["speaker"]].split("|"):
            if entry.startswith("speaker."):
                for ident in entry[8:].split("_"):
                    speaker.setdefault(ident, []).append(span)

    def outer(spans: list[tuple[int, int]] | None) -> tuple[int, int] | None:
        return (min(s for s, _ in spans), max(e for _, e in spans)) if spans else None

    rels: list[Rel] = [{"content": outer(c), "source": outer(speaker.get(i)), "cue": outer(frame.get(i))}
                       for i, c in sorted(content.items(), key=lambda kv: kv[1][0])]
    return "".join(parts), rels


def _fictional(data: Path) -> dict[str, bool]:
    meta = data / "metadata.tsv"
    if not meta.is_file():
        return {}
    rows = [line.split("\t") for line in meta.read_text(encoding="utf-8").splitlines()]
    if not rows or "file" not in rows[0] or "fictional" not in rows[0]:
        return {}
    f, fic = rows[0].index("file"), rows[0].index("fictional")
    return {r[f]: r[fic] == "yes" for r in rows[1:] if len(r) > max(f, fic)}


def _cases(data: Path, limit: int | None) -> tuple[str, list[tuple[str, str, list[Rel], str]]]:
    """(layout, [(text key, text, gold relations, group)]) of a PolNeAR or REDEWIEDERGABE folder."""
    tables = sorted(p for p in data.glob("*.tsv") if p.name != "metadata.tsv")
    if tables:
        if limit:
            tables = tables[: int(limit)]
        fictional = _fictional(data)
        out = []
        for t in tables:
            text, rels = read_redewiedergabe(t)
            out.append((t.stem, text, rels, "fiction" if fictional.get(t.name, True) else "non-fiction"))
        return "redewiedergabe", out
    if (data / "dev" / "attributions").is_dir():
        data = data / "dev"
    ann_dir, text_dir = data / "attributions", data / "text"
    if not ann_dir.is_dir() or not text_dir.is_dir():
        raise EvalError(f"{data}: expected PolNeAR layout (attributions/*.ann, text/*.txt) "
                        "or REDEWIEDERGABE token tables (*.tsv)")
    anns = sorted(ann_dir.glob("*.ann"))
    if limit:
        anns = anns[: int(limit)]
    if not anns:
        raise EvalError(f"{ann_dir}: no .ann files")
    texts: dict[str, str] = {}
    cases = []
    for a in anns:
        name = re.sub(r"_[0-9a-f]{4}$", "", a.stem)
        t = text_dir / f"{name}.txt"
        if not t.is_file():
            raise EvalError(f"{a}: no text file {t.name} beside it")
        text = texts.setdefault(name, t.read_text(encoding="utf-8"))
        cases.append((name, text, read_ann(a), ""))
    return "polnear", cases


def _scores(cases: list[tuple[str, str, list[Rel], str]], predicted: dict[str, list[Any]]) -> dict[str, Any]:
    hits = {(k, mode): 0 for k in KINDS for mode in ("exact", "overlap")}
    n_gold = dict.fromkeys(KINDS, 0)
    n_pred = dict.fromkeys(KINDS, 0)
    for name, text, gold_rels, _group in cases:
        qs = predicted[name]
        pred: dict[str, list[tuple[int, int]]] = {
            "content": [(q.start, q.end) for q in qs],
            "source": [(q.speaker_start, q.speaker_end) for q in qs
                       if q.speaker_start is not None and q.speaker_end is not None],
            "cue": [(q.cue_start, q.cue_end) for q in qs if q.cue_start is not None and q.cue_end is not None],
        }
        for k in KINDS:
            gold = [span for r in gold_rels if (span := r[k]) is not None]
            n_gold[k] += len(gold)
            n_pred[k] += len(pred[k])
            for mode in ("exact", "overlap"):
                hits[(k, mode)] += _match(text, gold, pred[k], mode == "exact")
    out: dict[str, Any] = {}
    for k in KINDS:
        out[k] = {mode: _prf(hits[(k, mode)], hits[(k, mode)], n_pred[k], n_gold[k]) for mode in ("exact", "overlap")}
        out[k]["gold"], out[k]["pred"] = n_gold[k], n_pred[k]
    return out


def evaluate(data: Path, *, limit: int | None = None, **_: Any) -> dict[str, Any]:
    from ..model import Document, Source
    from ..stages.entities import EntitiesStage
    from ..stages.quotes import find_quotes

    data = Path(data)
    if not data.is_dir():
        raise EvalError(f"{data}: not a folder")
    layout, cases = _cases(data, limit)
    lang = "de" if layout == "redewiedergabe" else "en"
    texts = {name: text for name, text, _, _ in cases}
    stage = EntitiesStage()
    t0 = time.perf_counter()
    docs = {n: Document(raw=b"", format="text", sources=[Source(n)], text=tx, lang=lang) for n, tx in texts.items()}
    stage.batch(list(docs.values()))
    predicted = {n: find_quotes(d.text or "", lang, d.mentions) for n, d in docs.items()}
    seconds = time.perf_counter() - t0
    out: dict[str, Any] = {"data": str(data), "format": layout, "lang": lang, "files": len(cases),
                           "texts": len(texts), "seconds": round(seconds, 2), **_scores(cases, predicted)}
    groups = sorted({g for *_, g in cases if g})
    if len(groups) > 1:
        out["groups"] = {g: {"files": sum(c[3] == g for c in cases), **_scores([c for c in cases if c[3] == g], predicted)}
                         for g in groups}
    return out


def format_report(m: dict[str, Any]) -> str:
    what = "annotation files" if m.get("format", "polnear") == "polnear" else "token tables"
    lines = [f"quotes on {m['data']} ({m['files']} {what}, {m['texts']} texts, {m['seconds']:.1f}s)"]
    for title, part in [("", m), *[(f"{g} ({v['files']})", v) for g, v in m.get("groups", {}).items()]]:
        if title:
            lines.append(f"  {title}")
        lines.append(f"  {'span':<8} {'exact P':>8} {'R':>6} {'F1':>6}   {'overlap P':>9} {'R':>6} {'F1':>6}"
                     f" {'gold':>6} {'pred':>6}")
        for k in KINDS:
            e, o = part[k]["exact"], part[k]["overlap"]
            lines.append(f"  {k:<8} {e['p']:8.3f} {e['r']:6.3f} {e['f1']:6.3f}   {o['p']:9.3f} {o['r']:6.3f}"
                         f" {o['f1']:6.3f} {part[k]['gold']:6d} {part[k]['pred']:6d}")
    return "\n".join(lines)
