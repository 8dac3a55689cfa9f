"""The clinic's own norms: the variance-components estimator against variances known by
construction (simulated here, with numbers chosen for the test, not taken from any engine)."""

import math
import random

import pytest

from dashboards.calibration.estimate import MIN_PATIENTS, MIN_SESSIONS, estimate_scale
from dashboards.flags.stats import variance_components


def simulated(patients: int, sessions: int, between: float, within: float, seed: int = 1) -> dict[int, list[float]]:
    rng = random.Random(seed)
    data = {}
    for p in range(patients):
        level = 4.0 + rng.gauss(0, between)
        data[p] = [level + rng.gauss(0, within) for _ in range(sessions)]
    return data


def test_variance_components_by_hand():
    # Two patients: (1, 3) and (5, 7). Within: each deviates ±1 from its mean, MSW = 4 / (4 − 2) = 2.
    # Between: means 2 and 6, grand 4, MSB = 2·4 + 2·4 = 16 over 1 df; n0 = (4 − 8/4) / 1 = 2;
    # between variance = (16 − 2) / 2 = 7.
    assert variance_components([[1.0, 3.0], [5.0, 7.0]]) == pytest.approx((7.0, 2.0))


def test_unequal_session_counts_use_the_effective_group_size():
    # (1, 3), (5, 7, 6): n0 = (5 − (4 + 9)/5) / 1 = 2.4.
    groups = [[1.0, 3.0], [5.0, 7.0, 6.0]]
    between, within = variance_components(groups)
    assert within == pytest.approx((2 + 2) / 3)
    grand = 22 / 5
    msb = 2 * (2 - grand) ** 2 + 3 * (6 - grand) ** 2
    assert between == pytest.approx((msb - within) / 2.4)


@pytest.mark.parametrize(("between", "within"), [(0.5, 0.3), (0.3, 0.5), (0.45, 0.35)])
def test_recovers_known_variances(between, within):
    estimate = estimate_scale("alliance", simulated(300, 12, between, within), bootstrap=200)
    assert estimate.between_sd.value == pytest.approx(between, rel=0.12)
    assert estimate.within_sd.value == pytest.approx(within, rel=0.05)
    assert estimate.reliability.value == pytest.approx(between**2 / (between**2 + within**2), abs=0.06)
    assert estimate.sd == pytest.approx(math.hypot(estimate.between_sd.value, estimate.within_sd.value))
    # The intervals hold the truth and are not degenerate.
    assert estimate.between_sd.low < between < estimate.between_sd.high
    assert estimate.within_sd.low < within < estimate.within_sd.high


def test_no_between_person_variance_is_estimated_as_zero_not_negative():
    estimate = estimate_scale("alliance", simulated(60, 8, 0.0, 0.4), bootstrap=50)
    assert estimate.between_sd.value < 0.1 and estimate.reliability.value < 0.1


def test_too_little_history_gives_no_estimate():
    assert estimate_scale("alliance", simulated(MIN_PATIENTS - 1, MIN_SESSIONS, 0.5, 0.3)) is None
    # Patients with fewer sessions do not count toward the minimum.
    short = simulated(MIN_PATIENTS + 10, MIN_SESSIONS - 1, 0.5, 0.3)
    assert estimate_scale("alliance", short) is None
    enough = simulated(MIN_PATIENTS, MIN_SESSIONS, 0.5, 0.3) | {1000 + k: v for k, v in short.items()}
    estimate = estimate_scale("alliance", enough, bootstrap=20)
    assert (estimate.patients, estimate.sessions) == (MIN_PATIENTS, MIN_PATIENTS * MIN_SESSIONS)


def test_deterministic_for_a_seed():
    data = simulated(50, 6, 0.5, 0.3)
    assert estimate_scale("alliance", data, bootstrap=30) == estimate_scale("alliance", data, bootstrap=30)
