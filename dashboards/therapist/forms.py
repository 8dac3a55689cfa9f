"""Forms of the therapist pages. Flask-WTF checks each one's CSRF token; the messages say what to fix."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, TextAreaField, TimeField
from wtforms.fields import SelectChoice
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from dashboards.therapist.models import NOTE_MAX
from dashboards.therapist.operations import FRESH_LINK_WHEN, MESSAGE_ACTIONS, SessionInput
from dashboards.therapist.wording import ATTENDANCE_WORDS, END_REASON_WORDS
from feedback.models import RESPONDENTS
from feedback.text_edges import HygienicForm


def _choices(words: dict[str, str]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in words.items()]


class SessionForm(HygienicForm):
    day = DateField("Date", validators=[InputRequired("Enter the session's date.")],
                    render_kw={"autocomplete": "off"})
    start = TimeField("Start time (clinic time)", validators=[InputRequired("Enter the start time, e.g. 14:00.")])
    duration_minutes = IntegerField(
        "Length in minutes", default=50,
        validators=[InputRequired("Enter the length in minutes."),
                    NumberRange(5, 480, "The length must be between 5 and 480 minutes.")],
        render_kw={"inputmode": "numeric"},
    )
    attendance = SelectField("Attendance", choices=_choices(ATTENDANCE_WORDS), default="attended",
                             validators=[DataRequired("Choose the attendance.")])

    def entry(self, zone: ZoneInfo) -> SessionInput:
        """The validated input, its local date and time read in the clinic's zone."""
        assert self.day.data is not None and self.start.data is not None and self.duration_minutes.data is not None
        starts_at = datetime.combine(self.day.data, self.start.data, tzinfo=zone)
        return SessionInput(starts_at, self.duration_minutes.data, self.attendance.data or "")


class EndTreatmentForm(HygienicForm):
    reason = SelectField("Why did the treatment end?", choices=_choices(END_REASON_WORDS),
                         validators=[DataRequired("Choose why the treatment ended.")])
    ended_on = DateField("Last day of treatment", validators=[InputRequired("Enter the date the treatment ended.")])


class NoteForm(HygienicForm):
    text = TextAreaField(
        "Your note",
        validators=[DataRequired("Write a note before saving it."),
                    Length(max=NOTE_MAX, message=f"Keep the note under {NOTE_MAX} characters.")],
        render_kw={"maxlength": NOTE_MAX, "rows": 4},
    )


class AddPatientForm(HygienicForm):
    code = StringField(
        "Patient code (a pseudonym, never a name)",
        validators=[DataRequired("Enter a code for the patient."),
                    Length(max=32, message="Keep the code to 32 characters.")],
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )
    therapist_id = SelectField("Therapist", coerce=int, validate_choice=True)
    mobile = StringField("Mobile number (optional, for links by SMS)",
                         validators=[Optional(), Length(max=32, message="That is too long for a phone number.")],
                         render_kw={"autocomplete": "off", "inputmode": "tel"})
    sms_consent = BooleanField("The patient agreed to get their questionnaire links by SMS")
    email = StringField("E-mail address (optional, for links by e-mail)",
                        validators=[Optional(), Length(max=254, message="That is too long for an e-mail address.")],
                        render_kw={"autocomplete": "off", "inputmode": "email", "spellcheck": "false"})
    email_consent = BooleanField("The patient agreed to get their questionnaire links by e-mail")
    language = SelectField("Language of the patient's questionnaire", validators=[DataRequired()])


#: Years a link's expiry can fall in: outside them a value is forged (and would overflow the database's dates).
LINK_YEARS = (2000, 2999)


class FreshLinkForm(HygienicForm):
    respondent = SelectField(choices=[SelectChoice(r, r) for r in RESPONDENTS], default="patient",
                             validators=[DataRequired("Say whose form needs a new link.")])
    when = SelectField(choices=[SelectChoice(w, w) for w in FRESH_LINK_WHEN], default="next", validate_choice=False,
                       validators=[AnyOf(FRESH_LINK_WHEN, "Choose to send the SMS now or at the next allowed time.")])
    #: The expiry of the link the page showed: a second click finds it replaced and does nothing.
    link_expires = StringField()

    def validate_link_expires(self, field: StringField) -> None:
        if field.data and self.replacing() is None:
            raise ValidationError("The link this form replaces is not named correctly; reload the page.")

    def replacing(self) -> datetime | None:
        """The named expiry in UTC; None when it is not a real moment a link could expire at."""
        try:
            moment = datetime.fromisoformat(self.link_expires.data or "")
            if moment.tzinfo is None:
                return None
            moment = moment.astimezone(UTC)  # year 1 or 9999 in another zone overflows here
        except (ValueError, OverflowError):
            return None
        return moment if LINK_YEARS[0] <= moment.year <= LINK_YEARS[1] else None


class MessageForm(HygienicForm):
    action = SelectField(choices=[SelectChoice(a, a) for a in MESSAGE_ACTIONS],
                         validators=[DataRequired("Choose what to do with the message.")])
