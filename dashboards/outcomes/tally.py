"""Counting ended treatments by outcome, as the national statistics count them.

Denominators (NHS Talking Therapies annual reports): reliable improvement and reliable
deterioration are shares of the treatments with paired scores; recovery and reliable recovery
shares of those among them that started at caseness. A treatment without paired scores is
counted apart (`unpaired`), never as a failure or a success.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from dashboards.outcomes.classify import Outcome
from feedback.translatable import N_

#: The outcome kinds a director sees, in the order shown.
RATE_KINDS = ("reliable_improvement", "recovery", "reliable_recovery", "reliable_deterioration")
#: As the director's page names them (the national statistics' own terms).
KIND_NAMES = {"reliable_improvement": N_("Reliable improvement"), "recovery": N_("Recovery"),
              "reliable_recovery": N_("Reliable recovery"), "reliable_deterioration": N_("Reliable deterioration")}
#: Kinds counted among the treatments that started at caseness (the others: among all paired).
AMONG_CASES = frozenset({"recovery", "reliable_recovery"})


@dataclass(frozen=True)
class Ended:
    """One ended treatment as the tally needs it."""

    outcome: Outcome
    dropped_out: bool


@dataclass(frozen=True)
class Tally:
    ended: int
    unpaired: int  # ended without paired scores: not counted in any rate
    at_caseness: int  # paired and a case at the start
    counts: dict[str, int]  # kind -> how many had it
    # Dropout among those whose last scores showed reliable deterioration, and among the rest.
    deteriorated: tuple[int, int]  # (dropped out, of)
    not_deteriorated: tuple[int, int]

    @property
    def paired(self) -> int:
        return self.ended - self.unpaired

    def of(self, kind: str) -> tuple[int, int]:
        """(count, denominator) of one kind."""
        return self.counts[kind], self.at_caseness if kind in AMONG_CASES else self.paired


def has(outcome: Outcome, kind: str) -> bool:
    return {
        "reliable_improvement": outcome.reliably_improved,
        "recovery": outcome.recovered,
        "reliable_recovery": outcome.reliably_recovered,
        "reliable_deterioration": outcome.reliably_deteriorated,
    }[kind]


def tally(treatments: Iterable[Ended]) -> Tally:
    ended = list(treatments)
    paired = [t for t in ended if t.outcome.paired]
    worse = [t for t in paired if t.outcome.reliably_deteriorated]
    rest = [t for t in paired if not t.outcome.reliably_deteriorated]
    return Tally(
        ended=len(ended),
        unpaired=len(ended) - len(paired),
        at_caseness=sum(t.outcome.case_at_start for t in paired),
        counts={kind: sum(has(t.outcome, kind) for t in paired) for kind in RATE_KINDS},
        deteriorated=(sum(t.dropped_out for t in worse), len(worse)),
        not_deteriorated=(sum(t.dropped_out for t in rest), len(rest)),
    )
