"""Corpus-level dating (dating.corpus): articles about the same happenings narrow each other's
dates; an article that shares nothing with the corpus gets no guess; order does not matter."""

from __future__ import annotations

from datetime import date

from newsweave.dating.corpus import CorpusDoc, infer_corpus
from newsweave.dating.similar import DatedSentence, Vocabulary, happening_keys, words

# three articles with full datelines on the day of a (fictional) flood and after it, and
# articles that only say "Tuesday's flood" or "yesterday"
DATED = [
    ("d1", "Tuesday, 2 March 2021 - A flood swept through Riverton on 2 March 2021, officials said. "
           "The Riverton dam failed after days of rain."),
    ("d2", "Wednesday, 3 March 2021 - Rescuers in Riverton searched homes after the flood of 2 March 2021. "
           "The dam failure displaced hundreds."),
    ("d3", "Thursday, 4 March 2021 - Riverton counted the cost of the flood of 2 March 2021 as the dam "
           "was inspected and rain eased."),
    ("d4", "Monday, 8 March 2021 - Schools in Riverton reopened on 8 March 2021 after the flood, the "
           "council said, and the dam repairs began."),
]
UNDATED_WEEKDAY = (
    "u1",
    "Volunteers arrived in Riverton on Thursday to help families whose homes were hit by Tuesday's "
    "flood when the dam failed.",
)
UNRELATED = ("u2", "The cat sat on the mat and purred.")


def _docs(items):
    return [CorpusDoc(k, t, "en") for k, t in items]


def test_weekday_is_read_through_the_happening_other_articles_date():
    res = infer_corpus(_docs([*DATED, UNDATED_WEEKDAY, UNRELATED]))
    info = res["u1"]
    assert info.value is not None, info.evidence
    # Tuesday = the flood (2 March); the volunteers' Thursday is 4 March: published 4-5 March
    assert date(2021, 3, 4) <= date.fromisoformat(info.value) <= date(2021, 3, 5), info.evidence
    assert any("corpus" in e for e in info.evidence)


def test_article_sharing_nothing_gets_no_value():
    res = infer_corpus(_docs([*DATED, UNDATED_WEEKDAY, UNRELATED]))
    assert res["u2"].value is None
    assert res["u2"].earliest is None and res["u2"].latest is None


def test_datelines_are_kept_and_order_does_not_matter():
    items = [*DATED, UNDATED_WEEKDAY, UNRELATED]
    a = infer_corpus(_docs(items))
    b = infer_corpus(_docs(list(reversed(items))))
    assert a == b
    assert a["d1"].value == "2021-03-02" and a["d4"].value == "2021-03-08"


def test_single_article_corpus_is_its_own_inference():
    res = infer_corpus(_docs([UNDATED_WEEKDAY]))
    assert res["u1"].value is None  # a weekday alone dates nothing
    assert infer_corpus([]) == {}


def test_happening_keys_take_the_earliest_well_supported_day():
    texts = [t for _k, t in DATED]
    vocab = Vocabulary.build([*texts, "unrelated words only here", "other unrelated filler text"])
    sents = [
        DatedSentence(0, date(2021, 3, 2), frozenset(words("flood riverton dam"))),
        DatedSentence(1, date(2021, 3, 2), frozenset(words("flood riverton dam"))),
        DatedSentence(2, date(2021, 3, 2), frozenset(words("flood riverton"))),
        DatedSentence(3, date(2021, 3, 8), frozenset(words("schools riverton flood dam"))),
    ]
    keys = happening_keys(vocab, sents)
    assert keys["flood"][0] == date(2021, 3, 2)
    assert keys["flood"][1] == 0.75  # three of the four articles dating "flood" name that day
    assert "schools" not in keys  # one article only


# an article whose own evidence (a time after a known event) puts it far from the corpus's dated
# core, and a dated report of the same (fictional) find
TELESCOPE_DATED = (
    "t1",
    "Thursday, 11 January 2024 - Astronomers using the James Webb Space Telescope reported the galaxy "
    "Zorya-7, whose light left it 300 million years after the Big Bang. The NIRSpec spectra were taken by "
    "the Kepler Deep Field team.",
)
TELESCOPE_UNDATED = (
    "t2",
    "Webb sieht Zorya-7\n\nWie das Team des Kepler Deep Field am Donnerstag mitteilte, hat das "
    "James-Webb-Teleskop die ferne Galaxie Zorya-7 mit dem Spektrografen NIRSpec vermessen. Zwei Jahre "
    "nach seinem Start zeigt das Teleskop damit erneut seine Stärke.",
)


def test_an_article_outside_the_dated_core_is_dated_by_its_neighbours_within_its_own_range():
    alone = infer_corpus([CorpusDoc(*TELESCOPE_UNDATED, lang="de")])["t2"]
    assert alone.granularity == "month" and alone.value is not None  # about two years after the launch
    res = infer_corpus([*_docs([*DATED, TELESCOPE_DATED, UNRELATED]), CorpusDoc(*TELESCOPE_UNDATED, lang="de")])
    info = res["t2"]
    # the flood articles of March 2021 are the corpus's dated core; the telescope article lies far
    # from it, inside the range its own evidence leaves, and takes the day of its neighbour
    assert info.value in ("2024-01-11", "2024-01-12"), info.evidence
    assert info.earliest == alone.earliest and info.latest == alone.latest
    assert any("similar articles" in e for e in info.evidence)


def test_distance_from_the_day_of_writing_is_read_through_the_happening():
    # 2 March 2021 was a Tuesday; "last week's flood" puts the article in the week after it,
    # "four days ago" on 6 March
    last_week = ("u3", "Families in Riverton are still drying out their homes after last week's "
                       "flood, when the dam failed after days of rain.")
    days_ago = ("u4", "The Riverton flood four days ago left the dam in ruins, engineers said.")
    res = infer_corpus(_docs([*DATED, last_week, days_ago, UNRELATED]))
    a, b = res["u3"], res["u4"]
    assert a.value is not None and date(2021, 3, 8) <= date.fromisoformat(a.value) <= date(2021, 3, 14), a.evidence
    assert any("'last week'" in e and "2021-03-02" in e for e in a.evidence), a.evidence
    assert b.value == "2021-03-06", b.evidence


def test_denotation_of_relative_expressions():
    from newsweave.dating.offsets import denotation, holds, span_of

    s = "Families are drying out after last week's flood ."
    offs = denotation(s, s.index("last"), "en")
    assert offs is not None and offs[2] == (-9, -3)  # written on a Wednesday: the week before
    assert holds(offs, date(2021, 3, 10), date(2021, 3, 2)) and not holds(offs, date(2021, 3, 4), date(2021, 3, 2))
    s = "The flood struck four days ago ."
    assert denotation(s, s.index("four"), "en") == ((-4, -4),) * 7
    s = "Die Flut kam vor vier Tagen ."
    assert denotation(s, s.index("vor"), "de") == ((-4, -4),) * 7
    # an anaphor refers to a date the text names, not to the day of writing
    s = "The following Tuesday the dam failed ."
    assert denotation(s, s.index("following"), "en") is None
    assert span_of("2021-W09-WE") == (date(2021, 3, 6), date(2021, 3, 7))
    assert span_of("2021-03") is None and span_of("2021-W60") is None and span_of(None) is None


# every dated report names the flood of 2 March; the later ones are about the shelters
SHELTERS = [
    (f"s{k}", f"{k} March 2021 - Riverton: {k - 2} days after the flood of 2 March 2021, the "
              f"shelters in the school gym housed families whose homes the dam failure ruined.")
    for k in range(9, 14)
]


def test_today_beside_the_happening_the_whole_corpus_names_is_not_that_day():
    # "Today ... the flood" in an undated shelter report says that the article is from a day
    # something happened after the flood, not from the day of the flood
    undated = ("u5", "Today volunteers opened another shelter in Riverton for families the flood "
                     "left homeless; the school gym shelters are full since the dam failure.")
    res = infer_corpus(_docs([*SHELTERS, undated, UNRELATED]))
    info = res["u5"]
    assert info.value is not None and date(2021, 3, 8) <= date.fromisoformat(info.value) <= date(2021, 3, 14), info.evidence


def test_the_day_the_whole_corpus_names_bounds_an_article_from_below_only():
    undated = ("u6", "Families whose homes the flood of 2 March ruined moved from the school gym "
                     "shelters in Riverton to hotels, the council said of the dam failure.")
    info = infer_corpus(_docs([*SHELTERS, undated, UNRELATED]))["u6"]
    assert info.value is not None and date(2021, 3, 8) <= date.fromisoformat(info.value) <= date(2021, 3, 14), info.evidence
    assert any("a lower bound only" in e for e in info.evidence), info.evidence


def test_a_weekday_of_the_happening_the_whole_corpus_names_spans_its_week():
    # 2 March 2021 was a Tuesday: "Tuesday's flood" puts the article in the week after it, and
    # its neighbours (dated 9-13 March) draw it to the end of that week, not to the day after
    undated = ("u7", "Families whose homes Tuesday's flood ruined moved from the school gym "
                     "shelters in Riverton to hotels after the dam failure.")
    # other subjects, so that the words of the flood reports are not too common to count
    others = [(f"o{k}", f"A {w} exhibition opened in the {w} museum of Lakeside with {w} paintings.")
              for k, w in enumerate(["harbour", "railway", "garden", "textile", "clock", "glass"])]
    info = infer_corpus(_docs([*SHELTERS, *others, undated, UNRELATED]))["u7"]
    assert info.value is not None and date(2021, 3, 6) <= date.fromisoformat(info.value) <= date(2021, 3, 8), info.evidence
