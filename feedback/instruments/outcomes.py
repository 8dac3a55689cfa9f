"""Reading an outcome scale's total by the instrument's own rules (pure: no app needed).

The numbers live in the instrument file (`scales.<id>.outcome`, with their source), so a clinic
adds another licensed measure the same way; this module only applies them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from feedback.instruments.model import Band, OutcomeRules

IMPROVEMENT, DETERIORATION = "improvement", "deterioration"


def band(rules: OutcomeRules, total: float) -> Band:
    """The severity band the total falls in (the highest whose start it reaches)."""
    return next((b for b in reversed(rules.bands) if total >= b.start), rules.bands[0])


def is_case(rules: OutcomeRules, total: float) -> bool | None:
    """At or beyond the caseness threshold (None when the instrument defines none)."""
    if rules.caseness is None:
        return None
    return total >= rules.caseness if rules.higher_is == "worse" else total <= rules.caseness


def reliable_edges(rules: OutcomeRules, before: float) -> tuple[float, float] | None:
    """Where a later total becomes a reliable change from `before`: at or below the first edge, or at
    or above the second (`before` ∓ the reliable-change size); None when the instrument has no size.
    `reliable_change` and `within_error` both read it, so a range shown never disagrees with it."""
    size = rules.reliable_change
    return None if size is None else (before - size, before + size)


def reliable_change(rules: OutcomeRules, before: float, after: float) -> str | None:
    """IMPROVEMENT or DETERIORATION when the change reaches the reliable-change size, else None."""
    edges = reliable_edges(rules, before)
    if edges is None or edges[0] < after < edges[1]:
        return None
    better = after < before if rules.higher_is == "worse" else after > before
    return IMPROVEMENT if better else DETERIORATION


@dataclass(frozen=True)
class ErrorRange:
    """The later totals that are no reliable change from a first one, `low` to `high` inclusive, and
    the nearest that are: `below` and `above` (None where the scale ends before them)."""

    low: float
    high: float
    below: float | None
    above: float | None


def within_error(rules: OutcomeRules, before: float, lowest: float = 0.0,
                 highest: float | None = None) -> ErrorRange | None:
    """The whole-number totals strictly between `reliable_edges` (first ± (size − 1) for a whole size:
    10 to 20 for a PHQ-9 of 15), kept to the scale's `lowest` and `highest` totals. Outcome totals are
    whole numbers: sums of whole answers to every item (the instrument files' `min_answered`)."""
    edges = reliable_edges(rules, before)
    if edges is None:
        return None
    low, high = math.floor(edges[0]) + 1, math.ceil(edges[1]) - 1
    return ErrorRange(low=max(lowest, low), high=high if highest is None else min(highest, high),
                      below=low - 1 if low - 1 >= lowest else None,
                      above=high + 1 if highest is None or high + 1 <= highest else None)
