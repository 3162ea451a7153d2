"""Find "office label + person" phrases in a text: "NATO-Generalsekretär Mark Rutte", "der
deutschen Diplomatiechefin Annalena Baerbock", "Der nationale Sicherheitsberater des
US-Präsidenten, Jake Sullivan", "U.S. Secretary of State Antony Blinken".

Each hit names the offices the label can mean (its own office, or every office of its kind in
the scope named by an adjective/prefix before it) and the person; ``terms_for`` then gives the
periods in which that person held one of those offices. German adjective endings and genitive
endings are tolerated ("designierte", "britischen", "NATO-Generalsekretärs").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..knowledge.offices import OfficeKB, Person, Term, fold, load_offices

# words before a label that make it about another time than the article's
_NOT_NOW = re.compile(
    r"(?:former|ex-|then-|late|ehemalig\w*|fruhere\w*|einstig\w*|damalig\w*|verstorben\w*|ancien\w*)\s*$",
    re.IGNORECASE,
)
_ADJ_END = r"(?:e|er|en|es|em)?"
_TOKEN = re.compile(r"\w+")


@dataclass(frozen=True)
class RoleHit:
    start: int
    end: int  # end of the person's name
    label: str
    person: Person
    office_keys: tuple[str, ...]


def _label_pattern(label: str) -> str:
    words = re.split(r"(\s+|-)", label)
    out = []
    for i, w in enumerate(words):
        if not w or w.isspace():
            out.append(r"\s+" if w else "")
            continue
        if w == "-":
            out.append("-")
            continue
        p = re.escape(w)
        last = i == len(words) - 1
        if w[:1].islower() and re.search(r"(?:e|er|en|es|em)$", w) and not last:
            p = re.escape(re.sub(r"(?:er|en|es|em|e)$", "", w)) + _ADJ_END
        elif last:
            p += r"(?:s|en|n|in|innen)?"
        out.append(p)
    return "".join(out)


@dataclass(frozen=True, eq=False)
class _Index:
    labels: re.Pattern[str]
    label_offices: dict[str, tuple[str, ...]]  # folded label -> own offices
    label_kinds: dict[str, tuple[str, ...]]  # folded generic label -> kinds
    first_tokens: dict[str, tuple[str, ...]]  # first word of a folded name -> names, longest first
    scope_words: list[tuple[re.Pattern[str], str]]


@lru_cache(maxsize=2)
def _index(kb: OfficeKB) -> _Index:
    own: dict[str, list[str]] = {}
    generic: dict[str, list[str]] = {}
    for o in kb.offices():
        own_set = {cfold(x) for xs in o.own_labels.values() for x in xs}
        for xs in o.labels.values():
            for x in xs:
                f = cfold(x)
                target = own if f in own_set else generic
                vals = target.setdefault(f, [])
                item = o.key if target is own else o.kind
                if item not in vals:
                    vals.append(item)
    all_labels = sorted({*own, *generic}, key=len, reverse=True)
    pats = [_label_pattern(x) for x in all_labels if len(x) > 2]
    labels = re.compile(r"(?<![\w])(" + "|".join(pats) + r")(?![\w])")
    names = sorted(
        {cfold(n) for p in kb.persons() for n in p.all_names() if len(n) > 2}, key=len, reverse=True
    )
    first: dict[str, list[str]] = {}
    for n in names:
        tok = _TOKEN.match(n)
        if tok:
            first.setdefault(tok.group(), []).append(n)
    scope_words = []
    for s in kb.scopes():
        forms = [a for xs in s.adjectives.values() for a in xs]
        for f in forms:
            f2 = cfold(f)
            pat = re.escape(f2) + ("" if f2.endswith("-") else _ADJ_END + r"[\s-]")
            scope_words.append((re.compile(pat + r"\s*$"), s.code))
    return _Index(
        labels,
        {k: tuple(v) for k, v in own.items()},
        {k: tuple(v) for k, v in generic.items()},
        {k: tuple(v) for k, v in first.items()},
        scope_words,
    )


def _which_label(idx: _Index, text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(own office keys, generic kinds) for a matched label text (inflection tolerated)."""
    f = cfold(text)
    for cand in (f, re.sub(r"(?:s|en|n)$", "", f), re.sub(r"(?:innen|in)$", "", f)):
        if cand in idx.label_offices or cand in idx.label_kinds:
            return idx.label_offices.get(cand, ()), idx.label_kinds.get(cand, ())
    for key, rx in _label_regexes(idx):  # adjective endings
        if rx.fullmatch(f):
            return idx.label_offices.get(key, ()), idx.label_kinds.get(key, ())
    return (), ()


@lru_cache(maxsize=2)
def _label_regexes(idx: _Index) -> list[tuple[str, re.Pattern[str]]]:
    keys = list(idx.label_offices) + list(idx.label_kinds)
    return [(k, re.compile(_label_pattern(k), re.IGNORECASE)) for k in keys]


def _name_spans(idx: _Index, folded: str) -> list[tuple[int, int]]:
    """Where known person names occur (longest name at each word start)."""
    out: list[tuple[int, int]] = []
    last_end = -1
    for m in _TOKEN.finditer(folded):
        if m.start() < last_end:
            continue
        for name in idx.first_tokens.get(m.group(), ()):
            end = m.start() + len(name)
            if folded.startswith(name, m.start()) and (end == len(folded) or not folded[end].isalnum()):
                out.append((m.start(), end))
                last_end = end
                break
    return out


def find_roles(text: str, kb: OfficeKB | None = None, window: int = 45) -> list[RoleHit]:
    """Office-label + person phrases in ``text`` (offsets into it)."""
    kb = kb or load_offices()
    idx = _index(kb)
    folded = cfold(text)
    names = _name_spans(idx, folded)
    labels: dict[int, re.Match[str]] = {}
    for a, _ in names:  # labels can only matter just before a name
        for m in idx.labels.finditer(folded, max(0, a - window - 70), a):
            labels.setdefault(m.start(), m)
    hits: list[RoleHit] = []
    for _, m in sorted(labels.items()):
        before = folded[max(0, m.start() - 30) : m.start()]
        if _NOT_NOW.search(before):
            continue
        nxt = next(((a, b) for a, b in names if m.end() <= a <= m.end() + window), None)
        if nxt is None or re.search(r"[.;:!?]\s|\n", folded[m.end() : nxt[0]]):
            continue
        own, kinds = _which_label(idx, m.group(1))
        if not own and not kinds:
            continue
        persons = kb.find_person(text[nxt[0] : nxt[1]])
        if len(persons) != 1:
            continue
        offices = list(own)
        if kinds:
            scopes = [
                code for rx, code in idx.scope_words if rx.search(folded[max(0, m.start() - 25) : m.start()])
            ]
            for o in kb.offices():
                if o.kind in kinds and (not scopes or o.scope in scopes):
                    offices.append(o.key)
        hits.append(
            RoleHit(m.start(), nxt[1], text[m.start() : m.end()], persons[0], tuple(dict.fromkeys(offices)))
        )
    return hits


def terms_for(hit: RoleHit, kb: OfficeKB | None = None) -> list[Term]:
    """The person's terms in any of the offices the label can mean."""
    kb = kb or load_offices()
    keys = {kb.resolve_key(k) for k in hit.office_keys}
    return [t for t in kb.terms_of(hit.person.key) if t.office_key in keys]


class _FoldTable(dict[int, str]):
    def __missing__(self, code: int) -> str:
        ch = chr(code)
        f = " " if ch.isspace() else fold(ch)
        self[code] = v = f[:1] if f else ch.lower()
        return v


_FOLD = _FoldTable()


def cfold(text: str) -> str:
    """Case- and accent-fold a text character by character, keeping its length (so offsets
    into the folded text are offsets into the original)."""
    return text.translate(_FOLD)
