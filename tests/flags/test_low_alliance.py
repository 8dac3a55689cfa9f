"""Low alliance (low_alliance.py): below the instrument's low cutoff (3.0 for the alliance in
DEFAULT_NORMS, the middle anchor). One low score is a watch; low_confirm = 2 scored sessions in
a row below it within the first early_sessions = 3 sessions make it high; later it is a watch.
Unscored sessions are skipped (a run counts scored sessions); a score of exactly 3.0 is not low.
"""

import dataclasses

from dashboards.demo.cohort import DEFAULT_NORMS
from dashboards.flags import Thresholds, evaluate

from .builders import day, find, from_scores, last_day

TH = Thresholds(early_sessions=3, low_confirm=2)
EARLY = ("; early in treatment (first three sessions) a low alliance can go with a higher risk "
         "of dropping out, so it is worth a prompt look.")


def low(scores, as_of=None, th=TH):
    h = from_scores(scores)
    ev = evaluate(h, day(as_of) if as_of else last_day(h), th)
    return ev, find(ev, "low_alliance")


def summary(events):
    return [(e.session_number, e.severity, e.numbers["in_a_row"]) for e in events]


def test_the_cutoff_comes_from_the_norms():
    assert DEFAULT_NORMS["alliance"].low_cutoff == 3.0


def test_one_low_score_early_is_a_watch():
    ev, [event] = low([3.8, 2.8])
    assert (event.code, event.session_number, event.severity, event.current) == (
        "low_alliance", 2, "watch", True)
    assert event.subject is None
    assert dict(event.numbers) == {"score": 2.8, "cutoff": 3.0, "early": 1, "in_a_row": 1,
                                   "confirm": 2}
    assert event.reason == ("The overall alliance score was 2.8, below the instrument's low "
                            "cutoff of 3.0" + EARLY)
    assert ev.risk == "watch"


def test_two_low_scores_in_a_row_early_are_high():
    ev, events = low([2.8, 2.9])
    assert summary(events) == [(1, "watch", 1), (2, "high", 2)]
    assert events[1].reason == ("The overall alliance score was 2.9, below the instrument's low "
                                "cutoff of 3.0, two scored sessions in a row" + EARLY)
    assert ev.risk == "high"
    _, events = low([3.5, 2.8, 2.9])
    assert summary(events) == [(2, "watch", 1), (3, "high", 2)]


def test_a_run_that_goes_on_early_stays_high():
    _, events = low([2.8, 2.9, 2.7])
    assert summary(events) == [(1, "watch", 1), (2, "high", 2), (3, "high", 3)]


def test_confirmed_only_after_the_early_sessions_is_a_watch():
    # Sessions 3 and 4 low: the second one is session 4, past the first three.
    ev, events = low([3.5, 3.5, 2.8, 2.9])
    assert summary(events) == [(3, "watch", 1), (4, "watch", 2)]
    assert events[1].numbers["early"] == 0
    assert events[1].reason == ("The overall alliance score was 2.9, below the instrument's low "
                                "cutoff of 3.0, two scored sessions in a row; worth a look.")
    assert ev.risk == "watch"


def test_a_low_score_later_in_treatment_is_a_watch():
    ev, [event] = low([3.5, 3.4, 3.4, 3.3, 2.9])
    assert (event.session_number, event.severity, event.numbers["early"]) == (5, "watch", 0)
    assert ev.risk == "watch"


def test_an_unscored_session_does_not_break_the_run():
    _, events = low([2.8, None, 2.9])
    assert summary(events) == [(1, "watch", 1), (3, "high", 2)]


def test_a_score_at_the_cutoff_breaks_the_run_and_is_not_low():
    _, events = low([2.8, 3.0, 2.9])
    assert summary(events) == [(1, "watch", 1), (3, "watch", 1)]
    assert low([3.0, 3.0, 3.0])[1] == []


def test_an_ordinary_session_is_not_low():
    assert low([4.1, 3.2, 3.5, 3.9])[1] == []


def test_current_only_while_recent():
    ev, events = low([2.8, 2.9, 3.5, 3.5, 3.6])
    assert [(e.session_number, e.severity, e.current) for e in events] == [
        (1, "watch", False), (2, "high", False)]
    assert ev.risk == "none"


def test_no_cutoff_no_low_alliance():
    h = from_scores([2.0, 2.0])
    norms = {**DEFAULT_NORMS, "alliance": dataclasses.replace(DEFAULT_NORMS["alliance"],
                                                              low_cutoff=None)}
    ev = evaluate(dataclasses.replace(h, norms=norms), last_day(h), TH)
    assert find(ev, "low_alliance") == [] and ev.risk == "none"


def test_thresholds_change_the_rule():
    three = dataclasses.replace(TH, low_confirm=3)
    assert summary(low([2.8, 2.9], th=three)[1]) == [(1, "watch", 1), (2, "watch", 2)]
    assert summary(low([2.8, 2.9, 2.7], th=three)[1])[-1] == (3, "high", 3)
    longer = dataclasses.replace(TH, early_sessions=5)
    assert summary(low([3.5, 3.5, 2.8, 2.9], th=longer)[1]) == [(3, "watch", 1), (4, "high", 2)]
