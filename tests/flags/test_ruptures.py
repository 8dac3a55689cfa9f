import pytest

from dashboards.flags import Thresholds, evaluate

from .builders import UNANSWERED, codes, find, history, last_day, patient, session, therapist

OUTCOMES = {"unresolved_rupture", "repaired_rupture", "rupture"}


def rupture_at_session_4(therapist_form=None, **items):
    return history(session(1, patient()), session(2, patient()), session(3, patient()),
                   session(4, patient(rupture=True, **items), therapist_form))


@pytest.mark.parametrize(("tension", "resolved", "code", "severity"), [
    (4, 1, "unresolved_rupture", "high"),
    (3, 2, "unresolved_rupture", "high"),  # both thresholds are inclusive
    (2, 1, "rupture", "watch"),  # slight tension, unresolved
    (5, 3, "rupture", "watch"),  # strong, partly resolved
    (5, 4, "repaired_rupture", "positive"),
    (1, 5, "repaired_rupture", "positive"),
    (None, None, "rupture", "watch"),  # follow-up questions not answered
    (4, None, "rupture", "watch"),
    (None, 5, "repaired_rupture", "positive"),
])
def test_each_report_gets_exactly_one_outcome(tension, resolved, code, severity):
    items = {k: v for k, v in (("rupture_tension", tension), ("rupture_resolved", resolved))
             if v is not None}
    h = rupture_at_session_4(**items)
    outcomes = [e for e in evaluate(h, last_day(h)).events if e.code in OUTCOMES]
    assert [(e.code, e.severity, e.session_number) for e in outcomes] == [(code, severity, 4)]


def test_unresolved_rupture_reason_quotes_the_answers_and_the_kind():
    h = rupture_at_session_4(rupture_tension=4, rupture_resolved=1, held_back=4, frustrated=1)
    [event] = find(evaluate(h, last_day(h)), "unresolved_rupture")
    assert "(strength 4 of 5)" in event.reason and "resolution 1 of 5" in event.reason
    assert "withdrawal (held back 4 of 5)" in event.reason
    assert event.numbers == {"tension": 4, "resolved": 1, "kind": "withdrawal"}
    assert event.current


def test_rupture_kind_names_confrontation_and_mixed_signs():
    h = rupture_at_session_4(rupture_tension=2, frustrated=5)
    assert find(evaluate(h, last_day(h)), "rupture")[0].numbers["kind"] == "confrontation"
    h = rupture_at_session_4(rupture_tension=2, went_along=3, frustrated=4)
    assert (find(evaluate(h, last_day(h)), "rupture")[0].numbers["kind"]
            == "withdrawal and confrontation")


def test_no_rupture_no_rupture_events_even_with_raised_indicators():
    # Confrontation shows itself; only the withdrawal items raise a quiet withdrawal (below).
    h = history(session(1, patient()), session(2, patient(frustrated=5, held_back=3)))
    assert codes(evaluate(h, last_day(h))) == set()


def test_quiet_withdrawal_without_a_reported_rupture():
    h = history(session(1, patient()), session(2, patient(held_back=4, went_along=2)))
    ev = evaluate(h, last_day(h))
    [event] = find(ev, "quiet_withdrawal")
    assert (event.severity, event.session_number, event.current) == ("watch", 2, True)
    assert event.numbers == {"held_back": 4, "threshold": 4, "kind": "withdrawal"}
    assert event.reason == (
        'The patient did not report tension with the therapist but answered 4 of 5 to "I held '
        'back something I wanted to say", which can be a sign of quiet withdrawal, the kind most '
        "easily missed; it may be worth gently inviting what went unsaid.")
    assert codes(ev) == {"quiet_withdrawal"} and ev.risk == "watch"


def test_quiet_withdrawal_quotes_both_items_when_both_are_raised():
    h = history(session(1, patient(rupture=None, held_back=5, went_along=4)))
    [event] = find(evaluate(h, last_day(h)), "quiet_withdrawal")
    assert event.numbers == {"held_back": 5, "went_along": 4, "threshold": 4, "kind": "withdrawal"}
    assert '5 of 5 to "I held back' in event.reason and '4 of 5 to "I went along' in event.reason


@pytest.mark.parametrize("items", [
    {"held_back": 3, "went_along": 3},  # "somewhat" happens in ordinary sessions
    {"held_back": "4"},  # not a likert answer
    {},  # indicators not answered
])
def test_no_quiet_withdrawal_below_the_threshold(items):
    h = history(session(1, patient(**items)))
    assert "quiet_withdrawal" not in codes(evaluate(h, last_day(h)))


def test_a_reported_rupture_is_not_a_quiet_withdrawal():
    # The withdrawal items then name the rupture's kind instead.
    h = rupture_at_session_4(rupture_tension=2, held_back=5)
    ev = evaluate(h, last_day(h))
    assert "quiet_withdrawal" not in codes(ev)
    assert find(ev, "rupture")[0].numbers["kind"] == "withdrawal"


def test_the_quiet_withdrawal_threshold_is_configurable():
    h = history(session(1, patient(went_along=3)))
    strict = evaluate(h, last_day(h))
    relaxed = evaluate(h, last_day(h), Thresholds(quiet_withdrawal_min=3))
    assert find(strict, "quiet_withdrawal") == []
    assert find(relaxed, "quiet_withdrawal")[0].numbers["went_along"] == 3


def test_rupture_missed_when_the_answered_therapist_form_says_none():
    h = rupture_at_session_4(therapist(rupture=False), rupture_tension=2, held_back=4)
    [event] = find(evaluate(h, last_day(h)), "rupture_missed")
    assert (event.severity, event.session_number) == ("watch", 4)
    assert "withdrawal is the kind most easily missed" in event.reason


@pytest.mark.parametrize("therapist_form", [None, UNANSWERED, therapist(rupture=True)],
                         ids=["no form", "form unanswered", "therapist saw it"])
def test_rupture_not_missed_without_a_therapist_saying_none(therapist_form):
    h = rupture_at_session_4(therapist_form, rupture_tension=2)
    assert "rupture_missed" not in codes(evaluate(h, last_day(h)))


def test_a_repaired_rupture_the_therapist_missed_is_still_worth_a_look():
    h = rupture_at_session_4(therapist(rupture=False), rupture_tension=3, rupture_resolved=5)
    assert {"repaired_rupture", "rupture_missed"} <= codes(evaluate(h, last_day(h)))


def rupture_pattern(*reports):
    """reports: per session True (rupture, not talked through: resolution 2), "repaired"
    (resolution 5), False (none) or None (form unanswered)."""
    forms = {True: patient(rupture=True, rupture_tension=2, rupture_resolved=2),
             "repaired": patient(rupture=True, rupture_tension=3, rupture_resolved=5),
             False: patient(), None: UNANSWERED}
    return history(*(session(i + 1, forms[r]) for i, r in enumerate(reports)))


def test_repeated_ruptures_fire_at_each_rupture_completing_two_of_three():
    h = rupture_pattern(False, True, True, True, False, False)
    events = find(evaluate(h, last_day(h)), "repeated_ruptures")
    assert [e.session_number for e in events] == [3, 4]
    assert events[-1].numbers == {"ruptures": 3, "window": 3, "sessions": "2, 3, 4",
                                  "repaired_min": 4}
    assert "not fully talked through in 3 of the last 3 answered sessions" in events[-1].reason
    assert "sessions 2, 3 and 4" in events[-1].reason
    assert all(e.severity == "high" for e in events)


def test_repeated_ruptures_count_answered_sessions_only():
    # Session 3 was not answered, so the last three answered sessions at 4 are 1, 2 and 4.
    h = rupture_pattern(False, True, None, True)
    [event] = find(evaluate(h, last_day(h)), "repeated_ruptures")
    assert event.session_number == 4 and event.numbers["sessions"] == "2, 4"


def test_two_ruptures_further_apart_are_not_repeated():
    h = rupture_pattern(True, False, False, True, False)
    assert "repeated_ruptures" not in codes(evaluate(h, last_day(h)))


def test_repaired_ruptures_are_not_repeated_ruptures():
    # Resolved ruptures go with good outcomes: two of them are good news, not a risk signal.
    h = rupture_pattern(False, "repaired", "repaired", False)
    ev = evaluate(h, last_day(h))
    assert "repeated_ruptures" not in codes(ev) and ev.risk == "none"
    assert [e.session_number for e in find(ev, "repaired_rupture")] == [2, 3]
    # Between two ruptures that were not talked through, a repaired one is not counted.
    h = rupture_pattern(False, True, "repaired", True)
    [event] = find(evaluate(h, last_day(h)), "repeated_ruptures")
    assert event.session_number == 4 and event.numbers["sessions"] == "2, 4"


@pytest.mark.parametrize(("resolved", "counts"), [
    (None, True),  # resolution not answered: it may not have been repaired
    (3, True),  # partly resolved
    (4, False),  # the repaired threshold itself
])
def test_which_ruptures_count_as_not_repaired(resolved, counts):
    items = {"rupture_tension": 2} | ({} if resolved is None else {"rupture_resolved": resolved})
    h = history(session(1, patient(rupture=True, rupture_tension=2, rupture_resolved=1)),
                session(2, patient(rupture=True, **items)))
    assert bool(find(evaluate(h, last_day(h)), "repeated_ruptures")) == counts
