"""Near-duplicates (MinHash + banded LSH) and translations (cross-language embedding matches).

Exact copies never get here: a document's id is a hash of its normalised text, so the store
recognises them on write. A *near-duplicate* is the same text with changes (a repost with a new
intro, a portal copy with its own byline): word 5-gram shingles, a 128-permutation MinHash
(``datasketch``), 32 LSH bands of 4 rows persisted in the store's two link tables (``put_minhash``,
``lsh_candidates``: both backends), so looking up a new document costs 32 indexed probes whatever the corpus size.
A *translation* is the same report in another language: embedding cosine from the ANN
neighbours, confirmed by shared canonical entities and compatible dates when both sides have
them.

    nd = NearDuplicates(store)
    links = nd.add(doc)                     # [LinkRecord(type="near-duplicate", score=jaccard)]
    links += translations(feats, neighbours, cand_feats)
"""

from __future__ import annotations

import hashlib
import re
import struct
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..store import LinkRecord
from .features import DocFeatures, weighted_cosine

NUM_PERM = 128
BANDS, ROWS = 32, 4
SHINGLE = 5
_WORD = re.compile(r"\w+", re.UNICODE)

@dataclass
class DedupParams:
    near_dup_jaccard: float = 0.5  # estimated Jaccard of 5-gram shingles
    translation_cosine: float = 0.75  # cross-language embedding similarity
    translation_cosine_alone: float = 0.80  # when neither entities nor dates can confirm
    translation_entity_min: float = 0.3  # entity-profile cosine that confirms
    translation_entity_veto: float = 0.1  # below this, with 4+ entities on both sides, it is another story
    translation_max_days: int = 3
    # an inferred date is often a week or two off (the first day of a conference for a report of
    # its last): two such dates veto a translation only when they are further apart than this
    translation_max_days_unsure: int = 21


def shingles(text: str, k: int = SHINGLE) -> set[str]:
    words = [w.casefold() for w in _WORD.findall(text)]
    if len(words) < k:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + k]) for i in range(len(words) - k + 1)}


def minhash(text: str) -> np.ndarray | None:
    """The MinHash signature (uint64[NUM_PERM]) of a text, None when it has no words."""
    from datasketch import MinHash

    sh = shingles(text)
    if not sh:
        return None
    m = MinHash(num_perm=NUM_PERM, seed=1)
    m.update_batch([s.encode("utf-8") for s in sh])
    return np.asarray(m.hashvalues, dtype=np.uint64)


def band_buckets(sig: np.ndarray) -> list[tuple[int, int]]:
    out = []
    for b in range(BANDS):
        chunk = sig[b * ROWS : (b + 1) * ROWS].tobytes()
        h = struct.unpack("<q", hashlib.blake2b(chunk, digest_size=8).digest())[0]
        out.append((b, h))
    return out


class NearDuplicates:
    """Persistent MinHash LSH over the store's documents."""

    def __init__(self, store: Any, params: DedupParams | None = None, max_candidates: int = 50) -> None:
        self.store = store
        self.params = params or DedupParams()
        self.max_candidates = max_candidates

    def add(self, doc_id: str, text: str) -> list[LinkRecord]:
        """Index a new document; its near-duplicate links to documents indexed before."""
        sig = minhash(text)
        if sig is None:
            return []
        buckets = band_buckets(sig)
        cands = [d for d in self.store.lsh_candidates(buckets, self.max_candidates) if d != doc_id]
        links: list[LinkRecord] = []
        for other_id, blob in sorted(self.store.get_minhashes(cands).items()):
            other = np.frombuffer(blob, dtype=np.uint64)
            jac = float(np.mean(other == sig))
            if jac >= self.params.near_dup_jaccard:
                links.append(LinkRecord(src=doc_id, dst=other_id, type="near-duplicate", score=round(jac, 4)))
        self.store.put_minhash(doc_id, sig.tobytes(), buckets)
        links.sort(key=lambda ln: -ln.score)
        return links


def translations(
    new: DocFeatures, neighbours: list[tuple[str, float]], cands: dict[str, DocFeatures],
    params: DedupParams | None = None, covered: frozenset[str] | None = None,
) -> list[LinkRecord]:
    """Translation links from ``new`` to its ANN neighbours written in another language
    (both languages among ``covered``, the encoder's languages, when that is given)."""
    p = params or DedupParams()
    out: list[LinkRecord] = []
    if covered is not None and new.lang not in covered:
        return out
    for did, cos in neighbours:
        c = cands.get(did)
        if c is None or did == new.id or cos < p.translation_cosine:
            continue
        if c.lang == new.lang or "und" in (c.lang, new.lang) or (covered is not None and c.lang not in covered):
            continue
        confirmed = False
        if new.entities and c.entities:
            ent = weighted_cosine(new.entities, c.entities)
            if ent < p.translation_entity_veto and min(len(new.entities), len(c.entities)) >= 4:
                continue
            confirmed = ent >= p.translation_entity_min
        if new.date and c.date and new.date.precise and c.date.precise:
            gap = new.date.gap(c.date)
            sure = new.date_confident and c.date_confident
            if gap > (p.translation_max_days if sure else p.translation_max_days_unsure):
                continue
            confirmed = confirmed or gap <= p.translation_max_days
        if not confirmed and cos < p.translation_cosine_alone:
            continue
        out.append(LinkRecord(src=new.id, dst=did, type="translation", score=round(cos, 4)))
    return out
