"""Per event: a title, a short extractive summary, key quotes and actors — in any language.

Sentences of the member articles (their leads: the first ``lead`` sentences of each) are
embedded in the shared cross-lingual space; the summary is picked by maximal marginal relevance
(MMR, Carbonell & Goldstein 1998) over *centrality* (cosine to the centroid of all sentences)
so it says what most sources say without repeating itself. When the user asks for a language
(``lang=``), sentences in that language are preferred where sources allow.

    ev = summarise_event(store, ev)            # sets ev.title, ev.summary, ev.meta["quotes"], ...
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..store import EventRecord
from ..store.base import json_value

MAX_DOCS = 20
LEAD = 6
MIN_CHARS, MAX_CHARS = 25, 400


def mmr(sims_to_query: np.ndarray, sim_matrix: np.ndarray, n: int, lam: float = 0.7) -> list[int]:
    """Indices chosen by maximal marginal relevance: relevance minus redundancy with the chosen."""
    chosen: list[int] = []
    cand = list(range(len(sims_to_query)))
    while cand and len(chosen) < n:
        red = sim_matrix[np.ix_(cand, chosen)].max(axis=1) if chosen else np.zeros(len(cand))
        scores = lam * sims_to_query[cand] - (1 - lam) * red
        pick = cand[int(np.argmax(scores))]
        chosen.append(pick)
        cand.remove(pick)
    return chosen


def doc_rows(store: Any, ids: list[str]) -> list[dict[str, Any]]:
    if not ids:
        return []
    rows = store.query(
        f"SELECT id, title, text, lang, sentences, published_value FROM documents WHERE id IN ({','.join('?' * len(ids))})",
        ids)
    order = {d: i for i, d in enumerate(ids)}
    out = [dict(r) for r in rows]
    out.sort(key=lambda r: order[r["id"]])
    return out


def lead_sentences(row: dict[str, Any], lead: int = LEAD) -> list[str]:
    spans = json_value(row["sentences"]) or []
    text = row["text"] or ""
    if not spans:
        spans = [[0, min(len(text), MAX_CHARS)]] if text.strip() else []
    out = []
    for a, b in spans:
        s = " ".join(text[a:b].split())
        if MIN_CHARS <= len(s) <= MAX_CHARS and s != (row["title"] or "").strip():
            out.append(s)
        if len(out) >= lead:
            break
    return out


def summarise_texts(
    units: list[tuple[str, str, str]], n: int = 2, lang: str | None = None,
) -> tuple[list[int], np.ndarray]:
    """Pick ``n`` sentences from ``units`` = [(doc_id, lang, sentence)] by MMR over centrality."""
    from ..stages.embed import embed_sentences

    mat = embed_sentences([u[2] for u in units])
    centroid = mat.mean(axis=0)
    centroid /= np.linalg.norm(centroid) or 1.0
    rel = mat @ centroid
    if lang:
        rel = rel + np.asarray([0.1 if u[1] == lang else 0.0 for u in units])
    # earlier sentences of an article carry its news: a small position prior
    pos: dict[str, int] = {}
    prior = []
    for did, _, _ in units:
        pos[did] = pos.get(did, -1) + 1
        prior.append(0.04 / (1 + pos[did]))
    rel = rel + np.asarray(prior)
    return mmr(rel, mat @ mat.T, n), mat


def summarise_event(store: Any, ev: EventRecord, *, n_sentences: int = 2, lang: str | None = None) -> EventRecord:
    """Fill in an event's title, summary, key quotes (meta["quotes"]) and actors."""
    ids = ev.doc_ids[:MAX_DOCS]
    rows = doc_rows(store, ids)
    if not rows:
        return ev
    units = [(r["id"], r["lang"], s) for r in rows for s in lead_sentences(r)]
    titles = [(r["id"], r["title"].strip()) for r in rows if r["title"] and r["title"].strip()]
    if units:
        picked, _mat = summarise_texts(units, n_sentences, lang)
        ev.meta["summary_sentences"] = [units[i][2] for i in picked]
        ev.summary = " ".join(ev.meta["summary_sentences"])
        central_doc = units[picked[0]][0]
    else:
        ev.summary, central_doc = "", rows[0]["id"]
    by_doc = dict(titles)
    if central_doc in by_doc:
        ev.title = by_doc[central_doc]
    elif titles:
        ev.title = titles[0][1]
    else:
        first = units[0][2] if units else (rows[0]["text"] or "")[:120]
        ev.title = first if len(first) <= 120 else first[:117].rsplit(" ", 1)[0] + "…"
    ev.meta["quotes"] = key_quotes(store, ids)
    ev.meta["languages"] = sorted({r["lang"] for r in rows})
    return ev


def cheap_title(store: Any, ev: EventRecord) -> str:
    """A title without the encoder: the first member's title, else the start of its text."""
    rows = doc_rows(store, ev.doc_ids[:5])
    for r in rows:
        if r["title"] and r["title"].strip():
            return str(r["title"]).strip()
    text = " ".join((rows[0]["text"] or "").split()) if rows else ""
    return text if len(text) <= 120 else text[:117].rsplit(" ", 1)[0] + "…"


def key_quotes(store: Any, ids: list[str], limit: int = 3) -> list[dict[str, Any]]:
    """The event's key quotes: attributed ones first, from the most quoted speakers, longer first."""
    if not ids:
        return []
    rows = store.query(
        f"SELECT id, doc_id, text, kind, speaker_text, speaker_entity_id FROM quotes WHERE doc_id IN ({','.join('?' * len(ids))})",
        ids)
    if not rows:
        return []
    counts: dict[str, int] = {}
    for r in rows:
        if r["speaker_entity_id"]:
            counts[r["speaker_entity_id"]] = counts.get(r["speaker_entity_id"], 0) + 1
    ranked = sorted(
        rows, key=lambda r: (r["speaker_entity_id"] is None, -counts.get(r["speaker_entity_id"] or "", 0),
                             r["kind"] != "direct", -min(len(r["text"]), 300), r["id"]))
    out, speakers = [], set()
    for r in ranked:
        if r["speaker_entity_id"] in speakers and len(ranked) > limit:
            continue
        speakers.add(r["speaker_entity_id"])
        out.append({"id": r["id"], "doc_id": r["doc_id"], "text": r["text"], "kind": r["kind"],
                    "speaker": r["speaker_text"], "speaker_entity_id": r["speaker_entity_id"]})
        if len(out) >= limit:
            break
    return out
