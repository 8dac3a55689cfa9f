""""Did you address the concern flagged after the last session?": the therapist form's follow-up to
the guidance panel (item `addressed`, post-session-therapist version 2).

An instrument's conditions can only look at earlier answers on the same form, so the item is
optional and the form's page leaves it out unless the patient had a current rupture or decline
flag from an earlier session. The patient side (`feedback`) cannot import the dashboards: it asks
through a signal, and `connect()` answers it from here.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from dashboards.flags.events import ALERTS
from dashboards.guidance import DECLINE_CODES, RUPTURE_CODES
from dashboards.risk.models import RiskEvent
from feedback.extensions import db
from feedback.instruments.registry import registry
from feedback.models import Invitation, TherapySession
from feedback.signals import form_hidden_items
from feedback.survey_link import LinkSession, SurveyLink

ITEM = "addressed"


def concern_before(session: TherapySession | LinkSession) -> bool:
    """Did the patient have a current rupture or decline flag from a session before this one?"""
    found = db.session.scalar(
        select(RiskEvent.id).where(
            RiskEvent.patient_id == session.patient_id,
            RiskEvent.current.is_(True),
            RiskEvent.severity.in_(ALERTS),
            RiskEvent.code.in_(sorted(RUPTURE_CODES | DECLINE_CODES)),
            RiskEvent.session_number < session.number,
        ).limit(1)
    )
    return found is not None


def hidden_items(invitation: SurveyLink | Invitation, **_: Any) -> set[str]:
    """Items of this invitation's form to leave out: `addressed` when there is nothing to address."""
    if invitation.respondent != "therapist":
        return set()
    try:
        instrument = registry().get(invitation.instrument_id, invitation.instrument_version)
    except LookupError:
        return set()
    if ITEM not in {item.id for item in instrument.items}:
        return set()
    return set() if concern_before(invitation.session) else {ITEM}


def connect() -> None:
    """Answer the survey's question which items to leave out (`feedback.signals.form_hidden_items`)."""
    form_hidden_items.connect(hidden_items)
