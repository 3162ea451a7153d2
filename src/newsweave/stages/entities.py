"""The entities stage: NER (German and English), gazetteer, roles, canonical linking.

Adds ``mentions`` (offsets into ``doc.text``; role mentions have type ROLE, the office key in
``role`` and the resolved person in ``entity_key``) and ``entities`` (key → Entity). Texts run
through spaCy with ``nlp.pipe`` in chunks of at most :data:`MAX_CHUNK` characters cut at line
or space boundaries, so a 10,000-token "sentence" costs linear time and bounded memory. The
chunks of all documents of a batch go through ``nlp.pipe`` together, ``batch_size`` chunks at a
time (default 32): on the NumPy/OpenBLAS ops the models run on (:func:`newsweave.ner.models.fast_ops`)
larger products amortise each layer's overhead, measured 5-10 % faster than batches of 8 chunks
(per CPU-second, 28 % for the German ensemble on one thread); 64 was no faster.
Languages without a NER model (French, Spanish, Italian...) get gazetteer and role mentions
plus capitalised name candidates typed by knowledge, context cues and the entities earlier
documents named (:mod:`newsweave.linking.candidates`); aliases are recorded under the
document's own language.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..errors import ModelUnavailable
from ..model import Document

MAX_CHUNK = 5_000


def chunks(text: str, size: int = MAX_CHUNK) -> Iterator[tuple[int, str]]:
    """(offset, piece) pieces of at most ``size`` characters, cut after a newline or a space."""
    pos = 0
    n = len(text)
    while pos < n:
        end = min(n, pos + size)
        if end < n:
            cut = text.rfind("\n", pos + size // 2, end)
            if cut < 0:
                cut = text.rfind(" ", pos + size // 2, end)
            if cut > 0:
                end = cut + 1
        yield pos, text[pos:end]
        pos = end


class EntitiesStage:
    name = "entities"
    # 3: NER models with piece vectors and the BIO decoder; 4: German model trained with *part as
    # MISC; 5: German model an ensemble of two networks, model spans running past a known name cut
    version = "5"
    requires = frozenset({"text", "lang", "sentences", "published"})
    adds = frozenset({"mentions", "entities"})
    options = ("batch_size",)

    def __init__(self, batch_size: int = 32) -> None:
        self.batch_size = batch_size
        self._linker: Any = None
        self._nlp: dict[str, Any] = {}

    def load(self) -> None:
        if self._linker is None:
            from ..linking import Linker, load_kb

            self._linker = Linker(load_kb())

    def _ner(self, lang: str) -> Any:
        if lang not in self._nlp:
            from ..ner.models import load_ner

            try:
                self._nlp[lang] = load_ner(lang)
            except ModelUnavailable:
                if lang in ("de", "en"):
                    raise
                self._nlp[lang] = None
        return self._nlp[lang]

    def __call__(self, doc: Document) -> Document:
        return self.batch([doc])[0]

    def batch(self, docs: list[Document]) -> list[Document]:
        from ..ner.scoring import map_label

        self.load()
        spans: dict[int, list[tuple[int, int, str]]] = {i: [] for i in range(len(docs))}
        by_lang: dict[str, list[int]] = {}
        for i, d in enumerate(docs):
            by_lang.setdefault(d.lang, []).append(i)
        for lang, idx in by_lang.items():
            nlp = self._ner(lang) if lang in ("de", "en") else None
            if nlp is None:
                continue
            pieces = [(i, off, piece) for i in idx for off, piece in chunks(docs[i].text or "")]
            parsed = nlp.pipe((p for _, _, p in pieces), batch_size=self.batch_size)
            for (i, off, _), sdoc in zip(pieces, parsed, strict=True):
                for e in sdoc.ents:
                    label = map_label(e.label_)
                    if label:
                        spans[i].append((off + e.start_char, off + e.end_char, label))
        for i, d in enumerate(docs):
            lang = d.lang or "en"
            d.mentions, d.entities = self._linker.link(d.text or "", lang, spans[i], d.published)
        return docs
