"""Outcome flags: reliable deterioration (high), no reliable improvement after 8 sessions while
still a case (watch), reliable improvement and recovery (positive), each with its numbers."""

import dataclasses

from dashboards.flags import DEFAULT_THRESHOLDS, Thresholds, evaluate, event_key, new_events
from dashboards.flags.briefs import brief
from dashboards.therapist.wording import EVENT_NAMES
from tests.outcomes.measures import both, phq9

from .builders import day, find, history, patient, session

OUTCOME_CODES = ("reliable_deterioration", "no_reliable_improvement", "reliable_improvement", "recovery")


def treatment(measures, sessions: int, missed: tuple[int, ...] = ()):
    """`sessions` weekly sessions (the `missed` ones no-shows) with a calm alliance, and the outcome series."""
    h = history(*(session(n, None if n in missed else patient(), attendance="no_show" if n in missed else "attended")
                  for n in range(1, sessions + 1)))
    return dataclasses.replace(h, outcomes=measures)


def outcome_events(evaluation):
    return [e for e in evaluation.events if e.code in OUTCOME_CODES]


def test_a_reliable_rise_in_two_answers_in_a_row_is_a_high_flag_with_its_numbers():
    h = treatment(both([9, 10, 15, 16], [6, 7, 7, 8]), 4)
    assert outcome_events(evaluate(h, day(3))) == []  # one answer beyond the reliable change: not yet
    evaluation = evaluate(h, day(4))
    (event,) = outcome_events(evaluation)
    assert (event.code, event.severity, event.session_number, event.current) == ("reliable_deterioration", "high", 4, True)
    assert evaluation.risk == "high"
    assert event.numbers == {"measure": "PHQ-9", "first": 9.0, "latest": 16.0, "first_session": 1, "session": 4,
                             "reliable_change": 6, "caseness": 10, "also": "GAD-7 6 → 8"}
    assert event.reason.startswith("PHQ-9 rose from 9 at session 1 to 16 at session 4: 7 points, at least the 6")
    assert "GAD-7 6 → 8, within measurement error" in event.reason
    assert [e.code for e in new_events(set(), evaluation)] == ["reliable_deterioration"]


def test_one_answer_is_enough_when_the_deployment_says_so():
    h = treatment({"phq9": phq9([9, 10, 15])}, 3)
    once = Thresholds.from_mapping({"outcome_confirm": 1})
    assert [e.session_number for e in find(evaluate(h, day(3), once), "reliable_deterioration")] == [3]


def test_a_rise_of_less_than_the_reliable_change_is_no_flag():
    assert outcome_events(evaluate(treatment({"phq9": phq9([9, 12, 14])}, 3), day(3))) == []


def test_a_rise_and_a_fall_on_the_other_measure_are_neither():
    assert outcome_events(evaluate(treatment(both([9, 16, 16], [14, 9, 9]), 3), day(3))) == []


def test_the_event_keeps_its_session_and_ends_when_the_scores_come_back():
    h = treatment({"phq9": phq9([9, 16, 17, 18, 12])}, 5)
    at_4 = find(evaluate(h, day(4)), "reliable_deterioration")
    at_5 = find(evaluate(h, day(5)), "reliable_deterioration")
    assert [event_key(e) for e in at_4] == [event_key(e) for e in at_5] == ["reliable_deterioration:3"]
    assert at_4[0].current and at_4[0].numbers["latest"] == 18
    assert not at_5[0].current and at_5[0].numbers["until_session"] == 4
    assert evaluate(h, day(5)).risk == "none"


def test_later_answers_are_not_known_before_their_day():
    h = treatment({"phq9": phq9([9, 16, 16])}, 3)
    assert find(evaluate(h, day(2)), "reliable_deterioration") == []
    assert find(evaluate(h, day(3)), "reliable_deterioration")


def test_still_a_case_without_reliable_improvement_after_eight_attended_sessions_is_a_watch():
    h = treatment({"phq9": phq9([15] * 9)}, 9)
    assert find(evaluate(h, day(7)), "no_reliable_improvement") == []
    (event,) = find(evaluate(h, day(9)), "no_reliable_improvement")
    assert (event.severity, event.session_number, event.current) == ("watch", 8, True)
    assert event.numbers["sessions"] == 9 and event.numbers["latest"] == 15
    assert event.reason.startswith("After 9 attended sessions PHQ-9 is 15 (it was 15 at session 1), still at or "
                                   "above the clinical cut-off of 10, with no reliable improvement")
    assert evaluate(h, day(9)).risk == "watch"


def test_missed_sessions_do_not_count_toward_the_eight():
    h = treatment({"phq9": phq9({n: 15 for n in (1, 2, 4, 5, 6, 7, 8, 9)})}, 9, missed=(3,))
    assert [e.session_number for e in find(evaluate(h, day(9)), "no_reliable_improvement")] == [9]


def test_the_number_of_sessions_is_a_threshold():
    h = treatment({"phq9": phq9([15] * 5)}, 5)
    sooner = Thresholds.from_mapping({"outcome_review_sessions": 4})
    assert [e.session_number for e in find(evaluate(h, day(5), sooner), "no_reliable_improvement")] == [4]
    assert DEFAULT_THRESHOLDS.outcome_review_sessions == 8


def test_below_the_cut_off_or_improving_ends_the_watch():
    below = evaluate(treatment({"phq9": phq9([12] * 8 + [9])}, 9), day(9))
    assert [(e.session_number, e.current) for e in find(below, "no_reliable_improvement")] == [(8, False)]
    assert below.risk == "none"
    improving = evaluate(treatment({"phq9": phq9([20] * 8 + [13, 13])}, 10), day(10))
    assert [e.current for e in find(improving, "no_reliable_improvement")] == [False]
    assert [e.current for e in find(improving, "reliable_improvement")] == [True]


def test_improvement_and_recovery_are_good_news_that_never_raise_the_level():
    h = treatment(both([15, 12, 8, 7], [10, 9, 5, 5]), 4)
    evaluation = evaluate(h, day(4))
    found = {e.code: e for e in outcome_events(evaluation)}
    assert set(found) == {"reliable_improvement", "recovery"}
    assert {e.severity for e in found.values()} == {"positive"} and evaluation.risk == "none"
    assert found["recovery"].numbers["reliable"] == 1
    assert "out of the clinical range on every measure (PHQ-9 below 10 and GAD-7 below 8) and reliably improved" in (
        found["recovery"].reason)
    assert new_events(set(), evaluation) == []


def test_each_outcome_flag_has_a_name_and_a_short_line_from_its_numbers():
    histories = [treatment(both([9, 16, 16], [6, 8, 8]), 3), treatment({"phq9": phq9([15] * 9)}, 9),
                 treatment(both([15, 8, 8], [10, 5, 5]), 3)]
    seen = set()
    for h in histories:
        for event in outcome_events(evaluate(h, max(s.date for s in h.sessions))):
            line = str(brief(event.code, event.subject, event.session_number, event.numbers))
            assert event.code in EVENT_NAMES and line and len(line) <= 64, line
            assert line != event.reason.split(";")[0], "fell back to the reason"
            seen.add(event.code)
    assert seen == set(OUTCOME_CODES)
