"""The clinic tablet's forms (CSRF checked for every POST by the app's CSRFProtect as well)."""

from __future__ import annotations

from flask_babel import lazy_gettext
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from feedback.text_edges import HygienicForm


class CodeEntryForm(HygienicForm):
    # Letters and digits: no numeric keyboard; no autocomplete, so the next patient sees no suggestion.
    code = StringField(
        lazy_gettext("Your code"),
        validators=[DataRequired(lazy_gettext("Type the code your therapist gave you.")),
                    Length(max=16, message=lazy_gettext("Type the code your therapist gave you."))],
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )


class ConfirmForm(HygienicForm):
    """A button that changes something and sends nothing else: opening kiosk mode, making a code."""
