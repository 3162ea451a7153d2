"""A few short articles of our own for the search-syntax tests, shared by the SQLite and the
PostgreSQL test modules: phrases whose words also occur apart, a German hyphenated compound, two
sources and three years."""

from __future__ import annotations

import hashlib
import math
from typing import Any

from newsweave.model import DateInfo, Document, Source
from newsweave.search import hybrid_search
from newsweave.search.stems import stem_text
from newsweave.store import DocFilter

# key: (lang, outlet, day, title, text)
ARTICLES = {
    "rat": ("de", "rheinblatt", "2021-01-12", "Der NATO-Russland-Rat tagt wieder",
            "Nach langer Pause kam der NATO-Russland-Rat in Brüssel zusammen. Die Botschafter sprachen über Abrüstung."),
    "apart": ("de", "nordkurier", "2021-03-02", "Nato berät über Russland",
              "Im Rat der Nato ging es um Russland. Ein gemeinsames Gremium mit Moskau tagt seit Jahren nicht."),
    "approved": ("en", "rheinblatt", "2023-03-02", "Harbour council approves ferry timetable",
                 "The harbour council approved the winter ferry timetable on Tuesday. Operators welcomed it."),
    "row": ("en", "nordkurier", "2023-04-02", "Timetable row at the harbour",
            "A new timetable for buses angered harbour workers, and the ferry crews joined their protest."),
    "extended": ("en", "nordkurier", "2024-01-10", "Ferry timetable extended into spring",
                 "Operators said the ferry timetable will run until April, and the council confirmed it."),
}


def hash_embed(text: str, langs: tuple[str, ...] = ("en", "de")) -> list[float]:
    """A deterministic bag-of-stems embedding (stems of ``langs``), standing in for the model in
    these tests."""
    vec = [0.0] * 64
    for lang in langs:
        for w in stem_text(text, lang).split():
            vec[int(hashlib.md5(w.encode()).hexdigest(), 16) % 64] += 1.0
    n = math.sqrt(sum(v * v for v in vec)) or 1.0
    return [v / n for v in vec]


def fill(store: Any) -> dict[str, str]:
    """Write the articles (with vectors) into ``store``; returns key -> document id."""
    ids = {}
    for key, (lang, outlet, day, title, text) in ARTICLES.items():
        doc = Document(raw=text.encode(), format="text", sources=[Source(f"/in/{outlet}/{key}.txt", outlet=outlet)],
                       raw_text=text, text=text, title=title, lang=lang,
                       published=DateInfo(day, day, day, source="metadata"))
        doc.vector, doc.vector_model = hash_embed(title + " " + text), "hash-64"
        store.write_document(doc)
        ids[key] = doc.id
    return ids


def found(store: Any, ids: dict[str, str], q: str, flt: DocFilter | None = None, **kw: Any) -> list[str]:
    """The keys of the articles a hybrid search returns, best first."""
    by_id = {v: k for k, v in ids.items()}
    res = hybrid_search(store, q, flt, embedder=hash_embed, min_cosine=0.0, **kw)
    return [by_id[h["id"]] for h in res["hits"]]


def check_syntax(store: Any, ids: dict[str, str]) -> None:
    """The syntax's meaning, the same on every backend."""
    # a phrase, against the same words apart
    assert set(found(store, ids, '"ferry timetable"')) == {"approved", "extended"}
    assert "row" in found(store, ids, "ferry timetable")
    # a German hyphenated compound, quoted: its parts in order; unquoted, the parts anywhere
    assert found(store, ids, '"NATO-Russland-Rat"') == ["rat"]
    assert {"rat", "apart"} <= set(found(store, ids, "NATO-Russland-Rat"))
    # an unbalanced quote is read as plain words
    assert found(store, ids, '"ferry timetable') == found(store, ids, "ferry timetable")
    # a phrase with filters: only documents that pass both
    assert found(store, ids, '"ferry timetable"', DocFilter(date_from="2024-01-01")) == ["extended"]
    assert found(store, ids, '"ferry timetable"', DocFilter(source="RHEINBLATT")) == ["approved"]
    assert found(store, ids, '"ferry timetable"', DocFilter(lang="de")) == []
    # exclusions and prefixes
    hits = found(store, ids, 'ferry -"ferry timetable"')
    assert hits[0] == "row" and not {"approved", "extended"} & set(hits)
    assert not {"approved", "row", "extended"} & set(found(store, ids, "harbour -ferry"))
    assert found(store, ids, "harbour -ferry", rankers=("bm25", "stems")) == []
    assert set(found(store, ids, "timet*")) == {"approved", "row", "extended"}
    assert set(found(store, ids, "timet* -buses", rankers=("bm25", "stems", "phrase"))) == {"approved", "extended"}
    # the phrase ranker is one of those that found the phrase
    res = hybrid_search(store, '"ferry timetable"', embedder=hash_embed, min_cosine=0.0)
    assert all("phrase" in h["matched_by"] for h in res["hits"])
