"""Alliance S_diff = √2·0.7·√0.15 = 0.38341, reliable-change amount 1.96 × 0.38341 = 0.75148;
bond S_diff = √2·0.8·√0.25 = 0.56569, amount 1.10874 (DEFAULT_NORMS). A reliable decline needs
two consecutive scored sessions reliably below the baseline (decline_confirm_sessions = 2)."""

from dashboards.flags import Thresholds, evaluate

from .builders import codes, day, find, from_scores, last_day

SINGLE_SESSION = Thresholds(decline_confirm_sessions=1)


def test_reliable_decline_needs_two_consecutive_sessions_below_the_baseline():
    # baseline (4.2 + 4.0 + 4.1) / 3 = 4.1; RCI at 5 = (3.3 − 4.1) / 0.38341 = −2.087,
    # at 6 = (3.2 − 4.1) / 0.38341 = −2.347
    h = from_scores([4.2, 4.0, 4.1, 4.0, 3.3, 3.2])
    # One reliably low session is not yet a decline; it shows as a drift (watch).
    at_5 = evaluate(h, day(5))
    assert "reliable_decline" not in codes(at_5) and at_5.risk == "watch"
    ev = evaluate(h, day(6))
    [event] = find(ev, "reliable_decline")
    assert (event.subject, event.session_number, event.severity) == ("alliance", 6, "high")
    assert event.numbers["baseline"] == 4.1 and event.numbers["rci"] == -2.347
    assert event.numbers["sessions"] == "5, 6" and event.numbers["first_rci"] == -2.087
    assert event.current and ev.risk == "high"
    # a fall of 0.7 from session 4 is short of the 0.75148 reliable-change amount
    assert "sudden_drop" not in codes(ev)


def test_reliable_decline_reason_reads_like_the_spec():
    # bond baseline (4.5 + 4.0 + 4.5) / 3 = 4.333; (3.0 − 4.333) / 0.56569 = −2.357,
    # (2.5 − 4.333) / 0.56569 = −3.241
    h = from_scores([4.2] * 5, bond=[4.5, 4.0, 4.5, 3.0, 2.5])
    [event] = find(evaluate(h, last_day(h)), "reliable_decline", "bond")
    assert event.reason == (
        "The bond score fell from 4.3 to 3.0 and 2.5 at sessions 4 and 5 (reliable change "
        "indices −2.36 and −3.24; threshold ±1.96) against the patient's first three sessions.")


def test_a_single_low_session_that_comes_back_is_not_a_decline():
    # RCI at 5 = (3.2 − 4.1) / 0.38341 = −2.347, reliable but alone: session 6 is back at 4.0.
    h = from_scores([4.2, 4.0, 4.1, 4.0, 3.2, 4.0])
    for as_of in (day(5), day(6)):
        ev = evaluate(h, as_of)
        assert "reliable_decline" not in codes(ev) and ev.risk == "watch"
    # What it is instead: a sudden drop (4.0 → 3.2 = 0.8 ≥ 0.75148) and a rupture–repair episode.
    assert {"sudden_drop", "rupture_repair_episode"} <= codes(evaluate(h, day(6)))


def test_a_clinic_may_choose_the_single_session_rule():
    h = from_scores([4.2, 4.0, 4.1, 4.0, 3.2, 4.0])
    assert evaluate(h, day(5), SINGLE_SESSION).risk == "high"
    [event] = find(evaluate(h, day(6), SINGLE_SESSION), "reliable_decline")
    assert event.session_number == 5 and not event.current
    assert event.reason == (
        "The overall alliance score fell from 4.1 to 3.2 at session 5 (reliable change index "
        "−2.35; threshold ±1.96) against the patient's first three sessions, then was no longer "
        "reliably below it at session 6.")


def test_the_number_of_confirming_sessions_is_configurable():
    h = from_scores([4.2, 4.0, 4.1, 3.3, 3.2, 3.3])
    three = Thresholds(decline_confirm_sessions=3)
    assert "reliable_decline" not in codes(evaluate(h, day(5), three))
    [event] = find(evaluate(h, day(6), three), "reliable_decline")
    assert event.session_number == 6 and "at sessions 4, 5 and 6" in event.reason


def test_a_decline_that_is_still_there_is_one_current_event():
    h = from_scores([4.2, 4.0, 4.1, 3.3, 3.2, 3.3, 3.2])
    [event] = find(evaluate(h, last_day(h)), "reliable_decline")
    assert event.session_number == 5 and event.current
    assert event.numbers["latest_session"] == 7
    assert "still at 3.2" in event.reason


def test_one_better_session_is_not_yet_a_recovery():
    # Session 6 (3.6, RCI −1.30) is not reliably below, but recovery is confirmed the same
    # way as the decline: two sessions in a row.
    h = from_scores([4.2, 4.0, 4.1, 3.3, 3.2, 3.6, 3.2])
    [event] = find(evaluate(h, day(6)), "reliable_decline")
    assert event.current and event.numbers["latest_rci"] == -1.304
    assert "the better 3.6 at session 6 (index −1.30) is not yet a lasting recovery" in event.reason
    # Session 7 is reliably low again: the same decline, still current, not a new one.
    [event] = find(evaluate(h, day(7)), "reliable_decline")
    assert (event.session_number, event.current) == (5, True)


def test_a_decline_that_recovered_is_history_not_current():
    h = from_scores([4.2, 4.0, 4.1, 3.3, 3.2, 4.0, 4.1])
    [event] = find(evaluate(h, last_day(h)), "reliable_decline")
    assert not event.current and event.numbers["recovered_session"] == 6
    assert event.reason.endswith("then was no longer reliably below it at sessions 6 and 7.")


def test_no_baseline_before_three_scored_sessions():
    # Only two scored sessions before the fall: no baseline, so no reliable decline or trend,
    # but a session-to-session drop (4.4 → 2.9 = 1.5 ≥ 0.75148) needs no baseline.
    h = from_scores([4.5, None, 4.4, 2.9])
    assert codes(evaluate(h, last_day(h))) >= {"sudden_drop"}
    assert not codes(evaluate(h, last_day(h))) & {"reliable_decline", "downward_trend"}


def test_the_baseline_uses_the_first_three_scored_sessions():
    # Unscored sessions 2 and 4 are skipped: baseline (4.5 + 4.4 + 4.3) / 3 = 4.4,
    # RCI at 6 = (3.2 − 4.4) / 0.38341 = −3.130, at 7 = (3.3 − 4.4) / 0.38341 = −2.869
    h = from_scores([4.5, None, 4.4, None, 4.3, 3.2, 3.3])
    [event] = find(evaluate(h, last_day(h)), "reliable_decline")
    assert event.numbers["baseline"] == 4.4 and event.numbers["first_rci"] == -3.13
    assert event.numbers["rci"] == -2.869 and event.session_number == 7


def test_downward_trend_without_reliable_change():
    # last four at 6: 4.2, 4.1, 3.9, 3.7 → ȳ = 3.975, Σ(x−x̄)(y−ȳ) = −0.85, slope −0.85 / 5 = −0.17;
    # RCI (3.7 − 4.2) / 0.38341 = −1.30, at least one S_diff below the baseline (trend_rci −1)
    # at 7: 4.1, 3.9, 3.7, 3.6 → slope −0.17 again; RCI (3.6 − 4.2) / 0.38341 = −1.56 (not reliable)
    # at 5: 4.2, 4.2, 4.1, 3.9 → slope −0.10, not steep enough
    h = from_scores([4.2, 4.2, 4.2, 4.1, 3.9, 3.7, 3.6])
    ev = evaluate(h, last_day(h))
    [event] = find(ev, "downward_trend")
    assert (event.subject, event.session_number, event.severity) == ("alliance", 6, "watch")
    assert event.numbers["slope"] == -0.17 and event.numbers["rci"] == -1.304 and event.current
    assert "(change index −1.30)" in event.reason
    assert "reliable_decline" not in codes(ev) and ev.risk == "watch"


def test_a_trend_that_turned_back_up_is_not_current():
    # at 8: 3.9, 3.7, 3.6, 4.3 → slope +0.11
    h = from_scores([4.2, 4.2, 4.2, 4.1, 3.9, 3.7, 3.6, 4.3])
    [event] = find(evaluate(h, last_day(h)), "downward_trend")
    assert event.session_number == 6 and not event.current


def test_a_fall_still_above_baseline_is_not_a_trend():
    # slope of 4.8, 4.6, 4.4, 4.2 is −0.2, but 4.2 is above the baseline of 4.0
    h = from_scores([4.0, 4.0, 4.0, 4.8, 4.6, 4.4, 4.2])
    assert "downward_trend" not in codes(evaluate(h, last_day(h)))


def test_a_drift_within_measurement_error_is_not_a_trend():
    # Bond 4.5, 4.5, 4.0, 4.0: one answer one step lower, slope −0.2, but only 0.5 below the
    # baseline of 4.5: RCI −0.5 / 0.56569 = −0.88, within one S_diff.
    h = from_scores([4.2] * 6, bond=[4.5, 4.5, 4.5, 4.5, 4.0, 4.0])
    assert "downward_trend" not in codes(evaluate(h, last_day(h)))
    # Down to 3.5 it is a drift: slope −0.35, RCI −1.0 / 0.56569 = −1.77.
    h = from_scores([4.2] * 6, bond=[4.5, 4.5, 4.5, 4.5, 4.0, 3.5])
    [event] = find(evaluate(h, last_day(h)), "downward_trend", "bond")
    assert event.numbers["slope"] == -0.35 and event.numbers["rci"] == -1.768


def test_sudden_drop_between_consecutive_scored_sessions():
    # 4.2 → 3.4 is 0.8 ≥ 0.75148; the unscored session 3 in between is skipped
    h = from_scores([4.0, 4.2, None, 3.4])
    [event] = find(evaluate(h, last_day(h)), "sudden_drop")
    assert (event.session_number, event.severity) == (4, "watch")
    assert event.numbers["previous_session"] == 2 and event.numbers["drop"] == 0.8
    assert "at least the reliable-change amount of 0.75 points" in event.reason


def test_no_sudden_drop_below_the_reliable_change_amount():
    h = from_scores([4.0, 4.1, 3.4])  # 0.7 < 0.75148
    assert "sudden_drop" not in codes(evaluate(h, last_day(h)))


def test_bond_is_watched_on_its_own_norms():
    # bond 4.5 → 3.0 = 1.5 ≥ 1.10874: a sudden bond drop; 4.5 → 3.5 = 1.0 (one step on each of
    # the two items) is within measurement error on a two-item scale
    h = from_scores([4.2] * 4, bond=[4.5, 4.5, 4.5, 3.0])
    assert [e.subject for e in find(evaluate(h, last_day(h)), "sudden_drop")] == ["bond"]
    h = from_scores([4.2] * 4, bond=[4.5, 4.5, 4.5, 3.5])
    assert find(evaluate(h, last_day(h)), "sudden_drop") == []
