"""Reading an outcome scale's total by the instrument's own rules (pure: no app needed).

The numbers live in the instrument file (`scales.<id>.outcome`, with their source), so a clinic
adds another licensed measure the same way; this module only applies them.
"""

from __future__ import annotations

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


def reliable_change(rules: OutcomeRules, before: float, after: float) -> str | None:
    """IMPROVEMENT or DETERIORATION when the change reaches the reliable-change size, else None."""
    if rules.reliable_change is None or abs(after - before) < rules.reliable_change:
        return None
    better = after < before if rules.higher_is == "worse" else after > before
    return IMPROVEMENT if better else DETERIORATION
