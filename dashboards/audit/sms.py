"""Patients' SMS keywords (STOP, START, HELP) and the end of their e-mails (the unsubscribe link, a
hard bounce) and their return (the same link's undo) in the audit trail. The webhooks and the link
are on the patient side, which may not import the trail, so it announces them
(`feedback.signals.sms_keyword`, `email_stopped`, `email_resumed`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from dashboards.audit import audit
from feedback.extensions import db
from feedback.models import Patient
from feedback.signals import email_resumed, email_stopped, patient_language_chosen, sms_keyword


def on_keyword(keyword: str, *, patient_ids: Sequence[int], **_: Any) -> None:
    """One row per patient with the sending number, in their clinic; one without a patient (and so
    in no clinic's trail) when no patient has it. No phone number, no message text."""
    patients = db.session.scalars(select(Patient).where(Patient.id.in_(patient_ids)).order_by(Patient.id)).all()
    for patient in patients or [None]:
        detail = f"{keyword.upper()} by SMS" if patient else f"{keyword.upper()} by SMS, from no patient's number"
        audit(f"sms_{keyword}", patient=patient, detail=detail)


#: How the trail words each way e-mail stops (never the address).
EMAIL_STOPPED = {
    "unsubscribe": ("email_unsubscribe", "unsubscribed with the e-mail's one-click link"),
    "bounce": ("email_bounce", "the e-mail address bounced: no more e-mail"),
}


def on_email_stopped(why: str, *, patient_id: int, **_: Any) -> None:
    action, detail = EMAIL_STOPPED[why]
    audit(action, patient=db.session.get(Patient, patient_id), detail=detail)


def on_email_resumed(_why: str, *, patient_id: int, **_: Any) -> None:
    audit("email_resubscribe", patient=db.session.get(Patient, patient_id),
          detail="asked for the e-mails again on the unsubscribe page")


def on_language(patient: Patient, *, previous: str, **_: Any) -> None:
    detail = f"{previous} -> {patient.language}, by the patient on the survey page"
    audit("patient_language", patient=patient, detail=detail)


def connect() -> None:
    sms_keyword.connect(on_keyword)
    patient_language_chosen.connect(on_language)
    email_stopped.connect(on_email_stopped)
    email_resumed.connect(on_email_resumed)
