"""Thresholds: the defaults, a clinic's overrides, and what is refused (__post_init__)."""

import dataclasses

import pytest

from dashboards.flags import DEFAULT_THRESHOLDS, Thresholds, evaluate

from .builders import day, find, from_scores, history, patient, session

DEFAULTS = {
    "baseline_sessions": 4, "recent_sessions": 3, "cusum_k": 0.75, "cusum_h": 3.5,
    "confirm_sessions": 2, "recovery_sessions": 2, "drop_z": 3.0, "trend_h": 1.75,
    "change_scales": ("alliance",), "rupture_tension_min": 3, "rupture_unresolved_max": 2,
    "rupture_repaired_min": 4, "alert_tension_min": 4, "indicator_min": 3, "marker_min": 4,
    "marker_confirm": 2, "marker_window": 3, "repeated_window": 3, "repeated_min": 2,
    "early_sessions": 3, "low_confirm": 2, "unanswered_run": 3, "missed_window": 4,
    "missed_min": 3, "gap_weeks": 4.0, "repair_tension_min": 2, "repair_dip_z": 1.0,
    "repair_return_z": 0.5, "repair_within": 2, "outcome_review_sessions": 8,
    "outcome_confirm": 2,
}
# Must be more than zero (counts, windows, alarm levels).
POSITIVE = ("baseline_sessions", "recent_sessions", "cusum_h", "confirm_sessions",
            "recovery_sessions", "drop_z", "trend_h", "marker_min", "marker_confirm",
            "marker_window", "repeated_window", "repeated_min", "low_confirm", "unanswered_run",
            "missed_window", "missed_min", "gap_weeks", "repair_tension_min", "repair_dip_z",
            "repair_within", "outcome_review_sessions", "outcome_confirm")


def test_defaults():
    assert dataclasses.asdict(DEFAULT_THRESHOLDS) == DEFAULTS
    assert Thresholds() == DEFAULT_THRESHOLDS
    assert Thresholds.from_mapping({}) == DEFAULT_THRESHOLDS


def test_an_override_keeps_every_other_default():
    relaxed = Thresholds.from_mapping({"gap_weeks": 6})
    assert relaxed.gap_weeks == 6
    assert dataclasses.asdict(relaxed) == DEFAULTS | {"gap_weeks": 6}


def test_an_override_changes_the_rule():
    # Five weeks after session 1 with no session since: a gap of more than four weeks.
    h = history(session(1, patient()))
    assert [e.subject for e in find(evaluate(h, day(6)), "disengagement")] == ["gap"]
    relaxed = Thresholds.from_mapping({"gap_weeks": 6})
    assert find(evaluate(h, day(6), relaxed), "disengagement") == []


def test_a_change_override_moves_the_alarm():
    # Baseline 4.1 (σ_w 0.36, unit 0.402492, k 0.75): S = 0.989 at 5 and 2.227 at 6 (3.4, 3.3),
    # 3.713 at 7 (3.2). With the default h 3.5 the alarm is at 7; with h 2 (and trend_h 1, which
    # must not exceed it) already at 6.
    h = from_scores([4.2, 4.0, 4.2, 4.0, 3.4, 3.3, 3.2])
    assert [e.session_number for e in find(evaluate(h, day(7)), "reliable_decline")] == [7]
    early = Thresholds.from_mapping({"cusum_h": 2.0, "trend_h": 1.0})
    assert [e.session_number for e in find(evaluate(h, day(7), early), "reliable_decline")] == [6]


def test_lists_from_a_settings_file_become_tuples():
    assert Thresholds.from_mapping({"change_scales": ["alliance"]}).change_scales == ("alliance",)


def test_unknown_names_are_refused_clearly():
    with pytest.raises(ValueError, match=r"unknown threshold\(s\): gap_week; known: .*gap_weeks"):
        Thresholds.from_mapping({"gap_week": 6})
    # An old name from before the redesign is refused, not silently ignored.
    with pytest.raises(ValueError, match=r"unknown threshold\(s\): decline_confirm_sessions, reliable_z;"):
        Thresholds.from_mapping({"reliable_z": 1.96, "decline_confirm_sessions": 2})


@pytest.mark.parametrize(("overrides", "message"), [
    ({"gap_weeks": "4"}, "threshold gap_weeks must be a float, got '4'"),
    ({"gap_weeks": True}, "threshold gap_weeks must be a float, got True"),
    ({"baseline_sessions": 2.5}, "threshold baseline_sessions must be a int, got 2.5"),
    ({"cusum_h": None}, "threshold cusum_h must be a float, got None"),
    ({"change_scales": "alliance"}, "threshold change_scales must be a tuple"),
    ({"change_scales": [1, 2]}, "threshold change_scales must be a tuple"),
])
def test_wrong_types_are_refused(overrides, message):
    with pytest.raises(ValueError) as refused:
        Thresholds.from_mapping(overrides)
    assert str(refused.value).startswith(message)


def test_an_int_is_accepted_where_a_float_is_expected():
    assert Thresholds(cusum_h=5).cusum_h == 5


@pytest.mark.parametrize("name", POSITIVE)
@pytest.mark.parametrize("value", [0, -1])
def test_counts_and_levels_must_be_positive(name, value):
    # trend_h must also stay at most cusum_h, so lower it along with cusum_h.
    extra = {"trend_h": value} if name == "cusum_h" else {}
    with pytest.raises(ValueError, match=f"^invalid threshold values: {name}"):
        Thresholds.from_mapping({name: value, **extra})


def test_k_may_be_zero_but_not_negative():
    assert Thresholds(cusum_k=0).cusum_k == 0
    with pytest.raises(ValueError, match="^invalid threshold values: cusum_k$"):
        Thresholds(cusum_k=-0.1)


@pytest.mark.parametrize(("overrides", "message"), [
    ({"trend_h": 4.0}, "trend_h (a trend note comes before the alarm: at most cusum_h)"),
    ({"cusum_h": 1.5}, "trend_h (a trend note comes before the alarm: at most cusum_h)"),
    ({"marker_confirm": 4}, "marker_confirm (at most marker_window)"),
    ({"repeated_min": 4}, "repeated_min (at most repeated_window)"),
    ({"missed_min": 5}, "missed_min (at most missed_window)"),
    ({"missed_window": 2}, "missed_min (at most missed_window)"),
])
def test_values_that_contradict_each_other_are_refused(overrides, message):
    with pytest.raises(ValueError) as refused:
        Thresholds.from_mapping(overrides)
    assert str(refused.value) == "invalid threshold values: " + message


def test_the_limits_themselves_are_allowed():
    th = Thresholds(trend_h=3.5, cusum_h=3.5, marker_confirm=3, marker_window=3,
                    repeated_min=3, repeated_window=3, missed_min=4, missed_window=4)
    assert (th.trend_h, th.marker_confirm, th.repeated_min, th.missed_min) == (3.5, 3, 3, 4)


def test_every_problem_is_named_at_once():
    with pytest.raises(ValueError) as refused:
        Thresholds.from_mapping({"baseline_sessions": 0, "cusum_k": -1, "repeated_min": 5})
    assert str(refused.value) == ("invalid threshold values: baseline_sessions, cusum_k, "
                                  "repeated_min (at most repeated_window)")


def test_thresholds_cannot_be_changed_after_creation():
    with pytest.raises(dataclasses.FrozenInstanceError):
        DEFAULT_THRESHOLDS.cusum_h = 10  # type: ignore[misc]


@pytest.mark.parametrize("overrides", [
    {"cusum_h": float("nan")},  # NaN passes every comparison and would switch the alarm off
    {"drop_z": float("inf")},
    {"marker_min": 6},  # the items are answered 1–5
    {"alert_tension_min": 0},
    {"rupture_unresolved_max": 4},  # would overlap "repaired" (4–5)
])
def test_thresholds_outside_what_the_items_and_the_arithmetic_allow_are_refused(overrides):
    with pytest.raises(ValueError):
        Thresholds.from_mapping(overrides)
