"""The marker items when no rupture is named: quiet withdrawal (held back, went along) and
frustration not named as a rupture. One answer of 4–5 is a note; the same marker in two of the
last three answered sessions an alert (watch)."""

import pytest

from dashboards.flags import Thresholds, evaluate

from .builders import UNANSWERED, codes, find, history, last_day, patient, session


def sessions_with(*marked):
    """One answered session per entry: a dict of marker items, or None for a calm form."""
    return history(*(session(i + 1, patient(**(m or {}))) for i, m in enumerate(marked)))


def test_one_quiet_withdrawal_is_a_note():
    h = sessions_with(None, {"held_back": 4, "went_along": 2})
    ev = evaluate(h, last_day(h))
    [event] = find(ev, "quiet_withdrawal")
    assert (event.severity, event.session_number, event.current) == ("note", 2, True)
    assert event.numbers == {"held_back": 4, "threshold": 4, "kind": "withdrawal", "sessions": "2",
                             "confirm": 2, "window": 3}
    assert event.reason == (
        'The patient did not report tension with the therapist but answered 4 of 5 to "I held '
        'back something I wanted to say", which can be a sign of quiet withdrawal, the kind most '
        "easily missed; it may be worth gently inviting what went unsaid.")
    assert ev.risk == "none"


def test_a_repeated_quiet_withdrawal_is_an_alert():
    h = sessions_with({"went_along": 4}, None, {"held_back": 5})
    ev = evaluate(h, last_day(h))
    first, second = find(ev, "quiet_withdrawal")
    assert (first.severity, second.severity) == ("note", "watch")
    assert "as in 2 of the last 3 answered sessions (sessions 1 and 3)" in second.reason
    assert ev.risk == "watch"


def test_unanswered_forms_do_not_count_in_the_window():
    h = history(session(1, patient(held_back=4)), session(2, UNANSWERED), session(3, UNANSWERED),
                session(4, patient(held_back=4)))
    assert [e.severity for e in find(evaluate(h, last_day(h)), "quiet_withdrawal")] == ["note", "watch"]


def test_markers_three_answered_sessions_apart_do_not_confirm():
    h = sessions_with({"held_back": 4}, None, None, {"held_back": 4})
    assert [e.severity for e in find(evaluate(h, last_day(h)), "quiet_withdrawal")] == ["note", "note"]


def test_quiet_withdrawal_quotes_both_items_when_both_are_raised():
    h = sessions_with({"held_back": 5, "went_along": 4})
    [event] = find(evaluate(h, last_day(h)), "quiet_withdrawal")
    assert event.numbers["held_back"] == 5 and event.numbers["went_along"] == 4
    assert '5 of 5 to "I held back' in event.reason and '4 of 5 to "I went along' in event.reason


def test_frustration_not_named_as_a_rupture():
    h = sessions_with({"frustrated": 4}, {"frustrated": 5})
    first, second = find(evaluate(h, last_day(h)), "unnamed_confrontation")
    assert (first.severity, second.severity) == ("note", "watch")
    assert second.numbers["kind"] == "confrontation"
    assert "confrontation that is not being said" in second.reason


@pytest.mark.parametrize("items", [
    {"held_back": 3, "went_along": 3, "frustrated": 3},  # "somewhat" happens in ordinary sessions
    {"held_back": "4"},  # not a likert answer
    {},  # indicators not answered
])
def test_nothing_below_the_threshold(items):
    h = sessions_with(items)
    assert codes(evaluate(h, last_day(h))) == set()


def test_a_reported_rupture_is_not_a_marker_event():
    # The marker items then name the rupture's kind instead.
    h = history(session(1, patient(rupture=True, rupture_tension=2, held_back=5, frustrated=5)))
    ev = evaluate(h, last_day(h))
    assert not {"quiet_withdrawal", "unnamed_confrontation"} & codes(ev)
    assert find(ev, "rupture")[0].numbers["kind"] == "withdrawal and confrontation"


def test_the_marker_thresholds_are_configurable():
    h = sessions_with({"went_along": 3}, {"went_along": 3})
    assert find(evaluate(h, last_day(h)), "quiet_withdrawal") == []
    relaxed = evaluate(h, last_day(h), Thresholds(marker_min=3))
    assert [e.severity for e in find(relaxed, "quiet_withdrawal")] == ["note", "watch"]
    once = evaluate(sessions_with({"held_back": 4}), last_day(sessions_with({"held_back": 4})),
                    Thresholds(marker_confirm=1))
    assert find(once, "quiet_withdrawal")[0].severity == "watch"
