"""`/clinic/calibration`: does each kind of flag go with dropout here, and how noisy are this
clinic's answers? Directors of the clinic only, like the overview; every view and change audited."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext
from flask_login import current_user

from dashboards.access import roles_required
from dashboards.admin.forms import ActionForm
from dashboards.audit import audit
from dashboards.calibration.estimate import MIN_PATIENTS, MIN_SESSIONS
from dashboards.calibration.norms import adopted_by_name, clinic_estimates
from dashboards.calibration.operations import CalibrationError, adopt_clinic_norms, revert_clinic_norms
from dashboards.calibration.outcomes import dropout_by_flag
from dashboards.director import CLINIC_READERS, SMALL_GROUP, bp
from dashboards.flags.stats import within_sd
from dashboards.risk.adopted import adopted
from dashboards.therapist.wording import event_name
from feedback.extensions import db
from feedback.i18n import gettext as _
from feedback.links import session_instruments
from feedback.models import utcnow

#: The alliance form's scales in words (the glossary's: alianza, vínculo, tareas, objetivos).
SCALE_NAMES = {
    "alliance": lazy_gettext("Alliance"), "bond": lazy_gettext("Bond"),
    "task": lazy_gettext("Task agreement"), "goal": lazy_gettext("Goal agreement"),
}


@bp.get("/clinic/calibration")
@roles_required(*CLINIC_READERS)
def calibration() -> ResponseReturnValue:
    clinic = current_user.clinic
    instrument = session_instruments()["patient"]
    in_force = adopted([clinic.id], instrument.id).get(clinic.id, [])
    page = render_template(
        "dashboards/director/calibration.html",
        clinic=clinic,
        outcomes=dropout_by_flag(clinic.id),
        estimates=clinic_estimates(clinic.id, instrument),
        defaults={scale: spec.norms for scale, spec in instrument.scales.items() if spec.norms is not None},
        in_force={row.scale: row for row in in_force},
        adopted_by=adopted_by_name(in_force),
        within_sd=within_sd,
        scale_names=SCALE_NAMES,
        event_name=event_name,
        form=ActionForm(),
        min_patients=MIN_PATIENTS,
        min_sessions=MIN_SESSIONS,
        small_group=SMALL_GROUP,
    )
    audit("view_calibration", detail=f"{request.method} {request.endpoint}")
    db.session.commit()
    return page


@bp.post("/clinic/calibration/norms")
@roles_required(*CLINIC_READERS)
def adopt_norms() -> ResponseReturnValue:
    return _change(adopt_clinic_norms, _("The clinic's own norms are now in force; its flags were re-evaluated."))


@bp.post("/clinic/calibration/norms/revert")
@roles_required(*CLINIC_READERS)
def revert_norms() -> ResponseReturnValue:
    return _change(revert_clinic_norms, _("The instrument's norms are in force again; the flags were re-evaluated."))


def _change(operation, done: str) -> ResponseReturnValue:
    if not ActionForm().validate_on_submit():
        flash(_("The form had expired; please try again."))
        return redirect(url_for("director.calibration"), 303)
    try:
        operation(current_user.clinic, session_instruments()["patient"], current_user._get_current_object(), utcnow())
    except CalibrationError as exc:
        flash(str(exc))
        return redirect(url_for("director.calibration"), 303)
    flash(done)
    return redirect(url_for("director.calibration"), 303)
