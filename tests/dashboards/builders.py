"""Treatments written straight to the database for the dashboard tests: many sessions and answers
in one transaction, without the survey flow (which commits and recomputes flags per answer)."""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, timedelta
from typing import Any

from feedback.extensions import db
from feedback.instruments.registry import registry
from feedback.instruments.scoring import score
from feedback.models import Invitation, Patient, Response, TherapySession

NOW = datetime(2024, 6, 3, 12, 0, tzinfo=UTC)
CALM = {"bond_understood": 5, "bond_trust": 5, "task_useful": 4, "task_fit": 4, "goal_agree": 5, "goal_unclear": 1,
        "rupture": False, "held_back": 1, "went_along": 1, "frustrated": 1}
UNRESOLVED = {**CALM, "rupture": True, "rupture_tension": 4, "rupture_resolved": 1, "frustrated": 4}
THERAPIST_CALM = {"t_connected": 4, "t_collab": 4, "t_task": 4, "t_goal": 4, "rupture": False}
UNANSWERED = "unanswered"  # invited, expired without an answer
OPEN = "open"  # invited, still open

Form = dict[str, Any] | str | None


def add_session(patient: Patient, number: int, *, starts_at: datetime, attendance: str = "attended",
                patient_form: Form = None, therapist_form: Form = None, now: datetime = NOW) -> TherapySession:
    """One session; each form is answers (answered a day later), UNANSWERED, OPEN or None (no invitation)."""
    session = TherapySession(patient=patient, therapist=patient.therapist, starts_at=starts_at,
                             attendance=attendance, number=number)
    db.session.add(session)
    for respondent, form in (("patient", patient_form), ("therapist", therapist_form)):
        if form is not None:
            _invite(session, respondent, form, now)
    return session


def add_weekly(patient: Patient, forms: list[tuple[Form, Form]], *, first: datetime, now: datetime = NOW) -> None:
    """Attended weekly sessions from `first`, one per (patient form, therapist form) pair."""
    for i, (patient_form, therapist_form) in enumerate(forms):
        add_session(patient, i + 1, starts_at=first + timedelta(weeks=i), patient_form=patient_form,
                    therapist_form=therapist_form, now=now)


def _invite(session: TherapySession, respondent: str, form: Form, now: datetime) -> None:
    instrument = registry().get(f"post-session-{respondent}")
    created = session.starts_at + timedelta(hours=1)
    expires = now + timedelta(days=2) if form == OPEN else created + timedelta(days=3)
    invitation = Invitation(session=session, respondent=respondent, instrument_id=instrument.id,
                            instrument_version=instrument.version, token_hash=secrets.token_hex(32),
                            token_nonce=secrets.token_hex(16), created_at=created, expires_at=expires)
    db.session.add(invitation)
    if isinstance(form, dict):
        answered = session.starts_at + timedelta(days=1)
        invitation.completed_at = answered
        db.session.add(Response(invitation=invitation, answers=form, scores=score(instrument, form),
                                submitted_at=answered))


def end_treatment(patient: Patient, reason: str, on: date) -> None:
    patient.status, patient.end_reason, patient.ended_on = "ended", reason, on
