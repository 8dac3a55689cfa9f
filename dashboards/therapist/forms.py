"""Forms of the therapist pages. Flask-WTF checks each one's CSRF token; the messages say what to fix."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields import SelectChoice
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from dashboards.therapist.models import NOTE_MAX
from dashboards.therapist.operations import FRESH_LINK_WHEN, MESSAGE_ACTIONS, SessionInput
from dashboards.therapist.wording import ATTENDANCE_WORDS, END_REASON_WORDS
from feedback.models import RESPONDENTS
from feedback.text_edges import HygienicForm
from feedback.translatable import N_

#: How a patient's questionnaire links go (feedback.models.CHANNELS).
CHANNEL_WORDS = {"sms": N_("By SMS"), "email": N_("By e-mail"), "link": N_("The therapist hands the link over")}


def _choices(words: dict[str, str]) -> list[SelectChoice]:
    """The words (marked for translation where they are defined) read in the page's language."""
    return [SelectChoice(value, lazy_gettext(label)) for value, label in words.items()]


class SessionForm(HygienicForm):
    day = DateField(lazy_gettext("Date"), validators=[InputRequired(lazy_gettext("Enter the session's date."))],
                    render_kw={"autocomplete": "off"})
    start = TimeField(lazy_gettext("Start time (clinic time)"),
                      validators=[InputRequired(lazy_gettext("Enter the start time, e.g. 14:00."))])
    duration_minutes = IntegerField(
        lazy_gettext("Length in minutes"), default=50,
        validators=[InputRequired(lazy_gettext("Enter the length in minutes.")),
                    NumberRange(5, 480, lazy_gettext("The length must be between 5 and 480 minutes."))],
        render_kw={"inputmode": "numeric"},
    )
    attendance = SelectField(lazy_gettext("Attendance"), choices=_choices(ATTENDANCE_WORDS), default="attended",
                             validators=[DataRequired(lazy_gettext("Choose the attendance."))])

    def entry(self, zone: ZoneInfo) -> SessionInput:
        """The validated input, its local date and time read in the clinic's zone."""
        assert self.day.data is not None and self.start.data is not None and self.duration_minutes.data is not None
        starts_at = datetime.combine(self.day.data, self.start.data, tzinfo=zone)
        return SessionInput(starts_at, self.duration_minutes.data, self.attendance.data or "")


class EndTreatmentForm(HygienicForm):
    reason = SelectField(lazy_gettext("Why did the treatment end?"), choices=_choices(END_REASON_WORDS),
                         validators=[DataRequired(lazy_gettext("Choose why the treatment ended."))])
    ended_on = DateField(lazy_gettext("Last day of treatment"),
                         validators=[InputRequired(lazy_gettext("Enter the date the treatment ended."))])


class NoteForm(HygienicForm):
    text = TextAreaField(
        lazy_gettext("Your note"),
        validators=[DataRequired(lazy_gettext("Write a note before saving it.")),
                    Length(max=NOTE_MAX,
                           message=lazy_gettext("Keep the note to %(max)s characters at most.", max=NOTE_MAX))],
        render_kw={"maxlength": NOTE_MAX, "rows": 4},
    )


class _NewPatientFields(HygienicForm):
    """A new patient's code and therapist: first on the form (fields keep the order they were made in)."""
    code = StringField(
        lazy_gettext("Patient code (a pseudonym, never a name)"),
        validators=[DataRequired(lazy_gettext("Enter a code for the patient.")),
                    Length(max=32, message=lazy_gettext("Keep the code to 32 characters."))],
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )
    therapist_id = SelectField(lazy_gettext("Therapist"), coerce=int, validate_choice=True)


class ContactFields(HygienicForm):
    """How a patient is reached: on the new-patient form and on the page that changes it."""
    mobile = StringField(lazy_gettext("Mobile number (optional, for links by SMS)"),
                         validators=[Optional(),
                                     Length(max=32, message=lazy_gettext("That is too long for a phone number."))],
                         render_kw={"autocomplete": "off", "inputmode": "tel"})
    sms_consent = BooleanField(lazy_gettext("The patient agreed to get their questionnaire links by SMS"))
    email = StringField(lazy_gettext("E-mail address (optional, for links by e-mail)"),
                        validators=[Optional(),
                                    Length(max=254, message=lazy_gettext("That is too long for an e-mail address."))],
                        render_kw={"autocomplete": "off", "inputmode": "email", "spellcheck": "false"})
    email_consent = BooleanField(lazy_gettext("The patient agreed to get their questionnaire links by e-mail"))
    language = SelectField(lazy_gettext("Language of the patient's questionnaire"), validators=[DataRequired()])

    def use_languages(self, languages: dict[str, str]) -> None:
        self.language.choices = [SelectChoice(code, name) for code, name in languages.items()]


class AddPatientForm(_NewPatientFields, ContactFields):
    pass


class ContactForm(ContactFields):
    #: Only while the patient is unsubscribed from e-mail (dashboards/therapist/contact.py), with the
    #: moment of that unsubscribe: a page opened before a newer one cannot lift the newer one.
    email_resume = BooleanField(lazy_gettext("The patient asked for the e-mails again (they had unsubscribed)"))
    email_unsubscribed = HiddenField()
    channel = SelectField(lazy_gettext("Questionnaire links go"), choices=_choices(CHANNEL_WORDS),
                          validators=[DataRequired(lazy_gettext("Choose how the links go."))])


#: Years a link's expiry can fall in: outside them a value is forged (and would overflow the database's dates).
LINK_YEARS = (2000, 2999)


class FreshLinkForm(HygienicForm):
    respondent = SelectField(choices=[SelectChoice(r, r) for r in RESPONDENTS], default="patient",
                             validators=[DataRequired(lazy_gettext("Say whose form needs a new link."))])
    when = SelectField(choices=[SelectChoice(w, w) for w in FRESH_LINK_WHEN], default="next", validate_choice=False,
                       validators=[AnyOf(FRESH_LINK_WHEN,
                                         lazy_gettext("Choose to send the SMS now or at the next allowed time."))])
    #: The expiry of the link the page showed: a second click finds it replaced and does nothing.
    link_expires = StringField()

    def validate_link_expires(self, field: StringField) -> None:
        if field.data and self.replacing() is None:
            raise ValidationError(lazy_gettext("The link this form replaces is not named correctly; reload the page."))

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
                         validators=[DataRequired(lazy_gettext("Choose what to do with the message."))])
