"""Dating articles from their content: the publication date of undated articles (with a range
and the evidence behind it) and the date of the event an article reports.

    from newsweave.dating import infer_published, infer_event_date
    info = infer_published(text, "de")   # DateInfo(value, earliest, latest, evidence, ...)
"""

from .infer import combine, infer_event_date, infer_published

__all__ = ["combine", "infer_event_date", "infer_published"]
