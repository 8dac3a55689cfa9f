"""/admin/break-glass: an admin opens time-limited, audited access to one patient of their clinic."""

from __future__ import annotations

from flask import redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from dashboards.access import roles_required
from dashboards.access.break_glass import BreakGlassError, grants_in_clinic, open_grant
from dashboards.admin.blueprint import bp
from dashboards.admin.forms import BreakGlassForm


def _page(form: BreakGlassForm, error: str | None = None, status: int = 200) -> ResponseReturnValue:
    grants = [g for g in grants_in_clinic(current_user.clinic_id) if g.user_id == current_user.id]
    return render_template("dashboards/admin/break_glass.html", form=form, grants=grants, error=error), status


@bp.get("/admin/break-glass")
@roles_required("admin")
def break_glass() -> ResponseReturnValue:
    return _page(BreakGlassForm(formdata=None))


@bp.post("/admin/break-glass")
@roles_required("admin")
def open_break_glass() -> ResponseReturnValue:
    form = BreakGlassForm()
    if not form.validate():
        return _page(form, status=422)
    try:
        grant = open_grant(current_user, form.patient_code.data or "", form.reason.data or "")
    except BreakGlassError as exc:
        return _page(form, error=str(exc).capitalize() + ".", status=422)
    return redirect(url_for("dashboards.patient", code=grant.patient.code), code=303)
