"""Dating articles from their content: the publication date of undated articles (with a range
and the evidence behind it) and the date of the event an article reports.

    from newsweave.dating import infer_published, infer_event_date
    info = infer_published(text, "de")   # DateInfo(value, earliest, latest, evidence, ...)

A corpus of undated articles is dated together with ``infer_corpus`` (``corpus.py``):

    from newsweave.dating import CorpusDoc, infer_corpus
    infos = infer_corpus([CorpusDoc(doc.id, doc.text, doc.lang) for doc in docs])
"""

from .corpus import CorpusDoc, infer_corpus
from .infer import combine, infer_event_date, infer_published

__all__ = ["CorpusDoc", "combine", "infer_corpus", "infer_event_date", "infer_published"]
