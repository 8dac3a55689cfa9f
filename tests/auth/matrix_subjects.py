"""What the authorization table's paths lead to, made on demand for each case (`tests/auth/matrix.py`)."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from sqlalchemy import select

from dashboards.auth import accounts
from dashboards.setup import operations as setup
from feedback.extensions import db
from feedback.links import link_validity, session_instruments
from feedback.models import Invitation, TherapySession, utcnow
from feedback.models.outbox import OutboxMessage
from feedback.sessions import record_session
from tests.auth.conftest import World
from tests.safety.builders import answer_phq9

PATIENT = "/patients/P-A1"


def password_link(w: World) -> str:
    """A set-password link for a newly invited colleague (whose address the holder may see)."""
    newcomer = setup.add_user("newcomer@invited.test", w.clinic_a, "therapist", None)
    return urlsplit(accounts.issue_password_link(newcomer, actor=None)).path


def session_path(w: World) -> str:
    """The path of the patient's first session (attended, so it has both forms), made if needed."""
    session = db.session.scalar(
        select(TherapySession).where(TherapySession.patient_id == w.patient.id).order_by(TherapySession.number)
    ) or record_session(w.patient, starts_at=utcnow() - timedelta(hours=2), attendance="attended",
                        instruments=session_instruments(), valid_for=link_validity()).session
    return f"{PATIENT}/sessions/{session.number}"


def failed_sms(w: World) -> str:
    """A failed SMS to the patient, for staff to send again."""
    session_path(w)
    invitation = db.session.scalars(select(Invitation).where(Invitation.respondent == "patient")).first()
    message = OutboxMessage(invitation=invitation, patient_id=w.patient.id, kind="invitation", due_at=utcnow(),
                            status="failed", last_error="carrier refused")
    db.session.add(message)
    db.session.commit()
    return f"{PATIENT}/messages/{message.id}"


def safety_alert(w: World) -> str:
    """The acknowledge page of a safety alert the patient's PHQ-9 raised."""
    [alert] = answer_phq9(w.patient, 1)
    return f"{PATIENT}/safety-alerts/{alert.id}"
