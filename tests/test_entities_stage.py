"""The entities stage on the seeds (every entity fact of expected.json) and on bad input."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from newsweave.model import DateInfo, Document, Source
from newsweave.stages.entities import EntitiesStage, chunks


def make_doc(text: str, lang: str, day: str | None = None, source: str = "t") -> Document:
    pub = DateInfo(day, day, day, source="metadata") if day else DateInfo(None)
    return Document(raw=b"", format="text", sources=[Source(source)], text=text, lang=lang, published=pub)


@pytest.fixture(scope="module")
def stage() -> EntitiesStage:
    st = EntitiesStage()
    st.load()
    return st


def seed_docs(seeds_dir: Path, expected: dict[str, Any], with_dates: bool) -> dict[str, Document]:
    docs = {}
    for name, e in expected["documents"].items():
        day = e["published"].get("true") if with_dates else None
        docs[name[:3]] = make_doc((seeds_dir / name).read_text(encoding="utf-8"), e["lang"], day, name)
    return docs


def check_entity_facts(docs: dict[str, Document], expected: dict[str, Any]) -> list[str]:
    """The checks of seedcheck's 'entities' area, on documents instead of an export."""
    failures: list[str] = []
    canon: dict[str, str] = {}
    for ent in expected["entities"]:
        seen: set[str] = set()
        for kind in ("mentions", "role_mentions"):
            for fk, surfaces in ent.get(kind, {}).items():
                for s in surfaces:
                    keys = {m.entity_key for m in docs[fk].mentions if m.text.strip() == s and m.entity_key}
                    if len(keys) != 1:
                        failures.append(f"{ent['name']}: {s!r} in {fk} -> {sorted(keys)}")
                    seen |= keys
        if len(seen) != 1:
            failures.append(f"{ent['name']}: {len(seen)} entities {sorted(seen)}")
            continue
        key = canon[ent["name"]] = next(iter(seen))
        for alias in ent.get("aliases_should_include", []):
            names = [n for d in docs.values() if key in d.entities
                     for n in [d.entities[key].name, *(x for v in d.entities[key].aliases.values() for x in v)]]
            if not any(alias in n for n in names):
                failures.append(f"{ent['name']}: alias {alias!r} missing")
    if len(set(canon.values())) != len(canon):
        failures.append("distinct expected entities share a key")
    return failures


@pytest.mark.slow
def test_seed_entity_facts(stage: EntitiesStage, seeds_dir: Path, seed_expected: dict[str, Any]) -> None:
    docs = seed_docs(seeds_dir, seed_expected, with_dates=True)
    stage.batch(list(docs.values()))
    assert check_entity_facts(docs, seed_expected) == []
    for d in docs.values():
        for m in d.mentions:
            assert d.text[m.start : m.end] == m.text
            assert m.entity_key is None or m.entity_key in d.entities
        roles = [m for m in d.mentions if m.type == "ROLE"]
        assert all(m.entity_key is None or m.entity_key.startswith("PER:") for m in roles)


@pytest.mark.slow
def test_seed_roles_without_a_date_prefer_people_the_text_names(
    stage: EntitiesStage, seeds_dir: Path, seed_expected: dict[str, Any]
) -> None:
    docs = seed_docs(seeds_dir, seed_expected, with_dates=False)
    stage.batch(list(docs.values()))
    assert check_entity_facts(docs, seed_expected) == []


def test_stage_contract() -> None:
    from newsweave.stages import registry

    st = registry.make("entities")
    assert st.name == "entities" and st.requires == {"text", "lang", "sentences", "published"}
    assert st.adds == {"mentions", "entities"}


def test_text_without_entities_gives_nothing(stage: EntitiesStage) -> None:
    doc = stage(make_doc("es war einmal ein kleiner hund, der gern im garten lag.", "de"))
    assert doc.mentions == [] and doc.entities == {}
    empty = stage(make_doc("", "en"))
    assert empty.mentions == []


@pytest.mark.slow
def test_very_long_sentence_is_bounded(stage: EntitiesStage) -> None:
    words = ["Brüssel", "und", "die", "Leute", "von", "nebenan"] * 1700  # ~10,000 tokens, no full stop
    doc = make_doc(" ".join(words), "de")
    t0 = time.perf_counter()
    stage(doc)
    assert time.perf_counter() - t0 < 60
    assert sum(m.entity_key == "LOC:brussels" for m in doc.mentions) >= 1000
    assert all(doc.text[m.start : m.end] == m.text for m in doc.mentions)


def test_mixed_scripts_and_unknown_language(stage: EntitiesStage) -> None:
    text = "Путин встретился с NATO в Москве. 習近平 visited Brussels. Ελλάδα."
    for lang in ("en", "ru", "und"):
        doc = stage(make_doc(text, lang))
        assert all(doc.text[m.start : m.end] == m.text for m in doc.mentions)
        assert any(m.entity_key == "LOC:brussels" for m in doc.mentions)


def test_chunks_cover_the_text_without_overlap() -> None:
    text = ("wort " * 3000) + "\n" + ("x" * 12000)
    pieces = list(chunks(text, 5000))
    assert "".join(p for _, p in pieces) == text
    assert all(len(p) <= 5000 for _, p in pieces)
    assert all(text[off : off + len(p)] == p for off, p in pieces)
