"""The director's overview of one clinic, in a fixed number of queries whatever its size.

Per-therapist figures are for supervision and support (caseload, response rate, open high-risk
cases), listed by name: there is deliberately no alliance score per therapist and no ordering by
any score, so the page cannot be read as a league table.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, case, extract, func, or_, select

from dashboards.response_rates import WINDOW, current_counts, interval
from dashboards.risk.models import PatientRisk, RiskEvent
from feedback.extensions import db
from feedback.models import END_REASONS, Patient, User

RISK_LEVELS = ("high", "watch", "none")
#: Current events that mean a rupture is still open and may be worth taking to supervision.
SUPERVISION_CODES = ("unresolved_rupture", "repeated_ruptures")


@dataclass(frozen=True)
class Rate:
    """count of `total`, e.g. answered of due questionnaires, or dropouts of ended treatments."""

    count: int
    total: int

    @property
    def value(self) -> float | None:
        return self.count / self.total if self.total else None


@dataclass(frozen=True)
class HighRiskCase:
    patient_id: int
    code: str
    therapist: str
    main_reason: str  # in English
    main_reason_message: dict[str, Any] | None = None  # ... and as a phrase, said in the reader's language


@dataclass(frozen=True)
class SupervisionCase:
    """An active treatment with a current unresolved rupture."""

    patient_id: int
    code: str
    therapist: str
    sessions: tuple[int, ...]  # sessions of the current unresolved-rupture events
    reason: str  # the latest one's reason, in English
    reason_message: dict[str, Any] | None = None  # ... and as a phrase, said in the reader's language


@dataclass(frozen=True)
class EndedMonth:
    month: str  # "2024-03"
    by_reason: dict[str, int]  # every END_REASONS key, zero when none
    dropout: Rate  # dropped out of ended that month

    @property
    def ended(self) -> int:
        return sum(self.by_reason.values())


@dataclass(frozen=True)
class Calibration:
    """Among ended treatments: dropout of those ever rated high versus those never rated high.

    The engine stores whether a treatment was ever rated `high` (PatientRisk.ever_high), so
    "never flagged" here means never rated high; treatments never evaluated are counted apart.
    """

    ever_high: Rate
    never_high: Rate
    not_evaluated: int


@dataclass(frozen=True)
class TherapistFigures:
    """Supervision figures for one clinician; no alliance score, on purpose."""

    user_id: int
    name: str
    caseload: int  # active patients
    open_high: int  # active patients currently rated high
    response: Rate  # their patients' questionnaires answered of due, in the window


@dataclass(frozen=True)
class ClinicOverview:
    active_by_risk: dict[str, int]
    high_risk: list[HighRiskCase]
    response: Rate
    response_window_days: int
    #: The response rates are precomputed (dashboards/response_rates.py): when, and how often.
    response_as_of: datetime
    response_refresh_minutes: int
    ended_by_month: list[EndedMonth]
    supervision: list[SupervisionCase]
    calibration: Calibration
    therapists: list[TherapistFigures] = field(default_factory=list)  # by name, never by a score

    @property
    def active(self) -> int:
        return sum(self.active_by_risk.values())


def clinic_overview(clinic_id: int, now: datetime) -> ClinicOverview:
    """Everything the director's overview shows, in seven queries (two more when the response
    rates are computed in the request)."""
    names = _clinicians(clinic_id)
    caseloads = _active_by_therapist_and_level(clinic_id)
    counts, as_of = current_counts(clinic_id, now)
    responses = {uid: Rate(answered, due) for uid, (answered, due) in counts.items()}
    active_by_risk = dict.fromkeys(RISK_LEVELS, 0)
    for (_, level), n in caseloads.items():
        active_by_risk[level] = active_by_risk.get(level, 0) + n
    therapists = [
        TherapistFigures(
            user_id=uid,
            name=name,
            caseload=sum(n for (t, _), n in caseloads.items() if t == uid),
            open_high=caseloads.get((uid, "high"), 0),
            response=responses.get(uid, Rate(0, 0)),
        )
        for uid, name in sorted(names.items(), key=lambda item: (item[1].casefold(), item[0]))
    ]
    return ClinicOverview(
        active_by_risk=active_by_risk,
        high_risk=_high_risk(clinic_id, names),
        response=Rate(sum(r.count for r in responses.values()), sum(r.total for r in responses.values())),
        response_window_days=WINDOW.days,
        response_as_of=as_of,
        response_refresh_minutes=max(1, round(interval().total_seconds() / 60)),
        ended_by_month=_ended_by_month(clinic_id),
        supervision=_supervision(clinic_id, names),
        calibration=_calibration(clinic_id),
        therapists=therapists,
    )


def _in_clinic(clinic_id: int) -> ColumnElement[bool]:
    return Patient.clinic_id == clinic_id


def _clinicians(clinic_id: int) -> dict[int, str]:
    """Therapists of the clinic, and anyone else who treats one of its patients (e.g. a director)."""
    treating = select(Patient.therapist_id).where(_in_clinic(clinic_id))
    rows = db.session.execute(
        select(User.id, User.display_name, User.email).where(
            User.clinic_id == clinic_id, or_(User.role == "therapist", User.id.in_(treating))
        )
    ).all()
    return {uid: display or email for uid, display, email in rows}


def _active_by_therapist_and_level(clinic_id: int) -> dict[tuple[int, str], int]:
    level = func.coalesce(PatientRisk.level, "none")
    rows = db.session.execute(
        select(Patient.therapist_id, level, func.count())
        .outerjoin(PatientRisk, PatientRisk.patient_id == Patient.id)
        .where(_in_clinic(clinic_id), Patient.status == "active")
        .group_by(Patient.therapist_id, level)
    ).all()
    return {(therapist_id, lvl): n for therapist_id, lvl, n in rows}


def _high_risk(clinic_id: int, names: dict[int, str]) -> list[HighRiskCase]:
    rows = db.session.execute(
        select(Patient.id, Patient.code, Patient.therapist_id, PatientRisk.main_reason,
               PatientRisk.main_reason_message)
        .join(PatientRisk, PatientRisk.patient_id == Patient.id)
        .where(_in_clinic(clinic_id), Patient.status == "active", PatientRisk.level == "high")
        .order_by(Patient.code)
    ).all()
    return [HighRiskCase(pid, code, names.get(tid, ""), reason or "", message)
            for pid, code, tid, reason, message in rows]


def _ended_by_month(clinic_id: int) -> list[EndedMonth]:
    year, month = extract("year", Patient.ended_on), extract("month", Patient.ended_on)
    rows = db.session.execute(
        select(year, month, Patient.end_reason, func.count())
        .where(_in_clinic(clinic_id), Patient.status == "ended", Patient.ended_on.is_not(None))
        .group_by(year, month, Patient.end_reason)
    ).all()
    counts: dict[tuple[int, int], dict[str, int]] = defaultdict(lambda: dict.fromkeys(END_REASONS, 0))
    for y, m, reason, n in rows:
        counts[(int(y), int(m))][reason or "unknown"] = n
    if not counts:
        return []
    months = []
    for y, m in _month_range(min(counts), max(counts)):
        by_reason = counts.get((y, m)) or dict.fromkeys(END_REASONS, 0)
        dropout = Rate(by_reason.get("dropped_out", 0), sum(by_reason.values()))
        months.append(EndedMonth(f"{y:04d}-{m:02d}", by_reason, dropout))
    return months


def _month_range(first: tuple[int, int], last: tuple[int, int]) -> list[tuple[int, int]]:
    """Every month from first to last, so months without endings show as zero, not as gaps."""
    months, (y, m) = [], first
    while (y, m) <= last:
        months.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return months


def _supervision(clinic_id: int, names: dict[int, str]) -> list[SupervisionCase]:
    rows = db.session.execute(
        select(Patient.id, Patient.code, Patient.therapist_id, RiskEvent.session_number, RiskEvent.reason,
               RiskEvent.reason_message)
        .join(RiskEvent, RiskEvent.patient_id == Patient.id)
        .where(
            _in_clinic(clinic_id),
            Patient.status == "active",
            RiskEvent.current.is_(True),
            RiskEvent.code.in_(SUPERVISION_CODES),
        )
        .order_by(Patient.code, RiskEvent.session_number)
    ).all()
    by_patient: dict[int, list] = defaultdict(list)
    for row in rows:  # ordered by code, then session: the last row of a patient is the latest
        by_patient[row.id].append(row)
    return [
        SupervisionCase(pid, found[-1].code, names.get(found[-1].therapist_id, ""),
                        tuple(sorted({r.session_number for r in found if r.session_number is not None})),
                        found[-1].reason, found[-1].reason_message)
        for pid, found in by_patient.items()
    ]


def _calibration(clinic_id: int) -> Calibration:
    dropped = case((Patient.end_reason == "dropped_out", 1), else_=0)
    rows = db.session.execute(
        select(PatientRisk.ever_high, func.count(), func.sum(dropped))
        .select_from(Patient)
        .outerjoin(PatientRisk, PatientRisk.patient_id == Patient.id)
        .where(_in_clinic(clinic_id), Patient.status == "ended")
        .group_by(PatientRisk.ever_high)
    ).all()
    by_flag = {ever_high: Rate(dropouts or 0, n) for ever_high, n, dropouts in rows}
    return Calibration(
        ever_high=by_flag.get(True, Rate(0, 0)),
        never_high=by_flag.get(False, Rate(0, 0)),
        not_evaluated=by_flag[None].total if None in by_flag else 0,
    )

