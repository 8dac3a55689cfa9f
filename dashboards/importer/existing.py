"""What the database already holds about a file's clinic, read into plain data for `plan`.

Read-only: a few queries for the whole clinic, none per row.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select

from dashboards.setup.operations import SetupError, find_therapist
from feedback.extensions import db
from feedback.models import Clinic, Invitation, OutcomeResponse, Patient, Response, TherapySession, User
from feedback.phrases import Phrase, phrase
from feedback.translatable import N_


@dataclass(frozen=True)
class KnownTherapist:
    id: int
    #: Why this account cannot take the file's patients (the set-up operations' rule); None if it can.
    problem: Phrase | None = None


@dataclass(frozen=True)
class KnownPatient:
    id: int
    therapist_email: str


@dataclass(frozen=True)
class KnownSession:
    id: int
    date: date  # in the clinic's time zone
    attendance: str
    therapist_email: str


@dataclass(frozen=True)
class KnownQuestionnaire:
    invitation_id: int
    instrument_id: str
    instrument_version: str
    #: None: not answered.
    answers: dict[str, Any] | None


@dataclass(frozen=True)
class KnownOutcome:
    instrument_version: str
    answers: dict[str, Any]


@dataclass
class Existing:
    clinic_id: int | None = None
    therapists: dict[str, KnownTherapist] = field(default_factory=dict)  # by e-mail
    patients: dict[str, KnownPatient] = field(default_factory=dict)  # by code
    sessions: dict[tuple[str, int], KnownSession] = field(default_factory=dict)  # by (code, number)
    #: by (code, session number, respondent)
    questionnaires: dict[tuple[str, int, str], KnownQuestionnaire] = field(default_factory=dict)
    #: Outcome measures' answers by (code, session number, instrument id).
    outcomes: dict[tuple[str, int, str], KnownOutcome] = field(default_factory=dict)


def load_existing(clinic: Clinic | None, therapist_emails: Iterable[str]) -> Existing:
    existing = Existing(clinic_id=clinic.id if clinic else None)
    for user in db.session.scalars(select(User).where(User.email.in_(set(therapist_emails)))):
        existing.therapists[user.email] = KnownTherapist(user.id, _why_not_therapist(user, clinic))
    if clinic is None:
        return existing

    for patient_id, code, email in db.session.execute(
        select(Patient.id, Patient.code, User.email)
        .join(User, User.id == Patient.therapist_id)
        .where(Patient.clinic_id == clinic.id)
    ):
        existing.patients[code] = KnownPatient(patient_id, email)

    zone = clinic.zone
    for session_id, code, number, starts_at, attendance, email in db.session.execute(
        select(
            TherapySession.id,
            Patient.code,
            TherapySession.number,
            TherapySession.starts_at,
            TherapySession.attendance,
            User.email,
        )
        .join(Patient, Patient.id == TherapySession.patient_id)
        .join(User, User.id == TherapySession.therapist_id)
        .where(Patient.clinic_id == clinic.id)
    ):
        day = starts_at.astimezone(zone).date()
        existing.sessions[(code, number)] = KnownSession(session_id, day, attendance, email)

    for invitation_id, code, number, respondent, instrument_id, version, answers in db.session.execute(
        select(
            Invitation.id,
            Patient.code,
            TherapySession.number,
            Invitation.respondent,
            Invitation.instrument_id,
            Invitation.instrument_version,
            Response.answers,
        )
        .join(TherapySession, TherapySession.id == Invitation.session_id)
        .join(Patient, Patient.id == TherapySession.patient_id)
        .outerjoin(Response, Response.invitation_id == Invitation.id)
        .where(Patient.clinic_id == clinic.id)
    ):
        existing.questionnaires[(code, number, respondent)] = KnownQuestionnaire(
            invitation_id, instrument_id, version, answers
        )

    for code, number, instrument_id, version, answers in db.session.execute(
        select(Patient.code, TherapySession.number, OutcomeResponse.instrument_id, OutcomeResponse.instrument_version,
               OutcomeResponse.answers)
        .join(Invitation, Invitation.id == OutcomeResponse.invitation_id)
        .join(TherapySession, TherapySession.id == Invitation.session_id)
        .join(Patient, Patient.id == TherapySession.patient_id)
        .where(Patient.clinic_id == clinic.id)
    ):
        existing.outcomes[(code, number, instrument_id)] = KnownOutcome(version, answers)
    return existing


def _why_not_therapist(user: User, clinic: Clinic | None) -> Phrase | None:
    if clinic is None:
        return phrase(N_("%(email)s already has an account in another clinic"), email=user.email)
    try:
        find_therapist(user.email, clinic)
    except SetupError:  # the user is of this clinic, so the rule refused their role
        return phrase(N_("%(email)s is an %(role)s account and cannot have patients"), email=user.email, role=user.role)
    return None
