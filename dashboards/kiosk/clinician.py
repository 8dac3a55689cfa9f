"""The clinician's side of the tablet: opening kiosk mode on this browser, and a code for one
patient's open questionnaire (on the patient's page). Routes on the clinician blueprint."""

from __future__ import annotations

from flask import abort, g, redirect, render_template, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, logout_user
from sqlalchemy import select

from dashboards.access import roles_required
from dashboards.auth.totp import qr_svg
from dashboards.kiosk import codes, device
from dashboards.kiosk.forms import ConfirmForm
from dashboards.therapist.blueprint import bp
from dashboards.therapist.guards import managed_patient
from dashboards.therapist.manage import _session_or_404 as session_or_404
from feedback.battery.due import progress
from feedback.extensions import db
from feedback.i18n import gettext as _
from feedback.links import external_url
from feedback.models import Invitation, Patient, utcnow


@bp.route("/kiosk/open", methods=["GET", "POST"])
@roles_required(*device.ROLES)
def kiosk_open() -> ResponseReturnValue:
    """GET says what happens; POST ends this sign-in and makes the browser the clinic's tablet."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        return render_template("dashboards/kiosk/open.html", form=form), 422 if form.is_submitted() else 200
    token = device.open_on(g.login_session, current_user)
    logout_user()
    session.clear()
    session[device.COOKIE_KEY] = token
    return redirect(url_for("kiosk.code_screen"), code=303)


@bp.post("/patients/<code>/sessions/<int:number>/kiosk-code")
@managed_patient
def kiosk_code(patient: Patient, number: int) -> ResponseReturnValue:
    """A one-time code (and its QR code) for the patient's questionnaire of this session."""
    if not ConfirmForm().validate():
        abort(400)
    session_row = session_or_404(patient, number)
    invitation = db.session.scalar(
        select(Invitation).where(Invitation.session_id == session_row.id, Invitation.respondent == "patient"))
    if invitation is None:
        abort(404)
    steps = progress(invitation)
    if invitation.expires_at <= utcnow() or (steps.alliance_answered and steps.next_form() is None):
        message = _("This questionnaire is no longer open: its link has expired or it is answered.")
        return render_template("error.html", title=_("No code made"), message=message, reference=None), 409
    issued = codes.issue(invitation, current_user)
    # In the fragment: it fills in the code screen (kiosk.js) and never reaches the server or a log.
    scan = external_url("kiosk.code_screen", _anchor=f"code={issued.code}")
    return render_template("dashboards/kiosk/code.html", patient=patient, number=number, issued=issued,
                           qr=qr_svg(scan, title=_("QR code for the clinic tablet")))
