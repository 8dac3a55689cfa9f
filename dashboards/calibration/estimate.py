"""A clinic's own norms from its own answers: how much patients differ from each other
(between-person SD) and how much one patient's sessions wobble (within-person SD).

The one-way random-effects ANOVA estimate of a random-intercept model (e.g. Searle, Casella &
McCulloch, Variance Components, 1992): within-person variance = the mean square within
patients; between-person variance = (mean square between − mean square within) / n₀, with n₀
the effective sessions per patient for unequal numbers. Confidence intervals come from a
cluster bootstrap over patients (resampling whole patients keeps each one's sessions together
and does not assume normal, unskewed answers). Plain Python, deterministic for a seed.

In the engine's terms: sd = √(between² + within²) and reliability (session-to-session
test–retest) = between² / (between² + within²), so the engine's σ_w = sd · √(1 − r) is exactly
the within-person SD estimated here.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from dashboards.flags.stats import variance_components

#: Enough history to estimate from (project choice, as the flags issue proposed): at least this
#: many patients with at least this many scored sessions each.
MIN_PATIENTS = 40
MIN_SESSIONS = 5
BOOTSTRAP = 400
SEED = 20261203


@dataclass(frozen=True)
class Interval:
    value: float
    low: float
    high: float


@dataclass(frozen=True)
class ScaleEstimate:
    scale: str
    patients: int
    sessions: int
    between_sd: Interval
    within_sd: Interval
    reliability: Interval  # between² / (between² + within²): the session-to-session test–retest

    @property
    def sd(self) -> float:
        """SD of session scores across patients and sessions, as the instrument's norms mean it."""
        return math.hypot(self.between_sd.value, self.within_sd.value)


def estimate_scale(scale: str, by_patient: Mapping[object, Sequence[float]], *, seed: int = SEED,
                   bootstrap: int = BOOTSTRAP) -> ScaleEstimate | None:
    """The estimate from the patients with at least MIN_SESSIONS scored sessions, or None when
    fewer than MIN_PATIENTS such patients exist."""
    groups = [list(scores) for scores in by_patient.values() if len(scores) >= MIN_SESSIONS]
    if len(groups) < MIN_PATIENTS:
        return None
    between, within = variance_components(groups)
    rng = random.Random(f"{seed}:{scale}")  # noqa: S311 - resampling, not security
    draws = []
    for _ in range(bootstrap):
        sample = [groups[rng.randrange(len(groups))] for _ in groups]
        b, w = variance_components(sample)
        draws.append((math.sqrt(b), math.sqrt(w), b / (b + w) if b + w else 0.0))
    return ScaleEstimate(
        scale=scale, patients=len(groups), sessions=sum(len(g) for g in groups),
        between_sd=_interval(math.sqrt(between), [d[0] for d in draws]),
        within_sd=_interval(math.sqrt(within), [d[1] for d in draws]),
        reliability=_interval(between / (between + within) if between + within else 0.0, [d[2] for d in draws]),
    )


def _interval(value: float, draws: list[float]) -> Interval:
    """The 2.5th and 97.5th percentiles of the bootstrap draws."""
    ordered = sorted(draws)
    last = len(ordered) - 1
    return Interval(value, ordered[round(0.025 * last)], ordered[round(0.975 * last)])
