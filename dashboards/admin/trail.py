"""/clinic/audit: the clinic's audit trail, newest first, for its directors and admins."""

from __future__ import annotations

from flask import render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from dashboards.access import roles_required
from dashboards.access.break_glass import grants_in_clinic
from dashboards.access.policy import AUDIT_READERS, visible_audit_events
from dashboards.admin.blueprint import bp
from dashboards.audit.models import AuditEvent
from feedback.extensions import db
from feedback.models import Patient

PAGE = 100


@bp.get("/clinic/audit")
@roles_required(*AUDIT_READERS)
def audit_trail() -> ResponseReturnValue:
    query = visible_audit_events(current_user)
    code = request.args.get("patient", "").strip()
    if code:
        query = query.join(Patient, AuditEvent.patient_id == Patient.id).where(Patient.code == code)
    before = request.args.get("before", type=int)
    if before:
        query = query.where(AuditEvent.id < before)
    events = db.session.scalars(query.order_by(AuditEvent.id.desc()).limit(PAGE)).all()
    return render_template(
        "dashboards/admin/audit.html",
        events=events,
        grants=grants_in_clinic(current_user.clinic_id),
        zone=current_user.clinic.zone,
        patient_code=code,
        older=events[-1].id if len(events) == PAGE else None,
    )
