"""The therapist's home page data: the caseload with risk and flags, and their own open forms.

Three queries for the caseload and one for the open forms, however many patients there are.
Which patients appear is not decided here: the caller passes the access policy's condition on
`Patient` (`dashboards.access.policy.patient_filter(user)`), so this list can never show more
than the policy allows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select

from dashboards.flags.briefs import Brief, brief
from dashboards.flags.events import ALERTS
from dashboards.risk.models import PatientRisk, RiskEvent
from feedback.extensions import db
from feedback.invitations import link_token
from feedback.models import Invitation, Patient, TherapySession

RISK_ORDER = {"high": 0, "watch": 1, "none": 2}
SEVERITY_ORDER = {"high": 0, "watch": 1, "positive": 2}
STATUSES = ("active", "ended")


@dataclass(frozen=True)
class Flag:
    """A current event, for a badge whose reason shows on tap or hover."""

    code: str
    severity: str  # "high" | "watch" | "positive" (notes are left out of the caseload)
    subject: str | None
    session_number: int | None
    reason: str  # in English
    brief: Brief  # the reason in one short line (dashboards/flags/briefs.py), a phrase to translate
    occurred_at: datetime  # the session's start, or when first seen if tied to no session
    is_new: bool  # first seen after the visitor's previous visit
    message: dict[str, Any] | None = None  # the reason as a phrase (feedback.phrases), when stored with one


@dataclass(frozen=True)
class CaseloadRow:
    patient_id: int
    code: str
    therapist_id: int
    status: str  # "active" | "ended"
    end_reason: str | None
    ended_on: date | None
    sessions_so_far: int  # attended sessions up to now
    last_session_at: datetime | None  # start of the latest attended session (UTC)
    last_answer_at: datetime | None  # the patient's latest questionnaire (UTC)
    answered: int  # patient questionnaires answered
    due: int  # patient questionnaires answered or expired unanswered (open ones are not due yet)
    risk: str  # "high" | "watch" | "none" (none also before the first evaluation)
    main_reason: str  # in English; said in the reader's language: wording.stored_main_reason
    main_reason_message: dict[str, Any] | None
    flags: tuple[Flag, ...]  # current events, most severe first, then latest

    @property
    def response_rate(self) -> float | None:
        return self.answered / self.due if self.due else None

    @property
    def is_new(self) -> bool:
        """Something flagged since the visitor's last visit."""
        return any(f.is_new for f in self.flags)

    @property
    def headline(self) -> Flag | None:
        """The flag that sets the risk level, most recent first: the one line of *why*."""
        return next((f for f in self.flags if f.severity == self.risk), None)

    @property
    def alerts(self) -> tuple[Flag, ...]:
        return tuple(f for f in self.flags if f.severity in ALERTS)

    @property
    def good_signs(self) -> tuple[Flag, ...]:
        return tuple(f for f in self.flags if f.severity == "positive")

    @property
    def latest_event_at(self) -> datetime | None:
        """When the latest reason for the row's level happened: among high-risk rows, the most
        recent high event counts, not a later watch-level one."""
        at_level = [f.occurred_at for f in self.flags if f.severity == self.risk]
        return max(at_level or [f.occurred_at for f in self.flags if f.severity in ALERTS], default=None)


@dataclass(frozen=True)
class PendingForm:
    """One of the therapist's own post-session forms still open."""

    invitation_id: int
    patient_code: str
    session_number: int
    session_at: datetime
    expires_at: datetime
    token: str  # the survey link's token: url_for("survey.form", token=token)


def caseload(
    visible: ColumnElement[bool],
    now: datetime,
    since_last_visit: datetime | None,
    *,
    risk_levels: Iterable[str] | None = None,
    status: str | None = None,
) -> list[CaseloadRow]:
    """The visible patients, highest risk first, then the most recent event, then code.

    `visible`: a condition on Patient (the access policy's, or e.g. `Patient.therapist_id == id`);
    `since_last_visit`: flags first seen after it are marked new (None: nothing is new);
    `risk_levels`: keep only these levels; `status`: "active" or "ended" (None: both).
    """
    # The ids first, as a list: given the access condition as a subquery ("own patients OR shared
    # with me"), PostgreSQL guessed half the clinic and aggregated every session and invitation.
    chosen = db.session.scalars(_chosen_ids(visible, risk_levels, status)).all()
    if not chosen:
        return []
    rows = db.session.execute(_patients_query(chosen, now)).all()
    flags = _flags(chosen, since_last_visit)
    result = [
        CaseloadRow(
            patient_id=r.id, code=r.code, therapist_id=r.therapist_id, status=r.status, end_reason=r.end_reason,
            ended_on=r.ended_on, sessions_so_far=r.sessions or 0, last_session_at=r.last_session_at,
            last_answer_at=r.last_answer_at, answered=r.answered or 0, due=r.due or 0, risk=r.risk,
            main_reason=r.main_reason or "", main_reason_message=r.main_reason_message,
            flags=tuple(flags.get(r.id, ())),
        )
        for r in rows
    ]
    result.sort(key=_order)
    return result


def pending_therapist_forms(therapist_id: int, now: datetime) -> list[PendingForm]:
    """The therapist's open post-session forms (not completed, not expired), oldest session first."""
    rows = db.session.execute(
        select(Invitation, Patient.code, TherapySession.number, TherapySession.starts_at)
        .join(TherapySession, TherapySession.id == Invitation.session_id)
        .join(Patient, Patient.id == TherapySession.patient_id)
        .where(
            Invitation.respondent == "therapist",
            TherapySession.therapist_id == therapist_id,
            Invitation.completed_at.is_(None),
            Invitation.expires_at > now,
        )
        .order_by(TherapySession.starts_at, Invitation.id)
    ).all()
    return [
        PendingForm(invitation.id, code, number, starts_at, invitation.expires_at, link_token(invitation))
        for invitation, code, number, starts_at in rows
    ]


def _chosen_ids(visible: ColumnElement[bool], risk_levels: Iterable[str] | None, status: str | None) -> Select:
    level = func.coalesce(PatientRisk.level, "none")
    query = select(Patient.id).outerjoin(PatientRisk, PatientRisk.patient_id == Patient.id).where(visible)
    if risk_levels is not None:
        query = query.where(level.in_(list(risk_levels)))
    if status is not None:
        if status not in STATUSES:
            raise ValueError(f"status must be one of {', '.join(STATUSES)}")
        query = query.where(Patient.status == status)
    return query


def _patients_query(chosen: Sequence[int], now: datetime) -> Select:
    sessions = (
        select(
            TherapySession.patient_id.label("patient_id"),
            func.count().label("sessions"),
            func.max(TherapySession.starts_at).label("last_session_at"),
        )
        .where(
            TherapySession.patient_id.in_(chosen),
            TherapySession.attendance == "attended",
            TherapySession.starts_at <= now,
        )
        .group_by(TherapySession.patient_id)
        .subquery()
    )
    forms = (
        select(
            TherapySession.patient_id.label("patient_id"),
            func.count(Invitation.completed_at).label("answered"),
            func.sum(case((or_(Invitation.completed_at.is_not(None), Invitation.expires_at <= now), 1), else_=0)).label(
                "due"
            ),
            func.max(Invitation.completed_at).label("last_answer_at"),
        )
        .join(TherapySession, TherapySession.id == Invitation.session_id)
        .where(TherapySession.patient_id.in_(chosen), Invitation.respondent == "patient")
        .group_by(TherapySession.patient_id)
        .subquery()
    )
    return (
        select(
            Patient.id,
            Patient.code,
            Patient.therapist_id,
            Patient.status,
            Patient.end_reason,
            Patient.ended_on,
            func.coalesce(PatientRisk.level, "none").label("risk"),
            PatientRisk.main_reason,
            PatientRisk.main_reason_message,
            sessions.c.sessions,
            sessions.c.last_session_at,
            forms.c.answered,
            forms.c.due,
            forms.c.last_answer_at,
        )
        .outerjoin(PatientRisk, PatientRisk.patient_id == Patient.id)
        .outerjoin(sessions, sessions.c.patient_id == Patient.id)
        .outerjoin(forms, forms.c.patient_id == Patient.id)
        .where(Patient.id.in_(chosen))
    )


def _flags(chosen: Sequence[int], since: datetime | None) -> dict[int, list[Flag]]:
    rows = db.session.execute(
        select(RiskEvent, TherapySession.starts_at)
        .outerjoin(
            TherapySession,
            and_(TherapySession.patient_id == RiskEvent.patient_id, TherapySession.number == RiskEvent.session_number),
        )
        # Notes stay on the patient's page; the caseload shows alerts and good news.
        .where(RiskEvent.patient_id.in_(chosen), RiskEvent.current.is_(True), RiskEvent.severity != "note")
    ).all()
    flags: dict[int, list[Flag]] = defaultdict(list)
    for event, starts_at in rows:
        flags[event.patient_id].append(
            Flag(
                code=event.code,
                severity=event.severity,
                subject=event.subject,
                session_number=event.session_number,
                reason=event.reason,
                brief=brief(event.code, event.subject, event.session_number, event.numbers or {}, event.reason),
                occurred_at=starts_at or event.first_seen_at,
                is_new=event.is_new_since(since),
                message=event.reason_message,
            )
        )
    for found in flags.values():
        found.sort(key=lambda f: (SEVERITY_ORDER.get(f.severity, 3), -f.occurred_at.timestamp(), f.code))
    return flags


def _order(row: CaseloadRow) -> tuple:
    latest = row.latest_event_at
    return (RISK_ORDER.get(row.risk, 3), latest is None, -(latest.timestamp() if latest else 0), row.code)
