"""Scheduling decisions: the backoff between send attempts, doubling from 30 seconds to an hour with
a random draw below the ceiling, reproducible with a seed, and the number of attempts in all."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from feedback.delivery.schedule import MAX_ATTEMPTS, retry_delay

# -- retry backoff -----------------------------------------------------------------------------


class HighestDraw:
    """An rng whose uniform draw is always the upper bound: exposes the backoff ceiling."""

    def uniform(self, low: float, high: float) -> float:
        return high


@pytest.mark.parametrize(
    ("attempt", "ceiling"),
    [(1, 30), (2, 60), (3, 120), (6, 960), (7, 1920), (8, 3600), (50, 3600)],
)
def test_backoff_ceiling_doubles_from_30_seconds_up_to_an_hour(attempt, ceiling):
    assert retry_delay(attempt, HighestDraw()) == timedelta(seconds=ceiling)


def test_backoff_draws_are_spread_below_the_ceiling():
    rng = random.Random(1234)

    delays = [retry_delay(3, rng) for _ in range(500)]

    assert all(timedelta(0) <= d <= timedelta(seconds=120) for d in delays)
    assert min(delays) < timedelta(seconds=30) < timedelta(seconds=90) < max(delays)


def test_backoff_is_reproducible_with_a_seed():
    first = [retry_delay(n, random.Random(7)) for n in range(1, MAX_ATTEMPTS + 1)]
    again = [retry_delay(n, random.Random(7)) for n in range(1, MAX_ATTEMPTS + 1)]

    assert first == again


def test_attempts_count_from_one():
    with pytest.raises(ValueError):
        retry_delay(0, random.Random(1))


def test_six_attempts_in_all():
    assert MAX_ATTEMPTS == 6
