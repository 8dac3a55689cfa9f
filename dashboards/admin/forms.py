"""Forms of the directors' and admins' pages."""

from __future__ import annotations

from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, Length

from feedback.text_edges import HygienicForm


class AddAccountForm(HygienicForm):
    email = StringField("E-mail address", validators=[DataRequired(), Length(max=254)])
    display_name = StringField("Name shown in the dashboards", validators=[Length(max=120)])
    role = SelectField("Role", choices=[SelectChoice("therapist", "Therapist")])


class ActionForm(HygienicForm):
    """A button that changes something: CSRF token only."""


class BreakGlassForm(HygienicForm):
    patient_code = StringField("Patient code", validators=[DataRequired(), Length(max=32)])
    reason = TextAreaField("Why you need to see this patient's data", validators=[DataRequired(), Length(max=500)])


class ShareForm(HygienicForm):
    user_id = IntegerField("Colleague", validators=[DataRequired()])
