"""Patients' SMS keywords (STOP, START, HELP) in the audit trail. The webhook is on the patient
side, which may not import the trail, so it announces them (`feedback.signals.sms_keyword`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from dashboards.audit import audit
from feedback.extensions import db
from feedback.models import Patient
from feedback.signals import sms_keyword


def on_keyword(keyword: str, *, patient_ids: Sequence[int], **_: Any) -> None:
    """One row per patient with the sending number, in their clinic; one without a patient (and so
    in no clinic's trail) when no patient has it. No phone number, no message text."""
    patients = db.session.scalars(select(Patient).where(Patient.id.in_(patient_ids)).order_by(Patient.id)).all()
    for patient in patients or [None]:
        detail = f"{keyword.upper()} by SMS" if patient else f"{keyword.upper()} by SMS, from no patient's number"
        audit(f"sms_{keyword}", patient=patient, detail=detail)


def connect() -> None:
    sms_keyword.connect(on_keyword)
