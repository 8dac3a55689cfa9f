"""The audit trail. Call `audit(...)` for every view of a patient's data, every export and every change.

    from dashboards.audit import audit
    audit("export_patient", patient=patient, detail="csv, 12 responses")
    db.session.commit()   # the row is written with the caller's own commit

`audit` only adds the row to the current transaction, so a change and its audit row are committed
(or rolled back) together. Views that take a patient get their row from `access.patient_view`.
Details must carry no clinical content, answers, phone numbers or tokens.
"""

from __future__ import annotations

from flask import has_request_context, request
from flask_login import current_user

from dashboards.audit.models import AuditEvent, AuditTrailError
from feedback.extensions import db
from feedback.models import Patient, User

DETAIL_MAX = 200

__all__ = ["AuditEvent", "AuditTrailError", "audit"]


def audit(
    action: str,
    *,
    patient: Patient | None = None,
    subject: User | None = None,
    detail: str = "",
    actor: User | None = None,
    clinic_id: int | None = None,
    from_outside: bool = False,
) -> AuditEvent:
    """Record an event by `actor` (default: the signed-in user) from the request's address.

    The event belongs to the clinic of its patient, account or actor; `clinic_id` places one
    that has none of them (a command run for a clinic). `from_outside`: the event is caused from
    another clinic, whose people must stay unknown here: no actor, no address."""
    if from_outside:
        actor = None
    elif actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user._get_current_object()
    clinic_id = next(
        (owner.clinic_id for owner in (patient, subject, actor) if owner is not None),
        clinic_id,
    )
    event = AuditEvent(
        action=action,
        user_id=actor.id if actor else None,
        clinic_id=clinic_id,
        patient_id=patient.id if patient else None,
        subject_user_id=subject.id if subject else None,
        detail=detail[:DETAIL_MAX],
        ip=request.remote_addr if has_request_context() and not from_outside else None,
    )
    db.session.add(event)
    return event
