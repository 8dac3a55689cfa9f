"""Leaving kiosk mode: a clinician of the clinic signs in on the tablet, password then second
factor, through the same sign-in steps as /login (`dashboards/auth/signin.py`). Only when the second
factor is accepted does the device end; the browser is then that clinician's, signed in.
"""

from __future__ import annotations

from flask import redirect, render_template, session, url_for
from flask.typing import ResponseReturnValue

from dashboards.audit import audit
from dashboards.auth import sessions, signin
from dashboards.auth.forms import CodeForm, LoginForm
from dashboards.auth.models import LoginSession
from dashboards.auth.views import HOME, client_ip, signed_in
from dashboards.kiosk import device
from dashboards.kiosk.models import KioskDevice
from dashboards.kiosk.views import bp, on_a_tablet
from feedback.extensions import db
from feedback.i18n import gettext as _


def _page(form: LoginForm | CodeForm, step: str, error: str | None, status: int) -> ResponseReturnValue:
    return render_template("kiosk/leave.html", form=form, step=step, error=error), status


@bp.route("/leave", methods=["GET", "POST"])
@on_a_tablet
def leave(tablet: KioskDevice) -> ResponseReturnValue:
    form = LoginForm()
    if not form.validate_on_submit():
        return _page(form, "password", None, 422 if form.is_submitted() else 200)
    user = signin.check_password(form.email.data or "", form.password.data or "", client_ip())
    if user is not None and (user.clinic_id != tablet.clinic_id or user.role not in device.ROLES):
        audit("sign_in_failed", subject=user, detail=f"kiosk tablet {tablet.id}: not a clinician of its clinic")
        db.session.commit()
        user = None  # refused like a wrong password
    if user is None:
        return _page(form, "password", _("Sign-in failed. Check your e-mail address and password."), 401)
    login, token, step = signin.begin(user, client_ip())
    if step == "enrol":
        signin.sign_out(login)
        error = _("This account has no two-step sign-in yet. Set it up at a normal sign-in first.")
        return _page(form, "password", error, 401)
    if step == "done":  # development's DEV_SKIP_2FA only
        return _left(tablet, login, token)
    session[sessions.COOKIE_KEY] = token  # beside the device's own key: the lock still holds
    return redirect(url_for("kiosk.leave_second_factor"), code=303)


@bp.route("/leave/2fa", methods=["GET", "POST"])
@on_a_tablet
def leave_second_factor(tablet: KioskDevice) -> ResponseReturnValue:
    login = sessions.pending()
    if login is None:
        return redirect(url_for("kiosk.leave"), code=303)
    form = CodeForm()
    if not form.validate_on_submit():
        return _page(form, "code", None, 422 if form.is_submitted() else 200)
    method = signin.check_second_factor(login, form.code.data or "", client_ip())
    if method is None:
        return _page(form, "code", _("That code was not accepted."), 401)
    return _left(tablet, login, signin.complete(login, method))


def _left(tablet: KioskDevice, login: LoginSession, token: str) -> ResponseReturnValue:
    device.leave(tablet, login.user)
    db.session.commit()
    signed_in(login, token)  # replaces the whole cookie: the device's key goes with it
    return redirect(url_for(HOME), code=303)
