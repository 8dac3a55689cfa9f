"""Forms of the directors' and admins' pages."""

from __future__ import annotations

from flask_babel import lazy_gettext
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, Length

from dashboards.auth.roles import ROLE_NAMES
from feedback.text_edges import HygienicForm


class AddAccountForm(HygienicForm):
    email = StringField(lazy_gettext("E-mail address"), validators=[DataRequired(), Length(max=254)])
    display_name = StringField(lazy_gettext("Name shown in the dashboards"), validators=[Length(max=120)])
    role = SelectField(lazy_gettext("Role"), choices=[SelectChoice("therapist", ROLE_NAMES["therapist"])])


class ActionForm(HygienicForm):
    """A button that changes something: CSRF token only."""


class BreakGlassForm(HygienicForm):
    patient_code = StringField(lazy_gettext("Patient code"), validators=[DataRequired(), Length(max=32)])
    reason = TextAreaField(
        lazy_gettext("Why you need to see this patient's data"), validators=[DataRequired(), Length(max=500)]
    )


class ShareForm(HygienicForm):
    user_id = IntegerField(lazy_gettext("Colleague"), validators=[DataRequired()])
