from dashboards.flags import evaluate, event_key, new_events

from .builders import UNANSWERED, day, find, from_scores, history, patient, session


def unresolved(number):
    return session(number, patient(rupture=True, rupture_tension=4, rupture_resolved=1))


def test_event_keys_are_stable_and_readable():
    h = history(*(session(n, patient()) for n in range(1, 4)), unresolved(4))
    [event] = find(evaluate(h, day(4)), "unresolved_rupture")
    assert event_key(event) == "unresolved_rupture:4"
    # A decline is keyed by the session that confirmed it, so its key never changes later.
    h = from_scores([4.2, 4.0, 4.1, 3.3, 3.2, 3.3])
    keys = {event_key(e) for as_of in (day(5), day(6)) for e in find(evaluate(h, as_of),
                                                                      "reliable_decline")}
    assert keys == {"reliable_decline:alliance:5"}


def test_first_evaluation_notifies_current_risk_events_only():
    h = history(unresolved(1), *[session(n, patient()) for n in range(2, 6)], unresolved(6))
    fresh = new_events([], evaluate(h, day(6)))
    # The rupture at session 1 is history, not news.
    assert [event_key(e) for e in fresh] == ["unresolved_rupture:6"]


def test_seen_keys_are_not_notified_again_but_new_ones_are():
    quiet = [session(n, patient()) for n in range(1, 4)]
    h = history(*quiet, unresolved(4))
    seen = [event_key(e) for e in new_events([], evaluate(h, day(4)))]
    assert new_events(seen, evaluate(h, day(4))) == []
    h = history(*h.sessions, session(5, UNANSWERED), session(6, UNANSWERED))
    fresh = new_events(seen, evaluate(h, day(6)))
    assert [event_key(e) for e in fresh] == ["disengagement:unanswered:6"]
    assert fresh[0].severity == "high"  # the rupture at 4 is still among the last three


def test_good_news_is_not_notified():
    h = history(session(1, patient()), session(2, patient(rupture=True, rupture_resolved=5)))
    ev = evaluate(h, day(2))
    assert [e.code for e in ev.events] == ["repaired_rupture"]
    assert new_events([], ev) == []
