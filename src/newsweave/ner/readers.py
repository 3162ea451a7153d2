"""Readers for the labelled NER sets, all normalised to BIO tags over PER, ORG, LOC, MISC.

Formats (auto-detected by :func:`read_any`):

* CoNLL-2003 columns (English: token POS chunk NER; German: token lemma POS chunk NER), IOB1
  tags, ``-DOCSTART-`` lines, blank line between sentences. Europarl-NER uses the same layout
  with tabs.
* GermEval 2014 TSV: ``index<TAB>token<TAB>outer<TAB>inner`` with a ``#`` line per sentence.
  Only the outer chunks are kept; ``OTH`` becomes ``MISC``; derived forms (``LOCderiv``,
  "deutsche") become ``MISC`` as CoNLL-2003 German and Europarl-NER tag them.

One convention for compounds that hold a name ("EU-Staaten", "SPD-Chef", "US-Präsident"): the
token is ``MISC``. GermEval tags them ``ORGpart``/``LOCpart``/``PERpart``/``OTHpart``; the other
two German sets tag the same kind of token MISC: of the hyphenated tokens made of an acronym and a
common noun (``^[A-ZÄÖÜ]{2,5}-[A-ZÄÖÜ][a-zäöüß]{3,}$``), CoNLL-2003 German testa tags 105 of 122
MISC (9 O, 8 ORG), Europarl-NER train 67 of 80 (11 O, 2 ORG), while GermEval dev tags 59 of 85
``*part`` (17 O). So every ``*part`` becomes ``MISC``, in training and in scoring alike; mapping
them to ``O`` instead would teach the model two opposite answers for one kind of word.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..errors import EvalError

LABELS = ("PER", "ORG", "LOC", "MISC")


@dataclass
class TaggedSentence:
    tokens: list[str]
    tags: list[str]  # BIO: O, B-PER, I-PER, ...
    source: str = ""


def _map_type(raw: str) -> str | None:
    """A dataset's entity type to one of LABELS, or None for 'not an entity'."""
    if raw.endswith(("part", "deriv")):
        return "MISC"
    if raw in ("OTH", "MISC"):
        return "MISC"
    return raw if raw in LABELS else None


def normalise_tags(raw_tags: list[str]) -> list[str]:
    """IOB1 or BIO tags (any dataset's type names) to BIO over LABELS."""
    out: list[str] = []
    prev_type: str | None = None
    for raw in raw_tags:
        if raw == "O" or "-" not in raw:
            out.append("O")
            prev_type = None
            continue
        prefix, _, typ = raw.partition("-")
        mapped = _map_type(typ)
        if mapped is None:
            out.append("O")
            prev_type = None
            continue
        if prefix == "B" or prev_type != mapped:
            out.append("B-" + mapped)
        else:
            out.append("I-" + mapped)
        prev_type = mapped
    return out


def spans_from_bio(tags: list[str]) -> set[tuple[int, int, str]]:
    """Entity spans (start token, end token exclusive, type), conlleval semantics: an I- after
    O or after another type starts a new chunk."""
    spans: set[tuple[int, int, str]] = set()
    start: int | None = None
    typ = ""
    for i, tag in enumerate([*tags, "O"]):
        prefix, _, t = tag.partition("-")
        if start is not None and (prefix in ("O", "B") or t != typ):
            spans.add((start, i, typ))
            start = None
        if prefix == "B" or (prefix == "I" and start is None):
            start, typ = i, t
    return spans


def _open(path: Path) -> list[str]:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    return text.splitlines()


def read_conll(path: Path) -> Iterator[TaggedSentence]:
    """CoNLL-2003 (and Europarl) columns: first column token, last column NER tag."""
    tokens: list[str] = []
    raw: list[str] = []
    for line in [*_open(path), ""]:
        parts = line.split()
        if not parts or parts[0] == "-DOCSTART-":
            if tokens:
                yield TaggedSentence(tokens, normalise_tags(raw), path.name)
            tokens, raw = [], []
            continue
        if len(parts) < 2:
            raise EvalError(f"{path}: malformed CoNLL line {line[:60]!r} (need token ... tag)")
        tokens.append(parts[0])
        raw.append(parts[-1])


def read_germeval(path: Path) -> Iterator[TaggedSentence]:
    """GermEval 2014 TSV, outer chunks only."""
    tokens: list[str] = []
    raw: list[str] = []
    for line in [*_open(path), ""]:
        if line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) < 3 or not parts[0].strip():
            if tokens:
                yield TaggedSentence(tokens, normalise_tags(raw), path.name)
            tokens, raw = [], []
            continue
        tokens.append(parts[1])
        raw.append(parts[2].strip())


_GERMEVAL_LINE = re.compile(r"^\d+\t\S+\t[BIO]")


def detect_format(path: Path) -> str:
    """'germeval' or 'conll', from the first lines of the file."""
    for line in _open(path)[:50]:
        if not line.strip():
            continue
        if line.startswith("#\t") or _GERMEVAL_LINE.match(line):
            return "germeval"
        if len(line.split()) >= 2:
            return "conll"
    raise EvalError(f"{path}: neither CoNLL-2003 columns nor GermEval TSV")


def read_any(path: Path) -> list[TaggedSentence]:
    if not path.is_file():
        raise EvalError(f"{path}: no such file")
    fmt = detect_format(path)
    reader = read_germeval if fmt == "germeval" else read_conll
    return list(reader(path))
