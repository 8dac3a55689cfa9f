"""The arithmetic behind the change rules, checked by hand."""
import pytest

from dashboards.flags import within_sd


def test_within_person_sd_is_the_share_of_variance_not_between_people():
    # Session scores with SD 0.6 and session-to-session r = .64: within-person variance
    # 0.36 · (1 − .64) = 0.1296, so σ_w = 0.36.
    assert within_sd(0.6, 0.64) == pytest.approx(0.36)
    assert within_sd(0.7, 0.0) == pytest.approx(0.7)
    with pytest.raises(ValueError):
        within_sd(0.6, 1.0)
