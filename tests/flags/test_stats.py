import math

import pytest

from dashboards.flags import ls_slope, rci, s_diff, within_sd


def test_s_diff_for_the_alliance_norms():
    # √2 · 0.7 · √(1 − 0.85) = 1.41421 · 0.7 · 0.38730 = 0.38341
    assert s_diff(0.7, 0.85) == pytest.approx(0.38341, abs=1e-5)


def test_s_diff_for_the_subscale_norms():
    # √2 · 0.8 · √(1 − 0.75) = 1.41421 · 0.8 · 0.5 = 0.56569
    assert s_diff(0.8, 0.75) == pytest.approx(0.56569, abs=1e-5)


def test_rci_of_a_bond_fall_from_4_3_to_3_1():
    # (3.1 − 4.3) / 0.56569 = −1.2 / 0.56569 = −2.1213: beyond −1.96, a reliable fall
    assert rci(4.3, 3.1, 0.8, 0.75) == pytest.approx(-2.1213, abs=1e-4)


def test_rci_is_positive_for_a_rise_and_zero_without_change():
    # (4.5 − 4.0) / 0.38341 = 1.3041
    assert rci(4.0, 4.5, 0.7, 0.85) == pytest.approx(1.3041, abs=1e-4)
    assert rci(4.0, 4.0, 0.7, 0.85) == 0


@pytest.mark.parametrize(("sd", "r"), [(0, 0.8), (-1, 0.8), (0.7, 1.0), (0.7, -0.1)])
def test_s_diff_refuses_norms_that_would_make_every_change_reliable(sd, r):
    with pytest.raises(ValueError):
        s_diff(sd, r)


def test_slope_of_four_sessions():
    # x = 0..3, x̄ = 1.5; ȳ = (4.0 + 3.8 + 3.7 + 3.3) / 4 = 3.7
    # Σ(x − x̄)(y − ȳ) = (−1.5)(0.3) + (−0.5)(0.1) + (0.5)(0) + (1.5)(−0.4) = −1.1
    # Σ(x − x̄)² = 2.25 + 0.25 + 0.25 + 2.25 = 5          slope = −1.1 / 5 = −0.22
    assert ls_slope([4.0, 3.8, 3.7, 3.3]) == pytest.approx(-0.22)


def test_slope_of_a_straight_line_and_of_a_flat_one():
    assert ls_slope([1.0, 1.5, 2.0]) == pytest.approx(0.5)
    assert ls_slope([4.0, 4.0, 4.0, 4.0]) == 0


def test_slope_ignores_the_level():
    # Shifting every score by the same amount leaves the slope alone.
    assert math.isclose(ls_slope([4.1, 3.9, 3.7, 3.6]), ls_slope([3.1, 2.9, 2.7, 2.6]))


def test_slope_needs_two_points():
    with pytest.raises(ValueError):
        ls_slope([4.0])


def test_within_person_sd_is_the_share_of_variance_not_between_people():
    # Session scores with SD 0.6 and session-to-session r = .64: within-person variance
    # 0.36 · (1 − .64) = 0.1296, so σ_w = 0.36.
    assert within_sd(0.6, 0.64) == pytest.approx(0.36)
    assert within_sd(0.7, 0.0) == pytest.approx(0.7)
    with pytest.raises(ValueError):
        within_sd(0.6, 1.0)
