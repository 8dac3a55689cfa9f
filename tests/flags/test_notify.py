"""What is notified (events.new_events): current alerts (high, watch) whose key has not been seen.
Notes and positive events are for the page only; events no longer current are history.

The decline examples use the change arithmetic of test_change.py (baseline 4.1, unit 0.402492,
k 0.75): S = 0.989, 2.227, 3.713 at sessions 5–7, a trend note at 6 and the alarm at 7.
"""

from dashboards.flags import Evaluation, Event, Thresholds, evaluate, event_key, new_events

from .builders import UNANSWERED, day, find, from_scores, history, patient, resolved_rupture, session

TH = Thresholds(baseline_sessions=4, cusum_k=0.75, cusum_h=3.5, confirm_sessions=2,
                recovery_sessions=2, drop_z=3.0, trend_h=1.75)
DECLINE = [4.2, 4.0, 4.2, 4.0, 3.4, 3.3, 3.2]


def unresolved(number):
    return session(number, patient(rupture=True, rupture_tension=4, rupture_resolved=1))


def event(code, severity, current=True, number=1, subject=None):
    return Event(code=code, severity=severity, session_number=number, reason="", numbers={},
                 current=current, subject=subject)


def keys(events):
    return [event_key(e) for e in events]


def test_event_keys_are_readable():
    assert event_key(event("reliable_decline", "high", number=9, subject="alliance")) == (
        "reliable_decline:alliance:9")
    assert event_key(event("unresolved_rupture", "high", number=4)) == "unresolved_rupture:4"
    # A current gap has no session of its own: code and subject only.
    assert event_key(event("disengagement", "watch", number=None, subject="gap")) == (
        "disengagement:gap")
    assert event("low_alliance", "watch", number=2).to_dict()["key"] == "low_alliance:2"


def test_a_decline_keeps_its_key_as_later_sessions_arrive():
    h = from_scores([*DECLINE, 3.3, 3.2, 3.8, 4.0])
    found = {as_of: keys(find(evaluate(h, day(as_of), TH), "reliable_decline"))
             for as_of in range(6, 12)}
    assert found == {6: [], 7: ["reliable_decline:alliance:7"], 8: ["reliable_decline:alliance:7"],
                     9: ["reliable_decline:alliance:7"], 10: ["reliable_decline:alliance:7"],
                     11: ["reliable_decline:alliance:7"]}


def test_only_current_high_and_watch_events_are_new():
    ev = Evaluation(risk="high", events=(
        event("unresolved_rupture", "high", number=1),
        event("rupture", "watch", number=2),
        event("downward_trend", "note", number=3, subject="alliance"),
        event("rupture_repair_episode", "positive", number=4, subject="alliance"),
        event("unresolved_rupture", "high", current=False, number=5),
        event("sudden_drop", "watch", current=False, number=6, subject="alliance"),
    ))
    assert keys(new_events([], ev)) == ["unresolved_rupture:1", "rupture:2"]
    assert keys(new_events(["rupture:2"], ev)) == ["unresolved_rupture:1"]
    assert new_events(iter(["unresolved_rupture:1", "rupture:2"]), ev) == []


def test_first_evaluation_notifies_current_risk_events_only():
    h = history(unresolved(1), *[session(n, patient()) for n in range(2, 6)], unresolved(6))
    ev = evaluate(h, day(6), TH)
    assert keys(find(ev, "unresolved_rupture")) == ["unresolved_rupture:1", "unresolved_rupture:6"]
    # The rupture at session 1 is history, not news.
    assert keys(new_events([], ev)) == ["unresolved_rupture:6"]


def test_a_decline_is_notified_once_and_a_later_alert_is_new():
    h = from_scores([*DECLINE, 3.3, 2.9])
    first = new_events([], evaluate(h, day(7), TH))
    assert [(event_key(e), e.severity) for e in first] == [("reliable_decline:alliance:7", "high")]
    seen = keys(first)
    # Still declining at 8: the same key, nothing new.
    assert new_events(seen, evaluate(h, day(8), TH)) == []
    # 2.9 at 9 is below the low cutoff of 3.0: a new watch event, the decline is not repeated.
    later = new_events(seen, evaluate(h, day(9), TH))
    assert [(event_key(e), e.severity) for e in later] == [("low_alliance:9", "watch")]


def test_a_trend_note_is_never_notified():
    ev = evaluate(from_scores(DECLINE), day(6), TH)
    [trend] = find(ev, "downward_trend")
    assert trend.current and trend.severity == "note"
    assert new_events([], ev) == []


def test_good_news_is_not_notified():
    # A V-shaped rupture–repair: usual 4.133, dip 3.6 at 4 with a resolved rupture, back at 5.
    h = history(*(session(n, patient(s)) for n, s in ((1, 4.2), (2, 4.0), (3, 4.2))),
                session(4, resolved_rupture(3.6)), session(5, patient(4.0)))
    ev = evaluate(h, day(5), TH)
    assert [(e.code, e.severity, e.current) for e in ev.events] == [
        ("repaired_rupture", "note", True), ("rupture_repair_episode", "positive", True)]
    assert new_events([], ev) == []


def test_a_watch_is_notified():
    # A single session 3.23 within-person SDs below the baseline of 4.3 (3.0): sudden_drop, watch.
    ev = evaluate(from_scores([4.4, 4.2, 4.4, 4.2, 3.0]), day(5), TH)
    assert [(event_key(e), e.severity) for e in new_events([], ev)] == [
        ("sudden_drop:alliance:5", "watch")]


def test_disengagement_keys_and_notification():
    # Three unanswered questionnaires in a row (5, 6, 7): keyed at the third.
    h = history(*(session(n, patient()) for n in range(1, 5)),
                *(session(n, UNANSWERED) for n in range(5, 8)))
    ev = evaluate(h, day(7), TH)
    assert [(event_key(e), e.severity) for e in new_events([], ev)] == [
        ("disengagement:unanswered:7", "watch")]
    assert new_events(["disengagement:unanswered:7"], evaluate(h, day(7), TH)) == []
