"""Canonical entity linking across documents and languages.

* :mod:`.names` — name normalisation: folding, German inflection and compounds, a rule-based
  transliteration-aware key (Sacharowa/Zakharova, Wladimir/Vladimir → one key).
* :mod:`.kb` — the entity knowledge base: ``knowledge/entities.json`` plus the persons of the
  office knowledge, indexed by alias per language and by transliteration key.
* :mod:`.roles` — role mentions ("NATO-Generalsekretär", "the Secretary General", "der
  norwegische Politiker") found in text and resolved to the person holding the office at the
  document's date.
* :mod:`.linker` — ties a document's mentions to canonical entity keys.
"""

from .kb import EntityKB, load_kb
from .linker import Linker
from .names import name_key, to_english

__all__ = ["EntityKB", "Linker", "load_kb", "name_key", "to_english"]
