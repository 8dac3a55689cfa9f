"""Within-person noise and variance components, kept apart so they can be checked by hand.

The change rules compare a session with the patient's own baseline in units of within-person
(session-to-session) noise, the quantity behind the Reliable Change Index of Jacobson & Truax
(1991), applied to running means instead of one pair of sessions (docs/flags.md).
"""

import math
from collections.abc import Sequence

# Scores are fractions such as 23/6 and means of them; this keeps "at least" comparisons
# from failing on the last binary digit (4.1 − 3.4 = 0.6999999999999997).
EPS = 1e-9


def within_sd(sd: float, r: float) -> float:
    """Within-person (session-to-session) SD of a scale whose session scores have SD `sd` and
    session-to-session test–retest `r`: the random-intercept model splits the variance into a
    between-person share r and a within-person share 1 − r."""
    if sd <= 0 or not 0 <= r < 1:
        raise ValueError(f"need sd > 0 and 0 <= r < 1, got sd={sd}, r={r}")
    return sd * math.sqrt(1 - r)


def variance_components(groups: Sequence[Sequence[float]]) -> tuple[float, float]:
    """(between-person variance, within-person variance) of scores grouped by patient, by the
    one-way random-effects ANOVA estimator (unequal group sizes through the effective size n0)."""
    k = len(groups)
    sizes = [len(g) for g in groups]
    total = sum(sizes)
    if k < 2 or total <= k:
        raise ValueError("need at least two patients and more sessions than patients")
    means = [sum(g) / len(g) for g in groups]
    grand = sum(sum(g) for g in groups) / total
    within = sum((x - m) ** 2 for g, m in zip(groups, means, strict=True) for x in g) / (total - k)
    between_ms = sum(n * (m - grand) ** 2 for n, m in zip(sizes, means, strict=True)) / (k - 1)
    n0 = (total - sum(n * n for n in sizes) / total) / (k - 1)
    return max(0.0, (between_ms - within) / n0), within
