import datetime

from dashboards.flags import evaluate

from .builders import UNANSWERED, day, find, history, patient, session, therapist

WEEK = datetime.timedelta(weeks=1)


def forms(*answered):
    """Attended sessions whose patient form was answered (True) or not (False)."""
    return [session(i + 1, patient() if a else UNANSWERED) for i, a in enumerate(answered)]


def test_two_unanswered_forms_in_a_row_are_disengagement():
    h = history(*forms(True, True, True, False, False))
    ev = evaluate(h, day(5))
    [event] = find(ev, "disengagement", "unanswered")
    assert (event.session_number, event.severity, event.current) == (5, "watch", True)
    assert event.numbers["unanswered"] == 2 and "sessions 4 to 5, so far" in event.reason
    assert ev.risk == "watch"


def test_answering_again_ends_it():
    h = history(*forms(True, False, False, True))
    [event] = find(evaluate(h, day(4)), "disengagement", "unanswered")
    assert not event.current


def test_one_unanswered_form_is_not_disengagement():
    h = history(*forms(True, False, True, False))
    assert find(evaluate(h, day(4)), "disengagement") == []


def test_sessions_without_an_invitation_do_not_break_an_unanswered_run():
    h = history(session(1, UNANSWERED), session(2, attendance="cancelled"), session(3, UNANSWERED))
    assert [e.subject for e in find(evaluate(h, day(3)), "disengagement")] == ["unanswered"]


def attendance(*states):
    return [session(i + 1, patient() if s == "attended" else None, attendance=s)
            for i, s in enumerate(states)]


def test_two_missed_of_the_last_four_sessions():
    h = history(*attendance("attended", "attended", "cancelled", "attended", "no_show"))
    [event] = find(evaluate(h, day(5)), "disengagement", "missed")
    assert event.session_number == 5 and event.current
    assert event.numbers == {"missed": 2, "window": 4, "sessions": "3, 5", "threshold": 2}
    assert event.reason.startswith("2 of the last 4 scheduled sessions were missed or cancelled")


def test_missed_sessions_that_left_the_window_no_longer_count():
    h = history(*attendance("cancelled", "no_show", "attended", "attended", "attended",
                            "attended"))
    [event] = find(evaluate(h, day(6)), "disengagement", "missed")
    assert event.session_number == 2 and not event.current
    assert evaluate(h, day(6)).risk == "none"


def test_a_gap_of_more_than_four_weeks_up_to_the_evaluation_date():
    h = history(session(1, patient()), session(2, patient()))
    assert find(evaluate(h, day(2) + 4 * WEEK), "disengagement") == []  # exactly 28 days
    ev = evaluate(h, day(2) + 4 * WEEK + datetime.timedelta(days=1))
    [event] = find(ev, "disengagement", "gap")
    assert (event.session_number, event.current, ev.risk) == (2, True, "watch")
    assert "No session has taken place for 4.1 weeks, since session 2" in event.reason


def test_a_past_gap_stays_in_the_history():
    h = history(session(1, patient()), session(2, patient(), date=day(1) + 6 * WEEK),
                session(3, patient(), date=day(1) + 7 * WEEK))
    [event] = find(evaluate(h, day(1) + 7 * WEEK), "disengagement", "gap")
    assert (event.session_number, event.current) == (1, False)
    assert event.numbers["weeks"] == 6.0


def test_a_gap_counts_from_the_last_attended_session():
    h = history(*attendance("attended", "attended", "cancelled", "no_show"))
    ev = evaluate(h, day(2) + 5 * WEEK)
    [gap] = find(ev, "disengagement", "gap")
    assert (gap.session_number, gap.numbers["days"]) == (2, 35)


def test_never_attended_gap_has_no_session():
    h = history(session(1, attendance="no_show"))
    [event] = find(evaluate(h, day(1) + 5 * WEEK), "disengagement", "gap")
    assert event.session_number is None and event.current


def test_no_disengagement_after_a_planned_end():
    h = history(*forms(True, True, False, False), ended_on=day(4))
    ev = evaluate(h, day(4) + 10 * WEEK)
    assert find(ev, "disengagement", "gap") == []
    assert all(not e.current for e in find(ev, "disengagement"))
    assert ev.risk == "none"


def test_a_planned_end_still_ahead_does_not_hide_disengagement():
    h = history(*forms(True, True, False, False), ended_on=day(4) + 20 * WEEK)
    ev = evaluate(h, day(4) + 5 * WEEK)
    assert {e.subject for e in find(ev, "disengagement") if e.current} == {"unanswered", "gap"}


def test_disengagement_with_a_current_rupture_is_high():
    h = history(session(1, patient()), session(2, patient(rupture=True, rupture_tension=2)),
                session(3, UNANSWERED), session(4, UNANSWERED))
    ev = evaluate(h, day(4))
    [event] = find(ev, "disengagement")
    assert event.severity == "high" and "worth a prompt look" in event.reason
    assert ev.risk == "high"


def test_disengagement_stays_watch_beside_good_news_or_old_ruptures():
    # A repaired rupture is good news, not a reason to escalate.
    h = history(session(1, patient()), session(2, patient(rupture=True, rupture_resolved=5)),
                session(3, UNANSWERED), session(4, UNANSWERED))
    assert evaluate(h, day(4)).risk == "watch"
    # A rupture at session 1 is no longer among the last three sessions (3, 4, 5).
    h = history(session(1, patient(rupture=True, rupture_tension=2)), session(2, patient()),
                session(3, UNANSWERED), session(4, UNANSWERED), session(5, UNANSWERED))
    assert evaluate(h, day(5)).risk == "watch"


def test_a_quiet_withdrawal_counts_as_a_rupture_signal():
    h = history(session(1, patient()), session(2, patient(held_back=4)),
                session(3, UNANSWERED), session(4, UNANSWERED))
    ev = evaluate(h, day(4))
    assert find(ev, "disengagement")[0].severity == "high" and ev.risk == "high"


def test_a_repaired_rupture_the_therapist_missed_does_not_escalate():
    # Still shown (rupture_missed, watch), but the patient says it was talked through.
    h = history(session(1, patient()),
                session(2, patient(rupture=True, rupture_tension=3, rupture_resolved=5),
                        therapist(rupture=False)),
                session(3, UNANSWERED), session(4, UNANSWERED))
    ev = evaluate(h, day(4))
    assert find(ev, "rupture_missed") and ev.risk == "watch"


def test_a_drift_within_reliable_change_does_not_escalate():
    # A current downward trend (slope −0.17 to 3.7, not a reliable change) and two unanswered
    # forms are two things worth a look, not together a high.
    scores = [4.2, 4.2, 4.2, 4.1, 3.9, 3.7]
    h = history(*(session(i + 1, patient(a)) for i, a in enumerate(scores)),
                session(7, UNANSWERED), session(8, UNANSWERED))
    ev = evaluate(h, day(8))
    assert find(ev, "downward_trend")[0].current
    assert find(ev, "disengagement")[0].severity == "watch" and ev.risk == "watch"
    # A fall of the reliable-change size does escalate: 4.1 → 3.3 is a sudden drop (0.8).
    h = history(*(session(i + 1, patient(a)) for i, a in enumerate([4.2, 4.2, 4.2, 4.1, 3.3])),
                session(6, UNANSWERED), session(7, UNANSWERED))
    assert evaluate(h, day(7)).risk == "high"
