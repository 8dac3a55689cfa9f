"""Sign-in and account forms. CSRF is checked for every POST by the app's CSRFProtect as well."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from dashboards.auth.passwords import MAX_LENGTH


class LoginForm(FlaskForm):
    email = StringField("E-mail address", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=MAX_LENGTH)])
    next = HiddenField()


class CodeForm(FlaskForm):
    code = StringField("Code", validators=[DataRequired(), Length(max=32)])


class PasswordCheckForm(FlaskForm):
    password = PasswordField("Your current password", validators=[DataRequired(), Length(max=MAX_LENGTH)])


class NewPasswordForm(FlaskForm):
    password = PasswordField("New password (12 to 128 characters)", validators=[DataRequired()])
    confirm = PasswordField("The same password again", validators=[EqualTo("password", "The passwords differ.")])


class ChangePasswordForm(NewPasswordForm):
    current = PasswordField("Current password", validators=[DataRequired(), Length(max=MAX_LENGTH)])
