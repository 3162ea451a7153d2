"""Documents built directly (no pipeline): for the scale benchmark and for tests of linking.

    doc = make_document("Finland joined NATO on Tuesday ...", lang="en", day="2023-04-04",
                        entities=[("PER", "pekka-haavisto"), ("ORG", "nato")], embed=True)

Sentences are split on end punctuation; each entity becomes one mention at the first place its
name occurs (or at offset 0); the vector is the real encoder's when ``embed=True``, else the
given one (or none).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from ..model import DateInfo, Document, Entity, Mention, Sentence, Source

_SENT = re.compile(r"[^.!?]+[.!?]*", re.UNICODE)


def split_sentences(text: str) -> list[Sentence]:
    out = []
    for m in _SENT.finditer(text):
        a, b = m.start(), m.end()
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if b > a:
            out.append(Sentence(a, b))
    return out


def make_document(
    text: str, *, lang: str = "en", title: str | None = None, day: str | None = None,
    entities: Sequence[tuple[str, str]] = (), vector: Sequence[float] | np.ndarray | None = None,
    embed: bool = False, source: str = "synthetic", doc_id: str | None = None,
) -> Document:
    doc = Document(raw=text.encode("utf-8"), format="text", sources=[Source(source=source)], raw_text=text, text=text,
                   title=title, lang=lang, lang_confidence=1.0)
    doc.sentences = split_sentences(text)
    if day:
        doc.published = DateInfo(value=day, earliest=day, latest=day, source="metadata", confidence=1.0)
        doc.event_date = DateInfo(value=day, earliest=day, latest=day, source="inferred", confidence=0.8)
    for etype, slug in entities:
        key = f"{etype}:{slug}"
        name = slug.replace("-", " ").title()
        pos = text.casefold().find(name.casefold())
        start, end = (pos, pos + len(name)) if pos >= 0 else (0, 0)
        doc.mentions.append(Mention(start, end, text[start:end] or name, etype, entity_key=key))
        doc.entities[key] = Entity(key=key, name=name, type=etype)
    if embed:
        from ..stages.embed import EmbedStage

        EmbedStage().batch([doc])
    elif vector is not None:
        v = np.asarray(vector, dtype=np.float32)
        doc.vector, doc.vector_model = (v / (np.linalg.norm(v) or 1.0)).tolist(), "synthetic"
    if doc_id:
        doc._id = doc_id
    return doc
