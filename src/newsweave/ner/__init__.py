"""Named-entity recognition for German and English: data readers, training, model loading.

* :mod:`.readers` reads the labelled sets (CoNLL-2003 columns, GermEval 2014 TSV, Europarl) into
  :class:`~.readers.TaggedSentence` records with BIO tags over PER/ORG/LOC/MISC.
* :mod:`.pieces` gives spaCy pretrained subword vectors (pooled multilingual USE pieces);
  :mod:`.bio` is the BIO-tagger decoder with constrained Viterbi.
* :mod:`.recipe` holds the shipped training recipes; :mod:`.train` rebuilds the models
  (``train("de", out_dir)``), :mod:`.augment` is its mention-replacement augmentation.
* :mod:`.models` loads the pipeline for a language, once per process.
"""

from .readers import TaggedSentence, read_any, spans_from_bio

__all__ = ["TaggedSentence", "read_any", "spans_from_bio"]
