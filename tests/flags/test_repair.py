"""Rupture–repair episodes. Alliance norm SD 0.7: a dip of 1 SD is 0.7 points, 2 SD 1.4; the
return tolerance is 0.25 SD = 0.175 points."""

from dashboards.flags import Thresholds, evaluate

from .builders import codes, day, find, from_scores, last_day

V_SHAPE = [4.0, 4.2, 4.1, 4.3, 3.2, 4.1, 4.2, 4.2]


def test_hand_computed_v_shape():
    # At session 5 the running level is the mean of sessions 2–4: (4.2 + 4.1 + 4.3) / 3 = 4.2.
    # Dip: 4.2 − 3.2 = 1.0 = 1.43 SD (≥ 1 SD, < 2 SD).
    # Session 6: 4.1 ≥ 4.2 − 0.175 = 4.025, so it is back: one episode, dated at its return.
    ev = evaluate(from_scores(V_SHAPE), day(8))
    [episode] = find(ev, "rupture_repair_episode", "alliance")
    assert (episode.session_number, episode.severity) == (6, "positive")
    assert episode.numbers["dip_session"] == 5 and episode.numbers["running_level"] == 4.2
    assert episode.numbers["drop_sd"] == 1.429 and episode.numbers["large"] == 0
    assert episode.reason.startswith("Overall alliance dipped from its usual 4.2 to 3.2 at "
                                     "session 5 (1.43 SD) and was back at 4.1 by session 6")
    # The dip is reliably below the baseline (4.1): (3.2 − 4.1) / 0.38341 = −2.35, but at one
    # session only, so not a reliable decline; it is a sudden drop (4.3 → 3.2 = 1.1 ≥ 0.75148)
    # and ends a drift (slope of 4.2, 4.1, 4.3, 3.2 is −0.28). 3.2 is above the low cutoff of 3.0.
    assert {e.code for e in ev.events if e.session_number == 5} == {
        "sudden_drop", "downward_trend"}
    assert "reliable_decline" not in codes(ev)


def test_v_shape_levels_over_time():
    h = from_scores(V_SHAPE)
    # At the dip: worth a look (watch), not yet high, since one session is no lasting decline.
    assert evaluate(h, day(5)).risk == "watch"
    # Once back, the dip's own watch events still count while session 5 is among the last three.
    assert evaluate(h, day(6)).risk == "watch"
    # Three sessions later the patient is back at none, with the episode kept as good news.
    ev = evaluate(h, day(8))
    assert ev.risk == "none" and "rupture_repair_episode" in codes(ev)
    # Under the single-session rule the dip itself would have been rated high.
    assert evaluate(h, day(5), Thresholds(decline_confirm_sessions=1)).risk == "high"


def test_a_deep_dip_is_reported_as_over_two_sd():
    # 4.2 − 2.7 = 1.5 = 2.14 SD
    h = from_scores([4.0, 4.2, 4.1, 4.3, 2.7, 4.2])
    [episode] = find(evaluate(h, last_day(h)), "rupture_repair_episode", "alliance")
    assert episode.numbers["large"] == 1 and "(2.14 SD, over 2 SD)" in episode.reason


def test_return_may_take_two_sessions_but_not_three():
    # back at 4.1 on the second session after the dip: an episode
    h = from_scores([4.0, 4.2, 4.1, 4.3, 3.2, 3.6, 4.1])
    assert [e.session_number for e in find(evaluate(h, last_day(h)),
                                           "rupture_repair_episode")] == [7]
    # back only on the third: not an episode
    h = from_scores([4.0, 4.2, 4.1, 4.3, 3.2, 3.6, 3.7, 4.2])
    assert "rupture_repair_episode" not in codes(evaluate(h, last_day(h)))


def test_a_dip_smaller_than_one_sd_is_not_an_episode():
    # 4.2 − 3.6 = 0.6 < 0.7
    h = from_scores([4.0, 4.2, 4.1, 4.3, 3.6, 4.2])
    assert "rupture_repair_episode" not in codes(evaluate(h, last_day(h)))


def test_the_running_level_moves_with_the_patient():
    # Running level at session 7 is (3.0 + 3.1 + 3.0) / 3 ≈ 3.03: the early 4.5s no longer
    # count, and a fall to 2.2 (0.83 = 1.19 SD) with a return to 3.0 is an episode.
    h = from_scores([4.5, 4.5, 4.5, 3.0, 3.1, 3.0, 2.2, 3.0])
    [episode] = find(evaluate(h, last_day(h)), "rupture_repair_episode", "alliance")
    assert episode.numbers["dip_session"] == 7 and episode.numbers["running_level"] == 3.033
