"""/clinic/audit: the clinic's audit trail, newest first, for its directors and admins; filtered by
person, action and patient, and exported as CSV. Reading and exporting it are recorded too."""

from __future__ import annotations

from flask import Response, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from dashboards.access import audited, roles_required
from dashboards.access.break_glass import grants_in_clinic
from dashboards.access.policy import AUDIT_READERS
from dashboards.admin.blueprint import bp
from dashboards.audit import audit, trail
from dashboards.audit.actions import action_name
from dashboards.audit.models import AuditEvent
from feedback.extensions import db
from feedback.models import utcnow
from feedback.text_hygiene import whole_number

PAGE = 100


def _filter() -> tuple[trail.TrailFilter, trail.Choices, list[str]]:
    offered = trail.choices(current_user)
    found, problems = trail.read_filter(request.args, current_user.clinic_id, offered)
    return found, offered, problems


def _page(found: trail.TrailFilter, offered: trail.Choices, problems: list[str]) -> ResponseReturnValue:
    """The page; with a bad filter it shows the problem and no events (422), never an unfiltered list."""
    events: list[AuditEvent] = []
    if not problems:
        query = trail.events(current_user, found)
        before = request.args.get("before", type=whole_number)  # int() would take 10**30 (a database overflow)
        if before:
            query = query.where(AuditEvent.id < before)
        events = list(db.session.scalars(query.limit(PAGE)))
    return render_template(
        "dashboards/admin/audit.html",
        events=events,
        grants=grants_in_clinic(current_user.clinic_id),
        zone=current_user.clinic.zone,
        found=found,
        offered=offered,
        nobody=trail.NOBODY,
        problems=problems,
        older=events[-1].id if len(events) == PAGE else None,
        action_name=action_name,
        # (code, name), in the order of the names, as the reader reads them
        actions=sorted(((code, action_name(code)) for code in offered.actions), key=lambda coded: coded[1].casefold()),
    ), 422 if problems else 200


@bp.get("/clinic/audit")
@roles_required(*AUDIT_READERS)
@audited("view_audit_trail")
def audit_trail() -> ResponseReturnValue:
    return _page(*_filter())


@bp.get("/clinic/audit.csv")
@roles_required(*AUDIT_READERS)
def audit_export() -> ResponseReturnValue:
    found, offered, problems = _filter()
    if problems:
        return _page(found, offered, problems)
    events = list(db.session.scalars(trail.events(current_user, found)))
    audit("export_audit_trail", patient=found.patient, detail=f"csv, {len(events)} rows; {found.describe()}")
    db.session.commit()
    name = f"audit-clinic{current_user.clinic_id}-{utcnow().astimezone(current_user.clinic.zone).date()}.csv"
    return Response(
        trail.to_csv(events), mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )
