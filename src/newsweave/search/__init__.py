"""Search over the corpus: hybrid full-text + vector ranking, and entity lookup by any spelling.

    >>> from newsweave.search import hybrid_search, find_entities
    >>> res = hybrid_search(store, "Stoltenberg Biden Russia dialogue", DocFilter(lang="de"), limit=5)
    >>> [h["title"] for h in res["hits"]], res["facets"]["year"], res["entities"][:1]

``hybrid.py`` fuses the rankers; ``stems.py`` is the language-aware stemmed FTS5 index;
``vectors.py`` the cross-lingual vector search; ``names.py`` entity names and transliterations.
"""

from __future__ import annotations

from .hybrid import hybrid_search, rrf, snippet
from .names import find_entities, translit_keys
from .stems import StemIndex
from .vectors import vector_search

__all__ = ["StemIndex", "find_entities", "hybrid_search", "rrf", "snippet", "translit_keys", "vector_search"]
