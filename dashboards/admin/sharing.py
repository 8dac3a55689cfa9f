"""Sharing a patient with a colleague, from the patient's page (treating therapist or director)."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from dashboards.access import patient_or_404
from dashboards.access.policy import can_share_patient
from dashboards.access.sharing import SharingError, share, unshare
from dashboards.admin.blueprint import bp
from dashboards.admin.forms import ShareForm
from feedback.i18n import gettext as _
from feedback.models import Patient


def _shareable(code: str) -> Patient:
    patient = patient_or_404(code)
    if not can_share_patient(current_user, patient):
        abort(403)  # they may see the patient, but not decide who else does
    return patient


@bp.post("/patients/<code>/shares")
def share_patient(code: str) -> ResponseReturnValue:
    patient = _shareable(code)
    form = ShareForm()
    try:
        if not form.validate():
            raise SharingError(_("choose a therapist of this clinic"))
        share(patient, form.user_id.data or 0, current_user)
    except SharingError as exc:
        flash(str(exc).capitalize() + ".")
    return redirect(url_for("dashboards.patient", code=patient.code), code=303)


@bp.post("/patients/<code>/shares/<int:user_id>/revoke")
def revoke_share(code: str, user_id: int) -> ResponseReturnValue:
    patient = _shareable(code)
    unshare(patient, user_id, current_user)
    return redirect(url_for("dashboards.patient", code=patient.code), code=303)
