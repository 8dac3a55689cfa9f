"""/clinic/therapists: a director manages their clinic's therapists; an admin, all its accounts."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields import SelectChoice

from dashboards.access import manageable_users, roles_required, user_or_404
from dashboards.access.guards import audited
from dashboards.access.policy import assignable_roles
from dashboards.admin.blueprint import bp
from dashboards.admin.forms import ActionForm, AddAccountForm
from dashboards.auth import accounts
from dashboards.auth.account_mail import AccountMailError, masked
from dashboards.auth.models import UserSecurity
from dashboards.auth.roles import ROLE_NAMES
from dashboards.setup.operations import SetupError
from feedback.extensions import db
from feedback.i18n import gettext as _
from feedback.models import User

MANAGERS = ("director", "admin")
MAIL_FAILED = lazy_gettext(
    "The e-mail with the password link could not be sent, so no link was made. Try again with "
    "\u201cE-mail a new password link\u201d; if it keeps failing, ask the operator to check the mail settings."
)


def _add_form() -> AddAccountForm:
    form = AddAccountForm()
    roles = assignable_roles(current_user)
    form.role.choices = [SelectChoice(role, ROLE_NAMES.get(role, role.capitalize())) for role in roles]
    return form


def _list(form: AddAccountForm, error: str | None = None, status: int = 200) -> ResponseReturnValue:
    users = db.session.scalars(manageable_users(current_user).order_by(User.role, User.email)).all()
    security = {
        row.user_id: row
        for row in db.session.scalars(select(UserSecurity).where(UserSecurity.user_id.in_([u.id for u in users])))
    }
    return render_template(
        "dashboards/admin/accounts.html", users=users, security=security, form=form, action=ActionForm(), error=error
    ), status


@bp.get("/clinic/therapists")
@roles_required(*MANAGERS)
@audited("view_accounts")
def therapists() -> ResponseReturnValue:
    return _list(_add_form())


@bp.post("/clinic/therapists")
@roles_required(*MANAGERS)
def add_therapist() -> ResponseReturnValue:
    form = _add_form()
    if not form.validate():
        return _list(form, status=422)
    email = form.email.data or ""
    try:
        user = accounts.add_account(current_user, email, form.role.data, form.display_name.data or "")
    except SetupError as exc:
        return _list(form, error=str(exc).capitalize() + ".", status=422)
    if user is None:  # the address has an account elsewhere: answered exactly as a sent link
        return _link_sent(email.strip().lower())
    return _send_link(user)


def _send_link(user: User) -> ResponseReturnValue:
    try:
        accounts.send_password_link(user, current_user)
    except AccountMailError:
        return _list(_add_form(), error=MAIL_FAILED, status=503)
    return _link_sent(user.email)


def _link_sent(email: str) -> ResponseReturnValue:
    flash(_("A link to set a password was sent to %(address)s.", address=masked(email)))
    return redirect(url_for("admin.therapists"), code=303)


@bp.post("/clinic/therapists/<int:user_id>/password-link")
@roles_required(*MANAGERS)
def password_link(user_id: int) -> ResponseReturnValue:
    return _send_link(user_or_404(user_id))


@bp.post("/clinic/therapists/<int:user_id>/disable")
@roles_required(*MANAGERS)
def disable_user(user_id: int) -> ResponseReturnValue:
    user = user_or_404(user_id)
    accounts.disable(user, current_user)
    flash(_("%(email)s can no longer sign in; their sessions have ended.", email=user.email))
    return redirect(url_for("admin.therapists"), code=303)


@bp.post("/clinic/therapists/<int:user_id>/enable")
@roles_required(*MANAGERS)
def enable_user(user_id: int) -> ResponseReturnValue:
    user = user_or_404(user_id)
    accounts.enable(user, current_user)
    flash(_("%(email)s can sign in again.", email=user.email))
    return redirect(url_for("admin.therapists"), code=303)


@bp.post("/clinic/therapists/<int:user_id>/reset-2fa")
@roles_required(*MANAGERS)
def reset_two_factor(user_id: int) -> ResponseReturnValue:
    user = user_or_404(user_id)
    accounts.reset_two_factor(user, current_user)
    flash(_("%(email)s was signed out everywhere and told by e-mail; they enrol a new authenticator at next sign-in.",
            email=user.email))
    return redirect(url_for("admin.therapists"), code=303)
