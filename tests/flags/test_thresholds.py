import pytest

from dashboards.flags import DEFAULT_THRESHOLDS, Thresholds, evaluate

from .builders import day, find, history, patient, session


def test_defaults():
    assert Thresholds() == DEFAULT_THRESHOLDS
    assert DEFAULT_THRESHOLDS.reliable_z == 1.96
    assert DEFAULT_THRESHOLDS.decline_confirm_sessions == 2
    assert DEFAULT_THRESHOLDS.quiet_withdrawal_min == 4
    assert DEFAULT_THRESHOLDS.trend_rci == -1.0
    assert DEFAULT_THRESHOLDS.trend_slope == -0.15
    assert DEFAULT_THRESHOLDS.gap_weeks == 4
    assert Thresholds.from_mapping({}) == DEFAULT_THRESHOLDS


def test_an_override_changes_the_rule():
    h = history(session(1, patient()))
    five_weeks = day(6)  # five weeks after session 1
    assert find(evaluate(h, five_weeks), "disengagement")
    relaxed = Thresholds.from_mapping({"gap_weeks": 6})
    assert find(evaluate(h, five_weeks, relaxed), "disengagement") == []
    assert relaxed.reliable_z == 1.96  # everything else keeps its default


def test_lists_from_a_settings_file_become_tuples():
    assert Thresholds.from_mapping({"change_scales": ["alliance"]}).change_scales == ("alliance",)


def test_unknown_names_are_refused_clearly():
    with pytest.raises(ValueError, match="unknown threshold.*gap_week\\b.*known: .*gap_weeks"):
        Thresholds.from_mapping({"gap_week": 6})


@pytest.mark.parametrize("overrides", [
    {"gap_weeks": "4"}, {"gap_weeks": True}, {"baseline_sessions": 2.5},
    {"change_scales": "bond"}, {"change_scales": [1, 2]},
])
def test_wrong_types_are_refused(overrides):
    with pytest.raises(ValueError, match="must be a"):
        Thresholds.from_mapping(overrides)


@pytest.mark.parametrize("overrides", [
    {"reliable_z": 0}, {"trend_slope": 0.1}, {"trend_window": 1}, {"missed_window": 0},
    {"repair_tolerance_sd": -0.1}, {"decline_confirm_sessions": 0}, {"quiet_withdrawal_min": 0},
    {"trend_rci": 0.5},
])
def test_values_that_make_no_sense_are_refused(overrides):
    with pytest.raises(ValueError, match="invalid threshold"):
        Thresholds.from_mapping(overrides)
