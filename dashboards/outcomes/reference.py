"""England's national outcome rates, shown beside a clinic's own as a reference line.

NHS Talking Therapies, for anxiety and depression, Annual report 2022-23 (NHS England Digital,
formerly "Psychological Therapies: Annual report on the use of IAPT services"): of the referrals
that finished a course of treatment in the year, about 67% reliably improved; of those that
started at caseness, about 50% moved to recovery and about 47% reliably recovered. Rounded to whole
per cent. They describe a national service whose patients, measures and "finished a course of
treatment" (at least two treatment sessions) differ from any one clinic's: a reference, never a
target or a benchmark to rank anyone by. No deterioration rate is given here: the report's headline
figures do not include one.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Reference:
    year: str  # the reporting year, as the report names it
    source: str
    rates: dict[str, float]  # outcome kind (RATE_KINDS in tally.py) -> share, 0..1


NHS_TALKING_THERAPIES = Reference(
    year="2022-23",
    source=("NHS Talking Therapies, for anxiety and depression, Annual report 2022-23 (NHS England Digital); "
            "England's national figures, for reference only"),
    rates={"reliable_improvement": 0.67, "recovery": 0.50, "reliable_recovery": 0.47},
)
