"""Safety alerts for tests: a PHQ-9 answered at a session and stored as the survey's battery would
(answer and alerts in one transaction), until tests go through the survey pages themselves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from feedback.extensions import db
from feedback.instruments.registry import registry
from feedback.instruments.scoring import score
from feedback.links import link_validity, session_instruments
from feedback.models import OutcomeResponse, Patient, SafetyAlert
from feedback.safety import raise_alerts
from feedback.sessions import record_session

PHQ9_ITEMS = [f"phq9_{n}" for n in range(1, 10)]


def phq9_answers(item9: int, others: int = 1) -> dict[str, int]:
    return {**{item: others for item in PHQ9_ITEMS[:-1]}, "phq9_9": item9}


def answer_phq9(patient: Patient, item9: int, *, at: datetime | None = None, commit: bool = True) -> list[SafetyAlert]:
    """A new attended session of `patient` whose PHQ-9 has `item9` as its ninth answer; the alerts it raised."""
    at = at or datetime.now(UTC)
    recorded = record_session(patient, starts_at=at - timedelta(hours=1), attendance="attended",
                              instruments=session_instruments(), valid_for=link_validity(), now=at - timedelta(hours=1))
    instrument = registry().get("phq-9")
    answers = phq9_answers(item9)
    response = OutcomeResponse(invitation_id=recorded.links["patient"].invitation.id, instrument_id=instrument.id,
                               instrument_version=instrument.version, answers=answers,
                               scores=score(instrument, answers), submitted_at=at)
    db.session.add(response)
    alerts = raise_alerts(response, instrument, patient.id)
    if commit:
        db.session.commit()
    return alerts


def alerts_of(patient: Patient) -> list[SafetyAlert]:
    db.session.expire_all()
    return list(db.session.scalars(select(SafetyAlert).where(SafetyAlert.patient_id == patient.id)
                                   .order_by(SafetyAlert.id)))
