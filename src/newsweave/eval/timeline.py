"""``newsweave eval timeline --data DIR``: timeline summarisation on Timeline17 topic folders.

A topic folder holds ``articles.json`` (a list of ``{uid, dct, dates, text}``; the text is
tokenised English) and one or more ``*.timeline.json`` ground truths (``[{date, text}]``). DIR is
a topic folder or a parent of several. As in news-tls (Gholipour Ghalandari & Ifrim 2020), the
system is asked for as many dates as the ground truth has and, per date, the ground truth's
average number of sentences; the metrics are

* alignment-based ROUGE-1 and ROUGE-2 F (Martschat & Markert 2017, "align, m:1"): every
  predicted date is compared with its closest ground-truth date (and every ground-truth date
  with its closest predicted one for recall), the n-gram overlap discounted by 1/(1 + days
  apart);
* date F1: exact-day overlap of the predicted and ground-truth date sets.

The documents' creation dates (``dct``) are given to the system here (hiding them is the
``dating`` task). Time expressions are resolved by a small rule set for English news
(:func:`tag_dates`) against each article's dct.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from ..errors import EvalError
from ..link.timeline import TlsSentence, tls

PUBLISHED = {"AR1-F": 0.120, "AR2-F": 0.035, "date-F1": 0.544}  # DATEWISE on Timeline17 (news-tls)

_MONTHS = {m: i + 1 for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"])}
_MONTH = r"(Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
_MD = re.compile(_MONTH + r"\s+(\d{1,2})(?:st|nd|rd|th)?\b(?:\s*,?\s*(\d{4})\b)?")
_DM = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+" + _MONTH + r"(?:\s*,?\s*(\d{4})\b)?")
_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_WD = re.compile(r"\b(?:(last|next|this|on|since|from|by|until)\s+)?(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b")
_REL = re.compile(r"\b(yesterday|today|tomorrow|tonight|this morning|this afternoon|this evening|last night)\b", re.I)
_REL_DAYS = {"yesterday": -1, "today": 0, "tomorrow": 1, "tonight": 0, "this morning": 0, "this afternoon": 0,
             "this evening": 0, "last night": -1}


def _mk(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _yearless(m: int, d: int, dct: date) -> date | None:
    cand = _mk(dct.year, m, d)
    if cand and cand > dct + timedelta(days=60):  # "December 20" written in January: last year
        cand = _mk(dct.year - 1, m, d)
    return cand


def tag_dates(text: str, dct: date) -> list[tuple[int, int, date]]:
    """Day-precise time expressions in English news text, resolved against the creation date."""
    out: list[tuple[int, int, date]] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= x or a >= y for x, y in taken)

    for m in _MD.finditer(text):
        mon, day, yr = _MONTHS[m.group(1)[:3].lower()], int(m.group(2)), m.group(3)
        d = _mk(int(yr), mon, day) if yr else _yearless(mon, day, dct)
        if d and 1 <= day <= 31:
            out.append((m.start(), m.end(), d))
            taken.append((m.start(), m.end()))
    for m in _DM.finditer(text):
        if not free(m.start(), m.end()):
            continue
        day, mon, yr = int(m.group(1)), _MONTHS[m.group(2)[:3].lower()], m.group(3)
        d = _mk(int(yr), mon, day) if yr else _yearless(mon, day, dct)
        if d:
            out.append((m.start(), m.end(), d))
            taken.append((m.start(), m.end()))
    for m in _WD.finditer(text):
        if not free(m.start(), m.end()):
            continue
        wd = _WEEKDAYS.index(m.group(2).lower())
        delta = (dct.weekday() - wd) % 7
        if m.group(1) and m.group(1).lower() == "next":
            d = dct + timedelta(days=(wd - dct.weekday()) % 7 or 7)
        elif m.group(1) and m.group(1).lower() == "last" and delta == 0:
            d = dct - timedelta(days=7)
        else:
            d = dct - timedelta(days=delta)  # news reports the recent past
        out.append((m.start(), m.end(), d))
    for m in _REL.finditer(text):
        out.append((m.start(), m.end(), dct + timedelta(days=_REL_DAYS[m.group(1).lower()])))
    out.sort()
    return out


def split_tokenised(text: str) -> list[str]:
    """Sentences of Timeline17's tokenised text (" . " ends a sentence)."""
    parts = re.split(r"(?<= [.!?]) (?=\S)", text)
    return [p.strip() for p in parts if p.strip()]


def topic_sentences(articles: list[dict[str, Any]]) -> list[TlsSentence]:
    out: list[TlsSentence] = []
    for a in articles:
        dct = date.fromisoformat(str(a["dct"])[:10])
        for i, s in enumerate(split_tokenised(a.get("text") or "")):
            ds = [d for _, _, d in tag_dates(s, dct)]
            out.append(TlsSentence(s, str(a.get("uid")), i, dct, ds))
    return out


# -- metrics ---------------------------------------------------------------------------------------


def _ngrams(text: str, n: int) -> Counter[tuple[str, ...]]:
    from rouge_score import tokenize

    toks = tokenize.tokenize(text, None)
    return Counter(tuple(toks[i : i + n]) for i in range(len(toks) - n + 1))


def align_rouge(pred: dict[date, str], gold: dict[date, str], n: int) -> dict[str, float]:
    """Alignment-based ROUGE-n (m:1, date-discounted) precision, recall and F."""
    if not pred or not gold:
        return {"P": 0.0, "R": 0.0, "F": 0.0}
    pg = {d: _ngrams(t, n) for d, t in pred.items()}
    gg = {d: _ngrams(t, n) for d, t in gold.items()}

    def side(src: dict[date, Counter[tuple[str, ...]]], dst: dict[date, Counter[tuple[str, ...]]]) -> float:
        match = total = 0.0
        for d, grams in src.items():
            total += sum(grams.values())
            near = min(dst, key=lambda g: (abs((g - d).days), g))
            w = 1.0 / (1 + abs((near - d).days))
            match += w * sum((grams & dst[near]).values())
        return match / total if total else 0.0

    p, r = side(pg, gg), side(gg, pg)
    return {"P": p, "R": r, "F": 2 * p * r / (p + r) if p + r else 0.0}


def date_f1(pred: set[date], gold: set[date]) -> float:
    hit = len(pred & gold)
    if not hit:
        return 0.0
    p, r = hit / len(pred), hit / len(gold)
    return 2 * p * r / (p + r)


# -- the task --------------------------------------------------------------------------------------


def topic_dirs(data: Path) -> list[Path]:
    if (data / "articles.json").exists():
        return [data]
    dirs = sorted(p.parent for p in data.glob("*/articles.json"))
    if not dirs:
        raise EvalError(f"{data} holds no Timeline17 topic (a folder with articles.json and *.timeline.json)")
    return dirs


def read_gold(path: Path) -> dict[date, list[str]]:
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise EvalError(f"cannot read timeline {path}: {exc}") from exc
    out: dict[date, list[str]] = {}
    for r in rows:
        out.setdefault(date.fromisoformat(str(r["date"])[:10]), []).append(" ".join(str(r["text"]).split()))
    return out


def evaluate(data: Path, **opts: Any) -> dict[str, Any]:
    topics: list[dict[str, Any]] = []
    for tdir in topic_dirs(Path(data)):
        try:
            articles = json.loads((tdir / "articles.json").read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise EvalError(f"cannot read {tdir / 'articles.json'}: {exc}") from exc
        sents = topic_sentences(articles)
        for gpath in sorted(tdir.glob("*.timeline.json")):
            gold = read_gold(gpath)
            n_sent = sum(len(split_tokenised(" ".join(v))) for v in gold.values())
            per_date = max(1, round(n_sent / len(gold)))
            timeline = tls(sents, len(gold), per_date)
            pred = {date.fromisoformat(d): " ".join(ss) for d, ss in timeline}
            gold_text = {d: " ".join(v) for d, v in gold.items()}
            r1, r2 = align_rouge(pred, gold_text, 1), align_rouge(pred, gold_text, 2)
            topics.append({"topic": tdir.name, "timeline": gpath.name, "articles": len(articles),
                           "dates": len(gold), "sentences_per_date": per_date, "AR1-F": r1["F"],
                           "AR2-F": r2["F"], "date-F1": date_f1(set(pred), set(gold))})
    if not topics:
        raise EvalError(f"{data} holds no *.timeline.json ground truth")
    mean = {k: sum(float(t[k]) for t in topics) / len(topics) for k in ("AR1-F", "AR2-F", "date-F1")}
    out = {"task": "timeline", "data": str(data), "topics": topics, **mean, "published_datewise": PUBLISHED}
    if str(opts.get("clustering", "")).lower() in ("1", "true", "yes"):
        out["clustering"] = clustering_quality(Path(data))
    return out


def format_report(m: dict[str, Any]) -> str:
    lines = [f"timeline summarisation on {m['data']} ({len(m['topics'])} timelines)",
             f"{'topic':<16}{'dates':>6}{'AR1-F':>8}{'AR2-F':>8}{'date-F1':>9}"]
    for t in m["topics"]:
        lines.append(f"{t['topic']:<16}{t['dates']:>6}{t['AR1-F']:>8.3f}{t['AR2-F']:>8.3f}{t['date-F1']:>9.3f}")
    lines.append(f"{'mean':<16}{'':>6}{m['AR1-F']:>8.3f}{m['AR2-F']:>8.3f}{m['date-F1']:>9.3f}")
    p = m["published_datewise"]
    lines.append(f"{'DATEWISE':<16}{'':>6}{p['AR1-F']:>8.3f}{p['AR2-F']:>8.3f}{p['date-F1']:>9.3f}  (published)")
    if "clustering" in m:
        c = m["clustering"]
        lines.append(f"all {c['topics']} topics ingested together ({c['documents']} articles), topic = story:")
        for level in ("event", "story"):
            x = c[level]
            lines.append(f"  {'events' if level == 'event' else 'stories':<8}{x['clusters']:>6} clusters  purity {x['purity']:.3f}  ARI {x['ARI']:.3f}"
                         f"  (by subject: purity {x['subject_purity']:.3f}  ARI {x['subject_ARI']:.3f})")
    return "\n".join(lines)


# -- event/story clustering of the topics ingested together ----------------------------------------


def _ari(labels: list[str], clusters: list[str]) -> float:
    """Adjusted Rand index (Hubert & Arabie 1985) of a clustering against reference labels."""
    from math import comb

    n = len(labels)
    if n < 2:
        return 1.0
    cont = Counter(zip(labels, clusters, strict=True))
    a, b = Counter(labels), Counter(clusters)
    idx = sum(comb(v, 2) for v in cont.values())
    sa, sb = sum(comb(v, 2) for v in a.values()), sum(comb(v, 2) for v in b.values())
    expected = sa * sb / comb(n, 2)
    top = (sa + sb) / 2
    return 1.0 if top == expected else (idx - expected) / (top - expected)


def _purity(labels: list[str], clusters: list[str]) -> float:
    by: dict[str, Counter[str]] = {}
    for lab, c in zip(labels, clusters, strict=True):
        by.setdefault(c, Counter())[lab] += 1
    return sum(cnt.most_common(1)[0][1] for cnt in by.values()) / max(1, len(labels))


def clustering_quality(data: Path, per_topic: int | None = None) -> dict[str, Any]:
    """Ingest every topic's articles together through the linker (embeddings and creation dates;
    no entities) and score events and stories against topic = story: purity and ARI, also against
    the subject (the topic name before "_": three outlets' H1N1 timelines are one subject)."""
    from ..link import Linker, LinkParams
    from ..link.synthetic import make_document
    from ..stages.embed import EmbedStage
    from ..store import open_store

    store = open_store(":memory:")
    linker = Linker(store, LinkParams(summaries=False))
    stage = EmbedStage()
    truth: dict[str, str] = {}
    docs = []
    for tdir in topic_dirs(Path(data)):
        arts = json.loads((tdir / "articles.json").read_text(encoding="utf-8"))
        for a in arts[:per_topic] if per_topic else arts:
            text = " ".join(split_tokenised(a.get("text") or ""))
            if not text.strip():
                continue
            d = make_document(text, day=str(a["dct"])[:10], source=f"{tdir.name}/{a['uid']}")
            docs.append(d)
            truth[d.id] = tdir.name
    for i in range(0, len(docs), 32):
        stage.batch(docs[i : i + 32])
    docs.sort(key=lambda d: d.published.value if d.published and d.published.value else "")
    for d in docs:
        if store.write_document(d).status == "new":
            linker.add(d)
    linker.finish()
    rows = {r["id"]: r for r in store.iter_records("documents")}
    ids = [i for i in truth if i in rows]
    labels = [truth[i] for i in ids]
    out: dict[str, Any] = {"documents": len(ids), "topics": len(set(labels))}
    # a lone event has no story: for the score it is a story of its own, not one "None" cluster
    levels = {"event": [str(rows[i]["event_id"]) for i in ids],
              "story": [str(rows[i]["story_id"] or f"event:{rows[i]['event_id']}") for i in ids]}
    subjects = [lab.split("_")[0] for lab in labels]  # H1N1_bbc and H1N1_reuters: one subject
    for level, clusters in levels.items():
        out[level] = {"clusters": len(set(clusters)), "purity": _purity(labels, clusters), "ARI": _ari(labels, clusters),
                      "subject_purity": _purity(subjects, clusters), "subject_ARI": _ari(subjects, clusters)}
    out["story"]["in_stories"] = sum(1 for i in ids if rows[i]["story_id"]) / max(1, len(ids))
    return out
