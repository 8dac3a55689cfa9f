"""A small clinic for the director's pages and the digest, next to a second clinic that must never show."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from dashboards import director
from dashboards.access.models import PatientShare
from dashboards.digest import cli as digest_cli
from dashboards.risk.store import recompute_patients
from feedback.extensions import db
from feedback.models import Clinic, Invitation, Patient, TherapySession, User, utcnow
from feedback.models.outbox import OutboxMessage
from tests.auth.conftest import as_user, sign_in_as  # noqa: F401  (fixtures)
from tests.dashboards.builders import CALM, UNANSWERED, UNRESOLVED, add_weekly, end_treatment

#: Typed by the patient in the high-risk treatment's last form: it must never leave the app by e-mail.
FREE_TEXT = "I felt dismissed when we talked about my mother"
UNRESOLVED_WITH_TEXT = {**UNRESOLVED, "comment": FREE_TEXT}


def wire(app: Flask) -> Flask:
    """Register the director's blueprint and the digest command unless the app already has them."""
    if "director" not in app.blueprints:
        app.register_blueprint(director.bp)
    if "digest" not in app.cli.commands:
        digest_cli.register(app)
    return app


@pytest.fixture(autouse=True)
def wired(app: Flask) -> Flask:
    return wire(app)


@dataclass
class Clinics:
    """Northside: Alex (A-HIGH unresolved rupture, A-CALM, A-DROP ended), Blake (B-WATCH, B-DONE ended),
    a director, a colleague A-HIGH is shared with; Southside: its own director, therapist and high-risk P-SOUTH."""

    north: Clinic
    south: Clinic
    alex: User
    blake: User
    director: User
    colleague: User
    south_director: User
    south_therapist: User
    patients: dict[str, Patient]


def build_clinics(make_clinic, make_user, make_patient, now: datetime) -> Clinics:
    north, south = make_clinic("Northside"), make_clinic("Southside")

    def user(role: str, clinic: Clinic, email: str, name: str) -> User:
        return make_user(role, clinic, email=email, display_name=name)

    # Blake first: lists must follow names, not ids.
    blake = user("therapist", north, "blake@north.example", "Blake Okafor")
    alex = user("therapist", north, "alex@north.example", "Alex Moreau")
    clinics = Clinics(
        north=north, south=south, alex=alex, blake=blake,
        director=user("director", north, "director@north.example", "Dr Reyes"),
        colleague=user("therapist", north, "colleague@north.example", "Casey Lund"),
        south_director=user("director", south, "director@south.example", "Dr South"),
        south_therapist=user("therapist", south, "therapist@south.example", "Sol Southern"),
        patients={},
    )
    treatments = {
        ("A-HIGH", alex): [CALM, UNRESOLVED_WITH_TEXT],
        ("A-CALM", alex): [CALM, CALM],
        ("A-DROP", alex): [CALM, UNRESOLVED],
        ("B-WATCH", blake): [CALM, UNANSWERED, UNANSWERED, UNANSWERED],
        ("B-DONE", blake): [CALM],
        ("P-SOUTH", clinics.south_therapist): [CALM, UNRESOLVED],
    }
    for (code, therapist), forms in treatments.items():
        patient = make_patient(therapist, code)
        # Weekly up to last week, so that B-WATCH's three unanswered forms have all expired.
        add_weekly(patient, [(form, None) for form in forms], first=now - timedelta(weeks=max(3, len(forms))), now=now)
        clinics.patients[code] = patient
    end_treatment(clinics.patients["A-DROP"], "dropped_out", (now - timedelta(days=40)).date())
    end_treatment(clinics.patients["B-DONE"], "completed", (now - timedelta(days=5)).date())
    db.session.add(PatientShare(patient=clinics.patients["A-HIGH"], user=clinics.colleague))
    db.session.commit()
    recompute_patients([p.id for p in clinics.patients.values()], now=now, full_history=True)
    return clinics


@pytest.fixture
def clinics(make_clinic, make_user, make_patient) -> Clinics:
    return build_clinics(make_clinic, make_user, make_patient, utcnow())


def add_failed_sms(patient: Patient, reason: str = "recipient opted out (replied STOP)") -> OutboxMessage:
    """A text message to `patient` that failed for good, on their latest session's invitation."""
    invitation_id = db.session.scalars(
        select(Invitation.id)
        .join(TherapySession, TherapySession.id == Invitation.session_id)
        .where(TherapySession.patient_id == patient.id, Invitation.respondent == "patient")
        .order_by(Invitation.id.desc())
    ).first()
    row = OutboxMessage(invitation_id=invitation_id, patient_id=patient.id, kind="invitation", due_at=utcnow(),
                        status="failed", last_error=reason, last_attempt_at=utcnow() - timedelta(hours=2))
    db.session.add(row)
    db.session.commit()
    return row


def speaks(user: User, language: str | None) -> User:
    """The clinician, with their own language set (None: the clinic's)."""
    user.language = language
    db.session.commit()
    return user
