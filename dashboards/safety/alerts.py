"""Safety alerts as the pages show them: the open ones a clinician may see (the banner heading the
home page, the patient page and the director's overview) and one patient's history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from dashboards.access.policy import TREATING_ROLES, can_view_patient, patient_filter
from feedback.extensions import db
from feedback.i18n import gettext as _
from feedback.i18n import page_language
from feedback.instruments.registry import registry
from feedback.models import OutcomeResponse, Patient, SafetyAlert

#: What a clinician records when acknowledging (SAFETY_ACTIONS), in words.
ACTION_WORDS = {
    "contacted": lazy_gettext("Contacted the patient"),
    "risk_assessed": lazy_gettext("Assessed the risk"),
    "safety_plan_reviewed": lazy_gettext("Reviewed the safety plan"),
    "other": lazy_gettext("Something else (see the note)"),
}


@dataclass(frozen=True)
class AlertLine:
    id: int
    patient_code: str
    raised_at: datetime
    question: str  # the instrument and the risk item's wording
    answer: str  # the value and its anchor, e.g. "1 = Several days"
    notified_at: datetime | None
    escalated_at: datetime | None
    acknowledged_at: datetime | None
    acknowledged_by: str
    action: str  # in words
    note: str


def open_alerts(user: Any, patient: Patient | None = None) -> list[AlertLine]:
    """Unacknowledged safety alerts of the patients `user` may see (of one patient, if given), oldest first."""
    query = (
        select(SafetyAlert, Patient.code).join(Patient, Patient.id == SafetyAlert.patient_id)
        .where(patient_filter(user), SafetyAlert.acknowledged_at.is_(None))
        .options(joinedload(SafetyAlert.response))
        .order_by(SafetyAlert.created_at, SafetyAlert.id)
    )
    if patient is not None:
        query = query.where(SafetyAlert.patient_id == patient.id)
    return [_line(alert, code) for alert, code in db.session.execute(query)]


def acknowledged_alerts(patient: Patient) -> list[AlertLine]:
    """The patient's acknowledged safety alerts, newest first: the history stays on the page."""
    alerts = db.session.scalars(
        select(SafetyAlert).where(SafetyAlert.patient_id == patient.id, SafetyAlert.acknowledged_at.is_not(None))
        .options(joinedload(SafetyAlert.response), joinedload(SafetyAlert.acknowledged_by))
        .order_by(SafetyAlert.acknowledged_at.desc(), SafetyAlert.id.desc())
    )
    return [_line(alert, patient.code) for alert in alerts]


def can_acknowledge(user: Any, patient: Patient) -> bool:
    """The patient's therapist, a clinician it is shared with, or a director of the clinic: those of
    the treating roles who may see the patient. An admin with break-glass access may look, not act."""
    return getattr(user, "role", None) in TREATING_ROLES and can_view_patient(user, patient)


def _line(alert: SafetyAlert, code: str) -> AlertLine:
    question, answer = _wording(alert.response, alert.item_id, alert.value)
    by = alert.acknowledged_by
    return AlertLine(
        id=alert.id, patient_code=code, raised_at=alert.created_at, question=question, answer=answer,
        notified_at=alert.notified_at, escalated_at=alert.escalated_at, acknowledged_at=alert.acknowledged_at,
        acknowledged_by=(by.display_name or by.email) if by else "",
        action=str(ACTION_WORDS.get(alert.action or "", "")),
        note=alert.note or "",
    )


def _wording(response: OutcomeResponse, item_id: str, value: int) -> tuple[str, str]:
    """The question as the patient read it, and the answer's words; the bare ids if the
    instrument file is no longer installed."""
    try:
        instrument = registry().get(response.instrument_id, response.instrument_version)
        item = instrument.item(item_id)
    except (LookupError, KeyError):
        return f"{response.instrument_id}, {item_id}", str(value)
    number = instrument.items.index(item) + 1
    language = page_language()  # the wording in the clinician's language, where the instrument has it
    question = _("%(instrument)s, question %(number)s: “%(text)s”",
                 instrument=instrument.text(instrument.title, language), number=number,
                 text=instrument.text(item.text, language))
    anchor = item.anchors.get(value)
    return question, f"{value} = {instrument.text(anchor, language)}" if anchor else str(value)
