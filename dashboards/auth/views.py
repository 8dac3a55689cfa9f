"""Sign-in pages: /login, /login/2fa, /login/enrol, /logout and /password/set/<token>.

The signed-in user's own account pages (/account/...) are in `account_views`, on the same blueprint.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm

from dashboards.access import protect, public
from dashboards.auth import accounts, enrolment, recovery, sessions, signin, totp
from dashboards.auth.forms import CodeForm, LoginForm, NewPasswordForm
from dashboards.auth.models import LoginSession
from dashboards.auth.passwords import PasswordPolicyError
from dashboards.auth.redirects import safe_next
from feedback.i18n import gettext as _
from feedback.i18n import use_language
from feedback.models import User

bp = Blueprint("auth", __name__)
protect(bp)

HOME = "dashboards.home"


def client_ip() -> str:
    return request.remote_addr or "unknown"


def signed_in(login: LoginSession, token: str) -> None:
    """Swap the cookie for the verified session's fresh id and tell Flask-Login."""
    sessions.write_cookie(token)
    login_user(login.user)


def _refused_if_sent(form: FlaskForm) -> int:
    """A form sent back with its problems is a 422; the empty form a GET shows is a 200."""
    return 422 if form.is_submitted() else 200


def _pending() -> LoginSession | None:
    """The sign-in between password and second factor. Its pages speak the account's language (the
    password said whose it is), not the browser's."""
    login = sessions.pending()
    if login is not None:
        use_language(login.user.language, login.user.clinic)
    return login


def _after_sign_in(next_url: str | None) -> ResponseReturnValue:
    return redirect(safe_next(next_url) or url_for(HOME), code=303)


@bp.route("/login", methods=["GET", "POST"])
@public
def login() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for(HOME))
    form = LoginForm(next=request.args.get("next", ""))
    if not form.validate_on_submit():
        return render_template("dashboards/auth/login.html", form=form, error=None), _refused_if_sent(form)
    user = signin.check_password(form.email.data or "", form.password.data or "", client_ip())
    if user is None:
        return render_template("dashboards/auth/login.html", form=form, error=_(signin.FAILED)), 401
    login, token, step = signin.begin(user, client_ip())
    next_url = safe_next(form.next.data)
    if step == "done":
        signed_in(login, token)
        return _after_sign_in(next_url)
    sessions.write_cookie(token, next_url)
    return redirect(url_for("auth.second_factor" if step == "second_factor" else "auth.enrol"), code=303)


@bp.route("/login/2fa", methods=["GET", "POST"])
@public
def second_factor() -> ResponseReturnValue:
    login = _pending()
    if login is None:
        return redirect(url_for("auth.login"))
    if not totp.enrolled(login.user):
        return redirect(url_for("auth.enrol"))
    form = CodeForm()
    if not form.validate_on_submit():
        return render_template("dashboards/auth/second_factor.html", form=form, error=None), _refused_if_sent(form)
    method = signin.check_second_factor(login, form.code.data or "", client_ip())
    if method is None:
        return render_template("dashboards/auth/second_factor.html", form=form, error=_(signin.CODE_FAILED)), 401
    next_url = session.get(sessions.NEXT_KEY)
    signed_in(login, signin.complete(login, method))
    if method == "recovery_code":
        flash(_("You signed in with a recovery code; %(n)s left.", n=recovery.remaining(login.user)))
    return _after_sign_in(next_url)


@bp.route("/login/enrol", methods=["GET", "POST"])
@public
def enrol() -> ResponseReturnValue:
    """First sign-in without an authenticator: GET explains, POST shows a new QR code to scan."""
    login = _pending()
    if login is None or totp.enrolled(login.user):
        return redirect(url_for("auth.login"))
    if request.method == "GET":
        return render_template("dashboards/auth/enrol_intro.html")
    setup = enrolment.start(login.user)
    return render_template(
        "dashboards/auth/enrol.html", setup=setup, form=CodeForm(formdata=None), action=url_for("auth.enrol_confirm")
    )


@bp.post("/login/enrol/confirm")
@public
def enrol_confirm() -> ResponseReturnValue:
    login = _pending()
    if login is None or totp.enrolled(login.user):
        return redirect(url_for("auth.login"))
    form = CodeForm()
    codes = enrolment.confirm(login.user, form.code.data or "", keep=login) if form.validate() else None
    if codes is None:
        return enrol_retry(login.user, form, url_for("auth.enrol_confirm"), fallback=url_for("auth.login"))
    next_url = session.get(sessions.NEXT_KEY)
    signed_in(login, signin.complete(login, "totp"))
    return render_template(
        "dashboards/auth/recovery_codes.html", codes=codes, continue_url=safe_next(next_url) or url_for(HOME)
    )


def enrol_retry(user: User, form: CodeForm, action: str, fallback: str) -> ResponseReturnValue:
    """The QR page again after a wrong code; `fallback` when no setup is under way."""
    secret = totp.pending_secret(user)
    if secret is None:
        return redirect(fallback, code=303)
    setup = enrolment.Setup(secret, totp.qr_svg(totp.provisioning_uri(user, secret)))
    error = _("That code did not match. Check the time on your phone and try the newest code.")
    return render_template("dashboards/auth/enrol.html", setup=setup, form=form, action=action, error=error), 422


@bp.post("/logout")
@public
def logout() -> ResponseReturnValue:
    signin.sign_out(sessions.current() or sessions.pending())
    logout_user()
    session.clear()
    flash(_("You are signed out."))
    return redirect(url_for("auth.login"), code=303)


@bp.route("/password/set/<token>", methods=["GET", "POST"])
@public
def set_password(token: str) -> ResponseReturnValue:
    try:
        link = accounts.resolve_password_link(token)
    except accounts.PasswordLinkExpired:
        return _link_problem(_("This link has expired"), 410)
    except accounts.PasswordLinkInvalid:
        return _link_problem(_("This link doesn’t work"), 404)
    form = NewPasswordForm()
    error = None
    if form.validate_on_submit():
        try:
            accounts.use_password_link(link, form.password.data or "")
        except PasswordPolicyError as exc:
            error = str(exc).capitalize() + "."
        else:
            flash(_("Your password is set. Please sign in."))
            return redirect(url_for("auth.login"), code=303)
    status = 422 if request.method == "POST" else 200
    return render_template("dashboards/auth/set_password.html", form=form, email=link.user.email, error=error), status


def _link_problem(title: str, status: int) -> ResponseReturnValue:
    message = _("Links to set a password work once and for a few days. Ask your clinic's director for a new one.")
    return render_template("error.html", title=title, message=message, reference=None), status
