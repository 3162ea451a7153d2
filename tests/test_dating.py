"""Dating undated articles from their content: the seed facts, evidence, honest ranges."""

from __future__ import annotations

import json
from datetime import date

import pytest

from newsweave.dating import combine, infer_event_date, infer_published
from newsweave.dating.constraints import MAX, MIN, Constraint
from newsweave.paths import shared_dir


def _seeds():
    sd = shared_dir()
    if sd is None or not (sd / "corpus" / "seeds" / "expected.json").is_file():
        return []
    exp = json.loads((sd / "corpus" / "seeds" / "expected.json").read_text(encoding="utf-8"))["documents"]
    return [
        (name, d, (sd / "corpus" / "seeds" / name).read_text(encoding="utf-8"))
        for name, d in sorted(exp.items())
    ]


SEEDS = _seeds()


@pytest.mark.skipif(not SEEDS, reason="shared seed corpus (../shared/corpus/seeds) not available")
@pytest.mark.parametrize("seed", SEEDS, ids=[s[0][:3] for s in SEEDS])
def test_seed_inferred_from_content(seed):
    _name, exp, text = seed
    info = infer_published(text, exp["lang"])
    lo, hi = exp["published"]["must_lie_in"]
    assert info.value is not None, info.evidence
    if exp["published"].get("source") == "byline":
        # the byline date is the clean stage's; from the content alone any day in the
        # supported range will do, as long as the range holds the truth
        lo, hi = info.earliest, info.latest
    assert lo <= info.value <= hi, (info.value, info.evidence)
    truth = exp["published"].get("true")
    if truth:
        assert (info.earliest or "0000") <= truth <= (info.latest or "9999"), (info.earliest, info.latest)
    else:
        t_lo, t_hi = exp["published"]["true_range"]
        assert (info.earliest or "0000") <= t_hi and t_lo <= (info.latest or "9999")
    assert info.source == "inferred"
    assert info.evidence and any("held" in e or "⇒" in e or "reports" in e for e in info.evidence)


def test_office_evidence_bounds_the_range():
    text = "NATO-Generalsekretär Mark Rutte traf in Brüssel den designierten Präsidenten Donald Trump."
    info = infer_published(text, "de")
    assert info.earliest == "2024-11-06" and info.latest == "2025-01-19"
    assert info.value is not None and "2024-11-06" <= info.value <= "2025-01-19"
    assert any("Rutte" in e for e in info.evidence) and any("Trump" in e for e in info.evidence)


def test_anniversary_and_upcoming_summit():
    text = (
        "Der NATO-Generalsekretär Jens Stoltenberg sprach über den bevorstehenden NATO-Gipfel im Juli. "
        "Der Gipfel soll die 75-jährige Erfolgsgeschichte der Allianz feiern."
    )
    info = infer_published(text, "de")
    assert info.earliest == "2024-01-01" and info.latest <= "2024-07-09"
    assert any("1949" in e for e in info.evidence)


def test_latest_reported_day_and_weekday():
    text = "On June 2, 2022, the minister met his counterpart. Speaking this Friday, he said talks went well."
    info = infer_published(text, "en")
    assert info.value == "2022-06-03" and info.granularity == "day"


def test_no_evidence_means_no_value():
    info = infer_published("Die Katze schläft gern in der Sonne. Sie mag Milch.", "de")
    assert info.value is None and info.earliest is None and info.latest is None
    assert info.evidence == ["no temporal evidence in the text: date unknown"]


def test_contradicting_evidence_is_set_aside_and_reported():
    strong = Constraint([(date(2021, 1, 1), date(2021, 12, 31))], 0.9, "strong", "office")
    weak = Constraint([(date(2023, 1, 1), MAX)], 0.5, "weak", "explicit")
    rng, used, ignored = combine([weak, strong])
    assert rng == [(date(2021, 1, 1), date(2021, 12, 31))]
    assert used == [strong] and ignored == [weak]
    assert combine([])[0] == [(MIN, MAX)]


def test_former_office_holder_is_not_evidence():
    info = infer_published("Der frühere NATO-Generalsekretär Jens Stoltenberg sprach in Oslo.", "de")
    assert not any("held" in e for e in info.evidence)


def test_event_date_is_the_named_weekday_before_publication():
    from newsweave.model import DateInfo
    from newsweave.timex import tag

    text = "Stoltenberg und Biden haben am Montag in Washington gesprochen, sagte der Nato-Chef."
    pub = DateInfo("2021-06-08", "2021-06-08", "2021-06-08", "metadata")
    ev = infer_event_date(text, "de", tag(text, "de", anchor=date(2021, 6, 8)), pub)
    assert ev is not None and ev.value == "2021-06-07" and ev.evidence


def test_readers_comments_bound_the_date_from_above():
    text = (
        "Tuesday 5 May 2009 - The council of Riverton voted to rebuild the dam that failed in the "
        "spring floods. Work starts after the summer. "
        "Comments: At 5:49 pm on 06 May 2009 , Riverfan wrote : About time. "
        "At 9:02 am on 11 May 2009 , Lakesider wrote : Who pays for it?"
    )
    info = infer_published(text, "en")
    assert info.value == "2009-05-05", info.evidence
    # the comments came after the article: they bound it from above, not from below
    assert info.earliest is not None and info.earliest <= "2009-05-05" <= (info.latest or "9999"), info
    assert info.latest == "2009-05-06", info
    assert any("a reader's comment" in e for e in info.evidence), info.evidence
    from newsweave.dating.constraints import comment_stamp

    s = "On 5 May 2009 he wrote in a letter: no."
    assert not comment_stamp(s, 3, 13)
    s = "Am 05.05.2009 um 17:49 schrieb Hans: Gut."
    assert comment_stamp(s, 3, 13)


def test_a_dateline_and_its_range_agree():
    # updated the next day: the value lies in the range the evidence leaves
    text = ("Friday 1 May 2021 - Riverton's dam failed after days of rain. "
            "Update: on 2 May 2021 engineers inspected the breach.")
    info = infer_published(text, "en")
    assert info.earliest == "2021-05-02" and info.value == "2021-05-02", info
    assert any("moved into the range" in e for e in info.evidence), info.evidence
    # a date weeks after the dateline does not stretch the range: it contradicts the dateline
    text = ("Friday 1 May 2021 - Riverton's dam failed after days of rain. "
            "Repairs finished on 30 June 2021, the council said.")
    info = infer_published(text, "en")
    assert info.value == "2021-05-01" and info.earliest == "2021-05-01" and info.latest == "2021-05-08", info
    assert any(e.startswith("set aside") and "30 June 2021" in e for e in info.evidence), info.evidence
