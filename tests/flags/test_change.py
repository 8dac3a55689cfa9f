"""The alliance chart (change.py), worked by hand. Alliance norms (DEFAULT_NORMS): SD 0.6,
session-to-session r .64, so σ_w = SD·√(1 − r) = 0.6·√0.36 = 0.36. Against a baseline of n
sessions a session's unit is σ_w·√(1 + 1/n): n = 4 → 0.36·√1.25 = 0.402492, n = 5 → 0.394360,
n = 6 → 0.388844; with n = 4 every 0.1 point below the baseline is z = −0.248452.
Lower CUSUM S = max(0, S − z − k). The rules are tested with these values (TH), passed
explicitly, so retuning the defaults (test_thresholds.py) does not change the arithmetic here:
baseline 4 sessions, k = 0.75, alarm h = 3.5 on evidence from ≥ 2 sessions, trend note at 1.75,
drop at z ≤ −3, recovery after 2 sessions in a row with z ≥ −0.75.

DECLINE: baseline (4.2 + 4.0 + 4.2 + 4.0) / 4 = 4.1, then
  s5 3.4: z = −0.7 / 0.402492 = −1.739164, S = 1.739164 − 0.75 = 0.989164
  s6 3.3: z = −1.987616, S = 0.989164 + 1.987616 − 0.75 = 2.226780 (≥ 1.75: trend note)
  s7 3.2: z = −2.236068, S = 2.226780 + 1.486068 = 3.712848 (≥ 3.5: reliable_decline)
"""

import dataclasses

import pytest

from dashboards.demo.cohort import DEFAULT_NORMS
from dashboards.flags import Thresholds, evaluate, event_key
from dashboards.flags.change import chart
from dashboards.flags.stats import within_sd
from dashboards.flags.timeline import Point

from .builders import codes, day, find, from_rows, from_scores, last_day

TH = Thresholds(baseline_sessions=4, cusum_k=0.75, cusum_h=3.5, confirm_sessions=2,
                recovery_sessions=2, drop_z=3.0, trend_h=1.75)
SIGMA = 0.36
DECLINE = [4.2, 4.0, 4.2, 4.0, 3.4, 3.3, 3.2]


def run(scores, as_of=None, th=TH):
    h = from_scores(scores)
    return evaluate(h, day(as_of) if as_of else last_day(h), th)


def points(scores):
    return [Point(i + 1, s) for i, s in enumerate(scores) if s is not None]


def test_sigma_w_comes_from_the_alliance_norms():
    norm = DEFAULT_NORMS["alliance"]
    assert (norm.sd, norm.reliability) == (0.6, 0.64)
    assert round(within_sd(norm.sd, norm.reliability), 9) == SIGMA
    # and it is what the events report and use
    [event] = find(run(DECLINE), "reliable_decline")
    assert event.numbers["within_sd"] == SIGMA


def test_the_chart_by_hand():
    c = chart(points(DECLINE), SIGMA, TH)
    assert [(x.point.number, x.baseline, x.baseline_n, round(x.unit, 6), round(x.z, 6),
             round(x.cusum, 6), x.declining) for x in c.charted] == [
        (5, pytest.approx(4.1), 4, 0.402492, -1.739164, 0.989164, False),
        (6, pytest.approx(4.1), 4, 0.402492, -1.987616, 2.22678, False),
        (7, pytest.approx(4.1), 4, 0.402492, -2.236068, 3.712848, True)]
    # Sessions 5–7 are out of control (S > 0): the baseline is still the first four.
    assert c.baseline == tuple(points(DECLINE)[:4])


def test_the_baseline_grows_only_while_in_control():
    # s5 4.4: z = +0.745, S = 0, joins → baseline (16.4 + 4.4) / 5 = 4.16
    # s6 3.9: z = (3.9 − 4.16) / 0.394360 = −0.659, S = max(0, 0.659 − 0.75) = 0, joins → 24.7 / 6
    # s7 3.4: z = (3.4 − 4.116667) / 0.388844 = −1.843, S = 1.093: out of control, left out
    # s8 4.1: z = −0.043, S = 1.093 + 0.043 − 0.75 = 0.386 > 0: still left out
    # s9 4.0: z = −0.300, S = max(0, 0.386 + 0.300 − 0.75) = 0: joins
    c = chart(points([4.2, 4.0, 4.2, 4.0, 4.4, 3.9, 3.4, 4.1, 4.0]), SIGMA, TH)
    assert [(x.baseline_n, round(x.baseline, 6), round(x.cusum, 3)) for x in c.charted] == [
        (4, 4.1, 0), (5, 4.16, 0), (6, 4.116667, 1.093), (6, 4.116667, 0.386), (6, 4.116667, 0)]
    assert [p.number for p in c.baseline] == [1, 2, 3, 4, 5, 6, 9]


def test_reliable_decline_at_the_alarm_session():
    ev = run(DECLINE)
    [event] = find(ev, "reliable_decline")
    assert (event.subject, event.session_number, event.severity, event.current) == (
        "alliance", 7, "high", True)
    assert dict(event.numbers) == {
        "baseline": 4.1, "baseline_sessions": 4, "score": 3.2, "mean": 3.3, "sessions": "5, 6, 7",
        "cusum": 3.713, "threshold": 3.5, "k": 0.75, "within_sd": 0.36,
        "part": "task", "part_before": 4.1, "part_after": 3.3}
    assert ev.risk == "high"
    # The trend note at 6 ended when the alarm took over: history, not current.
    [trend] = find(ev, "downward_trend")
    assert (trend.session_number, trend.current) == (6, False)


def test_the_session_before_the_alarm_is_only_a_trend_note():
    ev = run(DECLINE, as_of=6)
    assert [(e.code, e.severity, e.session_number, e.current) for e in ev.events] == [
        ("downward_trend", "note", 6, True)]
    assert ev.risk == "none"
    assert dict(ev.events[0].numbers) == {
        "baseline": 4.1, "score": 3.3, "cusum": 2.227, "threshold": 1.75, "alarm": 3.5}


def test_the_reason_names_the_build_up_and_the_part_that_fell_most():
    # (alliance, bond, task, goal). Before session 5: bond 4.5, task (4.0 + 3.5) / 2 = 3.75,
    # goal 4.05; sessions 5–7: bond (3.0 + 2.5 + 2.5) / 3 = 2.667, task 3.5, goal 3.733.
    # Falls: bond 1.833, task 0.25, goal 0.317 → the bond.
    h = from_rows((4.2, 4.5, 4.0, 4.1), (4.0, 4.5, 3.5, 4.0), (4.2, 4.5, 4.0, 4.1),
                  (4.0, 4.5, 3.5, 4.0), (3.4, 3.0, 3.5, 3.7), (3.3, 2.5, 3.5, 3.9),
                  (3.2, 2.5, 3.5, 3.6))
    [event] = find(evaluate(h, last_day(h), TH), "reliable_decline")
    assert (event.numbers["part"], event.numbers["part_before"], event.numbers["part_after"]) == (
        "bond", 4.5, 2.667)
    assert event.reason == (
        "The overall alliance has been below the patient's usual 4.1 (mean of four earlier "
        "sessions) at sessions 5, 6 and 7 (mean 3.3), more than ordinary week-to-week variation "
        "explains (cumulative evidence 3.71; alert at 3.5); the fall is largest in the bond "
        "(4.5 → 2.7).")


def test_the_key_stays_and_one_better_session_is_not_a_recovery():
    # s8 3.3: z −1.988, S 4.950; s9 3.9: z −0.497 ≥ −0.75, one back, S 4.697;
    # s10 3.3: z −1.988, the count starts again, S 5.935: the same decline, still current.
    scores = [*DECLINE, 3.3, 3.9, 3.3]
    for as_of in (7, 8, 9, 10):
        [event] = find(run(scores, as_of), "reliable_decline")
        assert (event_key(event), event.current) == ("reliable_decline:alliance:7", True)
        assert "recovered_session" not in event.numbers
    assert find(run(scores), "reliable_decline")[0].reason.endswith("; it is 3.3 at session 10.")
    assert run(scores).risk == "high"


def test_two_sessions_back_within_k_are_a_recovery():
    # s8 3.8: z = −0.3 / 0.402492 = −0.745 ≥ −0.75, one back (S 3.708, still declining);
    # s9 4.0: z = −0.248, two back: recovered, S reset to 0 and s9 joins the baseline,
    # s10 is judged on (16.4 + 4.0) / 5 = 4.08.
    scores = [*DECLINE, 3.8, 4.0, 4.1]
    assert find(run(scores, 8), "reliable_decline")[0].current
    ev = run(scores, 9)
    [event] = find(ev, "reliable_decline")
    assert (event.session_number, event.current, event.numbers["recovered_session"]) == (7, False, 9)
    assert event.reason.endswith(", then was back near the usual level by session 9.")
    assert ev.risk == "none"
    last = chart(points(scores), SIGMA, TH).charted[-1]
    assert (last.baseline, last.baseline_n, last.cusum) == (pytest.approx(4.08), 5, 0)


def test_a_session_more_than_k_below_does_not_count_toward_recovery():
    # 3.7: z = −0.4 / 0.402492 = −0.994 < −0.75; so 3.7, 4.0 is only one session back.
    [event] = find(run([*DECLINE, 3.7, 4.0]), "reliable_decline")
    assert event.current and "recovered_session" not in event.numbers
    [event] = find(run([*DECLINE, 3.7, 4.0, 4.1]), "reliable_decline")
    assert event.numbers["recovered_session"] == 10


SINGLE = [4.4, 4.2, 4.4, 4.2, 3.0, 4.3, 4.3, 4.3]


def test_a_single_low_session_is_a_sudden_drop_not_a_decline():
    # baseline 4.3; s5 3.0: z = −1.3 / 0.402492 = −3.229876 ≤ −3, S = 2.479876 (trend note);
    # s6 4.3: z 0, S = 1.729876 < 1.75; s7 0.979876; s8 0.229876: never an alarm.
    ev = run(SINGLE, 5)
    assert [(e.code, e.severity, e.current) for e in ev.events] == [
        ("downward_trend", "note", True), ("sudden_drop", "watch", True)]
    [drop] = find(ev, "sudden_drop")
    assert (drop.subject, drop.session_number) == ("alliance", 5)
    assert dict(drop.numbers) == {"baseline": 4.3, "baseline_sessions": 4, "score": 3.0,
                                  "z": -3.23, "threshold": 3.0, "within_sd": 0.36}
    assert drop.reason == (
        "The overall alliance fell to 3.0 at session 5, 3.23 within-person SDs below the "
        "patient's usual 4.3 (alert at 3): one session, which may recover or be the start of a fall.")
    assert ev.risk == "watch"
    for as_of in (6, 7, 8):
        assert "reliable_decline" not in codes(run(SINGLE, as_of))
    # Current only while session 5 is among the last three sessions.
    assert find(run(SINGLE, 7), "sudden_drop")[0].current
    ev = run(SINGLE, 8)
    assert not find(ev, "sudden_drop")[0].current and ev.risk == "none"


def test_just_short_of_drop_z_is_no_sudden_drop():
    # 3.1 against 4.3: z = −1.2 / 0.402492 = −2.981 > −3; S = 2.231, a trend note only.
    ev = run([4.4, 4.2, 4.4, 4.2, 3.1])
    assert [(e.code, e.severity) for e in ev.events] == [("downward_trend", "note")]


def test_no_sudden_drop_inside_a_decline():
    # s8 2.9: z = −1.2 / 0.402492 = −2.981; s9 2.8: z = −1.3 / 0.402492 = −3.230 ≤ −3, but the
    # decline already says it (low_alliance reports the score below 3.0).
    ev = run([*DECLINE, 2.9, 2.8])
    assert find(ev, "sudden_drop") == []
    assert [e.session_number for e in find(ev, "reliable_decline")] == [7]


def test_a_downward_trend_is_a_note_while_below_the_alarm():
    # s5, s6 3.5: z = −1.490712 each, S 0.740712, 1.481424; s7 3.6: z −1.242260, S 1.973684
    # (≥ 1.75: note); s8 4.1: S 1.223684 < 1.75, the note is no longer current.
    scores = [4.2, 4.0, 4.2, 4.0, 3.5, 3.5, 3.6, 4.1]
    ev = run(scores, 7)
    [trend] = find(ev, "downward_trend")
    assert (trend.subject, trend.session_number, trend.severity, trend.current) == (
        "alliance", 7, "note", True)
    assert trend.numbers["cusum"] == 1.974 and ev.risk == "none"
    [trend] = find(run(scores), "downward_trend")
    assert (trend.session_number, trend.current) == (7, False)


def test_noise_level_wobble_gives_nothing():
    # Every session within k of its baseline: S stays 0 and each one joins the baseline
    # (largest fall s5 3.8: z = −0.3 / 0.402492 = −0.745 ≥ −0.75).
    scores = [4.2, 4.0, 4.2, 4.0, 3.8, 4.2, 3.9, 4.1, 3.8, 4.0, 4.2, 3.9]
    assert run(scores).events == ()
    assert [x.cusum for x in chart(points(scores), SIGMA, TH).charted] == [0.0] * 8


def test_unscored_sessions_are_skipped():
    # The same scores with unscored sessions 2 and 5: the baseline is sessions 1, 3, 4, 6,
    # and the alarm comes at the third low scored session, 9.
    ev = run([4.2, None, 4.0, 4.2, None, 4.0, 3.4, 3.3, 3.2])
    [event] = find(ev, "reliable_decline")
    assert (event.session_number, event.numbers["sessions"], event.numbers["baseline"],
            event.numbers["cusum"]) == (9, "7, 8, 9", 4.1, 3.713)


def test_nothing_before_baseline_sessions_scored_sessions():
    # Session 5 is only the fourth scored session, so it is part of the baseline, however low.
    ev = run([4.2, None, 4.0, 4.2, 2.0])
    assert codes(ev) == {"low_alliance"}
    assert chart(points([4.2, 4.0, 4.2]), SIGMA, TH).charted == []


def test_a_lower_alarm_level_alarms_earlier():
    # h = 2 (trend note at 1): S at session 6 = 2.227 ≥ 2, from sessions 5 and 6.
    [event] = find(run(DECLINE, th=dataclasses.replace(TH, cusum_h=2.0, trend_h=1.0)),
                   "reliable_decline")
    assert (event.session_number, event.numbers["sessions"], event.numbers["threshold"]) == (
        6, "5, 6", 2.0)


def test_a_higher_alarm_level_alarms_later():
    # h = 5: S 3.713 at 7, 3.713 + 1.238 = 4.950 at 8 (3.3), 4.950 + 1.486 = 6.437 at 9 (3.2).
    high = dataclasses.replace(TH, cusum_h=5.0)
    assert "reliable_decline" not in codes(run([*DECLINE, 3.3], th=high))
    [event] = find(run([*DECLINE, 3.3, 3.2], th=high), "reliable_decline")
    assert (event.session_number, event.numbers["cusum"]) == (9, 6.437)


def test_a_larger_baseline_moves_the_chart():
    # baseline_sessions = 5: sessions 1–5, (16.4 + 3.4) / 5 = 3.96; s6 3.3: z = −0.66 / 0.394360
    # = −1.674, S 0.924; s7 3.2: z −1.927, S 2.101: a trend note, no alarm.
    ev = run(DECLINE, th=dataclasses.replace(TH, baseline_sessions=5))
    assert [(e.code, e.session_number, e.numbers["baseline"]) for e in ev.events] == [
        ("downward_trend", 7, 3.96)]


def test_one_very_low_session_that_comes_straight_back_is_no_decline():
    # s5 2.0: z = −2.1 / 0.402492 = −5.217, S = 4.467 (one session: no alarm yet, a drop);
    # s6 4.1: z = 0, S = 4.467 − 0.75 = 3.717 ≥ 3.5, but session 6 is back at the baseline and
    # adds no evidence of a fall: only sessions with z < −k confirm an alarm.
    ev = run([4.2, 4.0, 4.2, 4.0, 2.0, 4.1, 4.1])
    assert find(ev, "reliable_decline") == []


def test_after_a_recovery_one_very_low_session_is_a_drop_not_a_new_decline():
    # A decline that recovered, then one session far below (z ≤ −(h + k)): the evidence of the
    # old decline must not count toward confirming a new one.
    ev = run([4.5, 4.5, 4.5, 4.5, 3.6, 3.6, 3.6, 4.4, 4.4, 2.7])
    declines = find(ev, "reliable_decline")
    assert len(declines) == 1 and not declines[0].current
    assert [e.session_number for e in find(ev, "sudden_drop")] == [10]
