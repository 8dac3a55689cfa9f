"""Ruptures the patient reports: one outcome per report, appeasement, the missed rupture and
repeated ruptures. Defaults: unresolved = tension ≥ 3 and resolution ≤ 2 (high); repaired =
resolution ≥ 4 (a note, or appeasement); other reports are alerts (watch) from tension 4 up
(alert_tension_min), notes below."""

import pytest

from dashboards.flags import Thresholds, evaluate

from .builders import UNANSWERED, codes, find, history, last_day, patient, session, therapist

OUTCOMES = {"unresolved_rupture", "repaired_rupture", "rupture", "appeasement"}


def rupture_at_session_4(therapist_form=None, alliance=4.2, **items):
    return history(session(1, patient()), session(2, patient()), session(3, patient()),
                   session(4, patient(alliance, rupture=True, **items), therapist_form))


@pytest.mark.parametrize(("tension", "resolved", "code", "severity"), [
    (4, 1, "unresolved_rupture", "high"),
    (3, 2, "unresolved_rupture", "high"),  # both thresholds are inclusive
    (2, 1, "rupture", "note"),  # slight tension, unresolved: shown, not an alert
    (3, 3, "rupture", "note"),  # moderate, partly resolved
    (4, 3, "rupture", "watch"),  # strong, partly resolved
    (5, 4, "repaired_rupture", "note"),
    (1, 5, "repaired_rupture", "note"),
    (None, None, "rupture", "watch"),  # strength not answered: it may have been strong
    (4, None, "rupture", "watch"),
    (None, 5, "repaired_rupture", "note"),
])
def test_each_report_gets_exactly_one_outcome(tension, resolved, code, severity):
    items = {k: v for k, v in (("rupture_tension", tension), ("rupture_resolved", resolved))
             if v is not None}
    h = rupture_at_session_4(**items)
    outcomes = [e for e in evaluate(h, last_day(h)).events if e.code in OUTCOMES]
    assert [(e.code, e.severity, e.session_number) for e in outcomes] == [(code, severity, 4)]


def test_a_note_never_raises_the_level():
    h = rupture_at_session_4(rupture_tension=2, rupture_resolved=3)
    ev = evaluate(h, last_day(h))
    assert codes(ev) == {"rupture"} and ev.risk == "none"


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


# --- appeasement: a "resolved" rupture that may be on the surface ---------------------------------

def test_resolved_while_going_along_is_appeasement():
    h = rupture_at_session_4(rupture_tension=3, rupture_resolved=5, went_along=4)
    ev = evaluate(h, last_day(h))
    [event] = find(ev, "appeasement")
    assert (event.severity, event.session_number, event.current) == ("watch", 4, True)
    assert 'answered 4 of 5 to "I went along with something I didn\'t really agree with"' in event.reason
    assert event.numbers["kind"] == "withdrawal" and event.numbers["resolved"] == 5
    assert "repaired_rupture" not in codes(ev) and ev.risk == "watch"


def test_resolved_with_a_low_alliance_is_appeasement():
    h = rupture_at_session_4(alliance=2.5, rupture_tension=2, rupture_resolved=4)
    [event] = find(evaluate(h, last_day(h)), "appeasement")
    assert "rated the overall alliance 2.5, below the low cutoff of 3.0" in event.reason


@pytest.mark.parametrize("items", [
    {"went_along": 3},  # "somewhat" going along is ordinary
    {"held_back": 5},  # holding back is withdrawal away, not the appeasing kind
    {},
])
def test_an_ordinary_repair_is_not_appeasement(items):
    h = rupture_at_session_4(rupture_tension=3, rupture_resolved=5, **items)
    ev = evaluate(h, last_day(h))
    assert "appeasement" not in codes(ev) and find(ev, "repaired_rupture")[0].severity == "note"


# --- the rupture the therapist did not note --------------------------------------------------------

def test_rupture_missed_when_the_answered_therapist_form_says_none():
    h = rupture_at_session_4(therapist(rupture=False), rupture_tension=4, held_back=4)
    [event] = find(evaluate(h, last_day(h)), "rupture_missed")
    assert (event.severity, event.session_number) == ("watch", 4)
    assert "withdrawal is the kind most easily missed" in event.reason


def test_a_slight_missed_rupture_is_a_note():
    h = rupture_at_session_4(therapist(rupture=False), rupture_tension=2)
    assert find(evaluate(h, last_day(h)), "rupture_missed")[0].severity == "note"


@pytest.mark.parametrize("therapist_form", [None, UNANSWERED, therapist(rupture=True)],
                         ids=["no form", "form unanswered", "therapist saw it"])
def test_rupture_not_missed_without_a_therapist_saying_none(therapist_form):
    h = rupture_at_session_4(therapist_form, rupture_tension=4)
    assert "rupture_missed" not in codes(evaluate(h, last_day(h)))


def test_a_repaired_rupture_the_therapist_missed_is_no_alert():
    # Talked through is good news, whoever noticed it.
    h = rupture_at_session_4(therapist(rupture=False), rupture_tension=4, rupture_resolved=5)
    ev = evaluate(h, last_day(h))
    assert "rupture_missed" not in codes(ev) and ev.risk == "none"


# --- repeated ruptures -----------------------------------------------------------------------------

def rupture_pattern(*reports):
    """reports: per session True (strong rupture, partly talked through: tension 4, resolution 3),
    "slight" (tension 2, resolution 3), "repaired" (resolution 5), False (none) or None (form
    unanswered)."""
    forms = {True: patient(rupture=True, rupture_tension=4, rupture_resolved=3),
             "slight": patient(rupture=True, rupture_tension=2, rupture_resolved=3),
             "repaired": patient(rupture=True, rupture_tension=3, rupture_resolved=5),
             False: patient(), None: UNANSWERED}
    return history(*(session(i + 1, forms[r]) for i, r in enumerate(reports)))


def test_repeated_ruptures_fire_at_each_rupture_completing_two_of_three():
    h = rupture_pattern(False, True, True, True, False, False)
    events = find(evaluate(h, last_day(h)), "repeated_ruptures")
    assert [e.session_number for e in events] == [3, 4]
    assert events[-1].numbers == {"ruptures": 3, "window": 3, "sessions": "2, 3, 4",
                                  "tension_min": 4, "repaired_min": 4}
    assert "strong tension that was not talked through in 3 of the last 3 answered sessions" in events[-1].reason
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


def test_repaired_and_slight_ruptures_are_not_repeated_ruptures():
    # Resolved ruptures go with good outcomes, and slight everyday tension is common.
    h = rupture_pattern(False, "repaired", "repaired", "slight", "slight")
    ev = evaluate(h, last_day(h))
    assert "repeated_ruptures" not in codes(ev) and ev.risk == "none"
    # Between two strong ruptures not talked through, a repaired one is not counted.
    h = rupture_pattern(False, True, "repaired", True)
    [event] = find(evaluate(h, last_day(h)), "repeated_ruptures")
    assert event.session_number == 4 and event.numbers["sessions"] == "2, 4"


def test_the_alert_threshold_for_tension_is_configurable():
    h = rupture_pattern(False, "slight", "slight")
    assert "repeated_ruptures" in codes(evaluate(h, last_day(h), Thresholds(alert_tension_min=2)))
    assert "repeated_ruptures" not in codes(evaluate(h, last_day(h)))
