"""Named-entity recognition for German and English: data readers, training, model loading.

* :mod:`.readers` reads the labelled sets (CoNLL-2003 columns, GermEval 2014 TSV, Europarl) into
  :class:`~.readers.Sentence` records with BIO tags over PER/ORG/LOC/MISC.
* :mod:`.train` rebuilds the shipped German model (``train("de", out_dir)``).
* :mod:`.models` loads the pipeline for a language, once per process.
"""

from .readers import TaggedSentence, read_any, spans_from_bio

__all__ = ["TaggedSentence", "read_any", "spans_from_bio"]
