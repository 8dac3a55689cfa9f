"""The safety pathway's forms: acknowledging a safety alert, and a director's safety settings.
Both derive from HygienicForm (no control characters, NFC); the messages say what to fix."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from wtforms import IntegerField, RadioField, TextAreaField
from wtforms.fields import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, ValidationError

from dashboards.safety.alerts import ACTION_WORDS
from dashboards.setup.operations import EMAIL_PATTERN
from feedback.text_edges import HygienicForm

NOTE_MAX = 2000
CRISIS_TEXT_MAX = 1000
ON_CALL_MAX = 10
#: Escalation after 1 to 72 clinic hours: a project bound, so a typo cannot silence it for months.
ESCALATE_HOURS = (1, 72)
#: Characters that would turn one address into several in an e-mail header.
_HEADER_SPECIALS = re.compile(r"[,;<>()\[\]\"\\:]")


class AcknowledgeForm(HygienicForm):
    action = RadioField("What was done", choices=[SelectChoice(k, w) for k, w in ACTION_WORDS.items()],
                        validators=[InputRequired("Choose what was done.")])
    note = TextAreaField("Note (required for “something else”)",
                         validators=[Length(max=NOTE_MAX, message=f"Keep the note under {NOTE_MAX} characters.")],
                         render_kw={"maxlength": NOTE_MAX, "rows": 3})

    def validate_note(self, field: TextAreaField) -> None:
        if self.action.data == "other" and not (field.data or "").strip():
            raise ValidationError("Say in the note what was done.")


class SafetySettingsForm(HygienicForm):
    on_call_emails = TextAreaField(
        "On-call e-mail addresses, one per line (told with the therapist when a safety alert is raised)",
        render_kw={"rows": 3, "autocomplete": "off", "spellcheck": "false"},
    )
    escalate_hours = IntegerField(
        "Clinic hours before an unacknowledged safety alert is sent to the directors",
        validators=[InputRequired("Enter a number of hours."),
                    NumberRange(*ESCALATE_HOURS, message="Choose between %(min)s and %(max)s hours.")],
        render_kw={"inputmode": "numeric"},
    )

    def validate_on_call_emails(self, field: TextAreaField) -> None:
        wrong = [a for a in addresses(field.data) if not _is_address(a)]
        if wrong:
            raise ValidationError(f"Not an e-mail address: {wrong[0][:60]}. Write one address per line.")
        if len(addresses(field.data)) > ON_CALL_MAX:
            raise ValidationError(f"Give at most {ON_CALL_MAX} addresses (a shared on-call mailbox counts as one).")

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
            f"Crisis text ({name}); left empty, the default below",
            validators=[Length(max=CRISIS_TEXT_MAX,
                               message=f"Keep the crisis text under {CRISIS_TEXT_MAX} characters.")],
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
