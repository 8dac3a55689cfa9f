"""The signed-in clinician's own account: /account (sessions, authenticator, recovery codes, password).

Changing how one signs in asks for the password again first.
"""

from __future__ import annotations

from flask import flash, g, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext
from flask_login import current_user

from dashboards.auth import accounts, enrolment, recovery, sessions, signin, totp
from dashboards.auth.forms import ChangePasswordForm, CodeForm, PasswordCheckForm
from dashboards.auth.passwords import PasswordPolicyError
from dashboards.auth.views import bp, client_ip, enrol_retry, signed_in
from feedback.i18n import gettext as _
from feedback.models import utcnow

REAUTH_FAILED = lazy_gettext("Your current password was not accepted.")


def _reauthenticated(form: PasswordCheckForm) -> bool:
    return form.validate() and signin.reauthenticate(current_user, form.password.data or "", client_ip())


def _renew_session() -> None:
    """After a change to how the user signs in: a fresh id for this session, so a copied cookie dies."""
    signed_in(g.login_session, signin.renew(g.login_session))


@bp.get("/account")
def account() -> ResponseReturnValue:
    return _account_page()


def _account_page(status: int = 200, **forms: object) -> ResponseReturnValue:
    return render_template(
        "dashboards/auth/account.html",
        password_form=forms.get("password_form") or ChangePasswordForm(formdata=None),
        check_form=forms.get("check_form") or PasswordCheckForm(formdata=None),
        enrolled=totp.enrolled(current_user),
        codes_left=recovery.remaining(current_user),
        sessions=sessions.live(current_user, utcnow()),
        this_session=g.login_session,
        error=forms.get("error"),
    ), status


@bp.post("/account/sessions/end-others")
def end_other_sessions() -> ResponseReturnValue:
    """Sign out everywhere else (after the password again): a lost laptop, a shared computer."""
    form = PasswordCheckForm()
    if not _reauthenticated(form):
        return _account_page(422, check_form=form, error=REAUTH_FAILED)
    signin.end_other_sessions(current_user, keep=g.login_session)
    flash(_("You are now signed out everywhere else."))
    return redirect(url_for("auth.account"), code=303)


@bp.post("/account/password")
def change_password() -> ResponseReturnValue:
    form = ChangePasswordForm()
    if not form.validate():
        return _account_page(422, password_form=form)
    if not signin.reauthenticate(current_user, form.current.data or "", client_ip()):
        return _account_page(422, password_form=form, error=REAUTH_FAILED)
    try:
        accounts.set_password(current_user, form.password.data or "", actor=current_user, keep=g.login_session)
    except PasswordPolicyError as exc:
        return _account_page(422, password_form=form, error=str(exc).capitalize() + ".")
    _renew_session()
    flash(_("Your password is changed. Your other sessions were signed out."))
    return redirect(url_for("auth.account"), code=303)


@bp.post("/account/2fa")
def account_enrol() -> ResponseReturnValue:
    """Set up a new authenticator (new phone): password first, then scan and confirm."""
    form = PasswordCheckForm()
    if not _reauthenticated(form):
        return _account_page(422, check_form=form, error=REAUTH_FAILED)
    setup = enrolment.start(current_user)
    action = url_for("auth.account_enrol_confirm")
    return render_template("dashboards/auth/enrol.html", setup=setup, form=CodeForm(formdata=None), action=action)


@bp.post("/account/2fa/confirm")
def account_enrol_confirm() -> ResponseReturnValue:
    form = CodeForm()
    codes = enrolment.confirm(current_user, form.code.data or "", keep=g.login_session) if form.validate() else None
    if codes is None:
        return enrol_retry(current_user, form, url_for("auth.account_enrol_confirm"), fallback=url_for("auth.account"))
    _renew_session()
    return render_template("dashboards/auth/recovery_codes.html", codes=codes, continue_url=url_for("auth.account"))


@bp.post("/account/recovery-codes")
def recovery_codes() -> ResponseReturnValue:
    form = PasswordCheckForm()
    if not _reauthenticated(form):
        return _account_page(422, check_form=form, error=REAUTH_FAILED)
    codes = enrolment.renew_recovery_codes(current_user)
    return render_template("dashboards/auth/recovery_codes.html", codes=codes, continue_url=url_for("auth.account"))
