"""Trade-off curves: one threshold moved, the same cohort, the columns that trade."""

import pytest

from dashboards.validity.tradeoff import curve, parse_vary, to_markdown


def test_parse_vary_types_values_like_the_threshold():
    assert parse_vary("cusum_h=3,3.5") == ("cusum_h", [3.0, 3.5])
    assert parse_vary("missed_min=2,3") == ("missed_min", [2, 3])
    for bad in ("nope=1", "cusum_h", "missed_min=2.5", "change_scales=a"):
        with pytest.raises(ValueError):
            parse_vary(bad)


def test_a_lower_alarm_level_catches_more_and_alarms_more():
    rows = curve("cusum_h", [2.0, 6.0], patients_per_group=40, seed=3, groups=("stable", "slow_decline"))
    (low_value, low), (high_value, high) = rows
    assert (low_value, high_value) == (2.0, 6.0)
    assert low[0].ever_high >= high[0].ever_high  # stable: more false alarms with a lower bar
    assert low[1].in_window >= high[1].in_window  # slow decline: caught sooner
    table = to_markdown("cusum_h", rows, 40, 3)
    assert "| cusum_h | stable: ever high |" in table and "slow_decline: in window" in table
