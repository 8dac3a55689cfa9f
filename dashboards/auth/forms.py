"""Sign-in and account forms. CSRF is checked for every POST by the app's CSRFProtect as well.

Each input says what it holds (`autocomplete`), so password managers fill the sign-in, offer to
generate a new password only where one is set, and phones offer a code just received.
"""

from __future__ import annotations

from flask_babel import lazy_gettext
from wtforms import EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from dashboards.auth.passwords import MAX_LENGTH
from feedback.text_edges import HygienicForm

CURRENT = {"autocomplete": "current-password"}
NEW = {"autocomplete": "new-password"}


class LoginForm(HygienicForm):
    # type="email": the phone's e-mail keyboard; the address is the account's user name.
    email = EmailField(
        lazy_gettext("E-mail address"), validators=[DataRequired(), Length(max=254)],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        lazy_gettext("Password"), validators=[DataRequired(), Length(max=MAX_LENGTH)], render_kw=CURRENT
    )
    next = HiddenField()


class CodeForm(HygienicForm):
    # A TOTP or a recovery code (letters too): no numeric keyboard.
    code = StringField(
        lazy_gettext("Code"), validators=[DataRequired(), Length(max=32)], render_kw={"autocomplete": "one-time-code"}
    )


class PasswordCheckForm(HygienicForm):
    password = PasswordField(
        lazy_gettext("Your current password"), validators=[DataRequired(), Length(max=MAX_LENGTH)], render_kw=CURRENT
    )


class NewPasswordForm(HygienicForm):
    password = PasswordField(
        lazy_gettext("New password (12 to 128 characters)"), validators=[DataRequired()], render_kw=NEW
    )
    confirm = PasswordField(
        lazy_gettext("The same password again"),
        validators=[EqualTo("password", lazy_gettext("The passwords differ."))],
        render_kw=NEW,
    )


class ChangePasswordForm(NewPasswordForm):
    current = PasswordField(
        lazy_gettext("Current password"), validators=[DataRequired(), Length(max=MAX_LENGTH)], render_kw=CURRENT
    )
