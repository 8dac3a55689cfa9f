"""A treatment's outcome by the NHS Talking Therapies definitions, from its first and latest scores.

NHS Talking Therapies for anxiety and depression Manual (NHS England; the measures' appendix) and
the programme's annual reports (NHS England Digital) define, over "paired scores" (a first and a
last score of each measure):

- caseness: at or above the clinical cut-off on the depression measure (PHQ-9 ≥ 10) and/or the
  anxiety measure (GAD-7 ≥ 8);
- recovery: a case at the start, and not a case at the end on any measure;
- reliable improvement: a reliable decrease (PHQ-9 ≥ 6, GAD-7 ≥ 4 points) on at least one measure
  and no reliable increase on the other;
- reliable deterioration: a reliable increase on at least one and no reliable decrease on the other;
- reliable recovery: recovered and reliably improved.

The numbers are the instrument files' (`feedback.instruments.outcomes` reads them), never written
here, so a clinic's other licensed measure with caseness and reliable change counts the same way.
A measure without paired scores is left out; with none, nothing can be said (`paired` is False).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from dashboards.outcomes.series import Measure, Score
from feedback.instruments.outcomes import DETERIORATION, IMPROVEMENT, is_case, reliable_change


@dataclass(frozen=True)
class Change:
    """One measure from its first score to its latest."""

    measure: Measure
    first: Score
    last: Score
    direction: str | None  # IMPROVEMENT, DETERIORATION, or None: within measurement error
    case_at_start: bool | None  # None: the instrument defines no caseness
    case_at_end: bool | None

    @property
    def points(self) -> float:
        return self.last.total - self.first.total


@dataclass(frozen=True)
class Outcome:
    changes: tuple[Change, ...]  # the measures with paired scores

    @property
    def paired(self) -> bool:
        return bool(self.changes)

    @property
    def case_at_start(self) -> bool:
        return any(c.case_at_start for c in self.changes)

    @property
    def case_at_end(self) -> bool:
        return any(c.case_at_end for c in self.changes)

    @property
    def recovered(self) -> bool:
        return self.case_at_start and not self.case_at_end

    @property
    def reliably_improved(self) -> bool:
        return self._only(IMPROVEMENT)

    @property
    def reliably_deteriorated(self) -> bool:
        return self._only(DETERIORATION)

    @property
    def reliably_recovered(self) -> bool:
        return self.recovered and self.reliably_improved

    @property
    def last_session(self) -> int | None:
        return max((c.last.session_number for c in self.changes), default=None)

    def _only(self, direction: str) -> bool:
        found = {c.direction for c in self.changes}
        other = DETERIORATION if direction == IMPROVEMENT else IMPROVEMENT
        return direction in found and other not in found


def change(measure: Measure) -> Change | None:
    """First to latest score of one measure; None without paired scores."""
    first, last = measure.first, measure.latest
    if first is None or last is None or not measure.paired:
        return None
    rules = measure.rules
    return Change(measure, first, last, reliable_change(rules, first.total, last.total),
                  is_case(rules, first.total), is_case(rules, last.total))


def classify(measures: Iterable[Measure], through: int | None = None) -> Outcome:
    """The outcome of the treatment's measures (up to session `through`, when given)."""
    found = (change(m if through is None else m.through(through)) for m in measures)
    return Outcome(tuple(c for c in found if c is not None))
