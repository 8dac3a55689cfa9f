"""The safety pathway's forms: acknowledging a safety alert, and a director's safety settings.
Both derive from HygienicForm (no control characters, NFC); the messages say what to fix."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from flask_babel import lazy_gettext
from wtforms import IntegerField, RadioField, TextAreaField
from wtforms.fields import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, ValidationError

from dashboards.safety.alerts import ACTION_WORDS
from dashboards.setup.operations import EMAIL_PATTERN
from feedback.i18n import gettext as _
from feedback.text_edges import HygienicForm

NOTE_MAX = 2000
CRISIS_TEXT_MAX = 1000
ON_CALL_MAX = 10
#: Escalation after 1 to 72 clinic hours: a project bound, so a typo cannot silence it for months.
ESCALATE_HOURS = (1, 72)
#: Characters that would turn one address into several in an e-mail header.
_HEADER_SPECIALS = re.compile(r"[,;<>()\[\]\"\\:]")
#: The settings `save_settings` names (stored in the audit trail in English), in words for the page.
SETTING_NAMES = {"crisis text": lazy_gettext("crisis text"), "on-call addresses": lazy_gettext("on-call addresses"),
                 "escalation hours": lazy_gettext("escalation hours")}


class AcknowledgeForm(HygienicForm):
    action = RadioField(lazy_gettext("What was done"), choices=[SelectChoice(k, w) for k, w in ACTION_WORDS.items()],
                        validators=[InputRequired(lazy_gettext("Choose what was done."))])
    note = TextAreaField(lazy_gettext("Note (required for “something else”)"),
                         validators=[Length(max=NOTE_MAX, message=lazy_gettext(
                             "Keep the note to %(max)s characters at most.", max=NOTE_MAX))],
                         render_kw={"maxlength": NOTE_MAX, "rows": 3})

    def validate_note(self, field: TextAreaField) -> None:
        if self.action.data == "other" and not (field.data or "").strip():
            raise ValidationError(_("Say in the note what was done."))


class SafetySettingsForm(HygienicForm):
    on_call_emails = TextAreaField(
        lazy_gettext("On-call e-mail addresses, one per line (told with the therapist when a safety alert is raised)"),
        render_kw={"rows": 3, "autocomplete": "off", "spellcheck": "false"},
    )
    escalate_hours = IntegerField(
        lazy_gettext("Clinic hours before an unacknowledged safety alert is sent to the directors"),
        validators=[InputRequired(lazy_gettext("Enter a number of hours.")),
                    NumberRange(*ESCALATE_HOURS, message=lazy_gettext("Choose between %(min)s and %(max)s hours."))],
        render_kw={"inputmode": "numeric"},
    )

    def validate_on_call_emails(self, field: TextAreaField) -> None:
        wrong = [a for a in addresses(field.data) if not _is_address(a)]
        if wrong:
            raise ValidationError(_("Not an e-mail address: %(address)s. Write one address per line.",
                                    address=wrong[0][:60]))
        if len(addresses(field.data)) > ON_CALL_MAX:
            raise ValidationError(_("Give at most %(n)s addresses (a shared on-call mailbox counts as one).",
                                    n=ON_CALL_MAX))

    def on_call(self) -> list[str]:
        return addresses(self.on_call_emails.data)

    def crisis_texts(self, languages: Sequence[str]) -> dict[str, str]:
        """The crisis text per language, leaving out the empty ones (they get the default)."""
        texts = {code: (self[crisis_field(code)].data or "").strip() for code in languages}
        return {code: text for code, text in texts.items() if text}


def settings_form(languages: Mapping[str, str], **kwargs: object) -> SafetySettingsForm:
    """The settings form with a crisis text box per language the patients' forms are in."""
    fields = {
        crisis_field(code): TextAreaField(
            lazy_gettext("Crisis text (%(language)s); left empty, the default above", language=name),
            validators=[Length(max=CRISIS_TEXT_MAX,
                               message=lazy_gettext("Keep the crisis text to %(max)s characters at most.",
                                                    max=CRISIS_TEXT_MAX))],
            render_kw={"rows": 4, "maxlength": CRISIS_TEXT_MAX},
        )
        for code, name in languages.items()
    }
    form_class = type("ClinicSafetySettingsForm", (SafetySettingsForm,), fields)
    return form_class(**kwargs)


def crisis_field(language: str) -> str:
    return "crisis_text_" + re.sub(r"[^a-z0-9]", "_", language.lower())


def addresses(text: str | None) -> list[str]:
    """One address per line, blank lines dropped, repeats (in any case) kept once."""
    found: dict[str, str] = {}
    for line in (text or "").splitlines():
        if line.strip():
            found.setdefault(line.strip().lower(), line.strip())
    return list(found.values())


def _is_address(address: str) -> bool:
    # The accounts' rule (dashboards/setup), and nothing that splits a header into several addresses.
    return len(address) <= 254 and bool(EMAIL_PATTERN.match(address)) and not _HEADER_SPECIALS.search(address)
