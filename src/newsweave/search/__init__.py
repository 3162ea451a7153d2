"""Search over the corpus: hybrid full-text + vector ranking, and entity lookup by any spelling.

    >>> from newsweave.search import hybrid_search, find_entities
    >>> res = hybrid_search(store, "Stoltenberg Biden Russia dialogue", DocFilter(lang="de"), limit=5)
    >>> [h["title"] for h in res["hits"]], res["facets"]["year"], res["entities"][:1]

``hybrid.py`` fuses the rankers; ``syntax.py`` reads the query (``"exact phrase"``,
``prefix*``, ``-word``: must-match conditions the full-text index answers, see ``scope.py``);
``postings.py`` is the BM25 posting index over words and stems (``stems.py``: tokens, folding,
Snowball stems per language); ``vectors.py`` the cross-lingual vector search; ``names.py``
entity names and transliterations; ``hits.py`` snippets and facets.
"""

from __future__ import annotations

from .hits import snippet
from .hybrid import hybrid_search, rrf
from .names import find_entities, translit_keys
from .postings import PostingIndex
from .syntax import ParsedQuery, parse
from .vectors import vector_search

__all__ = ["ParsedQuery", "PostingIndex", "find_entities", "hybrid_search", "parse", "rrf", "snippet", "translit_keys",
           "vector_search"]
