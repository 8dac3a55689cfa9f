"""Storing one outcome measure's answers: the one place that commits them.

Each measure is stored when its page is sent, so a battery left half-way keeps what was finished.
The answer and any safety alert it raises (`feedback.safety.raise_alerts`) are one transaction:
the alert exists as soon as the answer does, whether or not the patient waits for the next page.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError

from feedback.changes import mark_flags_stale
from feedback.extensions import db
from feedback.instruments.model import Instrument
from feedback.instruments.scoring import score
from feedback.models import Invitation, OutcomeResponse, SafetyAlert, utcnow
from feedback.safety import raise_alerts
from feedback.survey_link import SurveyLink


class AlreadyAnswered(Exception):
    """This link already holds answers to this measure (a reload, a back-button re-send, a double
    tap): the first answers are kept and nothing was stored."""


def record_outcome(
    invitation: SurveyLink | Invitation,
    instrument: Instrument,
    answers: dict[str, Any],
    *,
    language: str = "en",
    now: datetime | None = None,
) -> list[SafetyAlert]:
    """Store the answers, scored by the instrument's rules, with the alerts they raise; commits.

    The unique (invitation, instrument) key refuses a second copy, also from a concurrent request
    (which waits for the first to commit, then fails): AlreadyAnswered, and nothing is changed.
    """
    now = now or utcnow()
    patient_id = invitation.session.patient_id
    response = OutcomeResponse(invitation_id=invitation.id, instrument_id=instrument.id,
                               instrument_version=instrument.version, answers=answers,
                               scores=score(instrument, answers), submitted_at=now, language=language)
    db.session.add(response)
    try:
        db.session.flush()
        alerts = raise_alerts(response, instrument, patient_id, now=now)
        mark_flags_stale(patient_id, now)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise AlreadyAnswered() from None
    return alerts
