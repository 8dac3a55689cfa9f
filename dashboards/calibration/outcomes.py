"""Flags against outcomes: among a clinic's ended treatments, how often those with each kind of
alert dropped out, and those never flagged, with 95% Wilson intervals (Wilson 1927), which stay
inside 0–100% and behave at the small counts a clinic has."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select

from dashboards.clinic_stats import Rate
from dashboards.flags.events import ALERTS
from dashboards.risk.models import PatientRisk, RiskEvent
from feedback.extensions import db
from feedback.models import Patient

Z95 = 1.959964  # two-sided 95% normal quantile


@dataclass(frozen=True)
class FlagOutcome:
    code: str | None  # None: never flagged
    dropout: Rate
    low: float  # 95% Wilson interval of the dropout rate, 0..1
    high: float

    @classmethod
    def of(cls, code: str | None, dropped: int, total: int) -> FlagOutcome:
        return cls(code, Rate(dropped, total), *wilson(dropped, total))


def wilson(count: int, total: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of count/total; (0, 1) when nothing was counted."""
    if total <= 0:
        return 0.0, 1.0
    p = count / total
    denominator = 1 + z * z / total
    centre = (p + z * z / (2 * total)) / denominator
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def dropout_by_flag(clinic_id: int) -> list[FlagOutcome]:
    """Per alert kind ever raised in an ended, evaluated treatment (most treatments first), then
    never flagged (no alert of any kind).

    The stored events of a treatment are those of its last evaluation, which looks back over the
    whole history, so an alert that is no longer current is still there."""
    # Only treatments the engine evaluated count (as on the overview): one never evaluated, with
    # no answered questionnaire, was neither flagged nor known to be calm.
    ended = dict(db.session.execute(
        select(Patient.id, Patient.end_reason)
        .join(PatientRisk, PatientRisk.patient_id == Patient.id)
        .where(Patient.clinic_id == clinic_id, Patient.status == "ended")
    ).all())
    kinds: dict[int, set[str]] = defaultdict(set)
    if ended:
        rows = db.session.execute(
            select(RiskEvent.patient_id, RiskEvent.code)
            .join(Patient, Patient.id == RiskEvent.patient_id)
            .where(Patient.clinic_id == clinic_id, Patient.status == "ended", RiskEvent.severity.in_(ALERTS))
        ).all()
        for patient_id, code in rows:
            kinds[patient_id].add(code)
    by_code: dict[str, list[int]] = defaultdict(list)
    for patient_id, codes in kinds.items():
        for code in codes:
            by_code[code].append(patient_id)
    dropped = {pid for pid, reason in ended.items() if reason == "dropped_out"}
    outcomes = [FlagOutcome.of(code, len(dropped.intersection(ids)), len(ids))
                for code, ids in sorted(by_code.items(), key=lambda item: (-len(item[1]), item[0]))]
    never = [pid for pid in ended if not kinds.get(pid)]
    outcomes.append(FlagOutcome.of(None, len(dropped.intersection(never)), len(never)))
    return outcomes
