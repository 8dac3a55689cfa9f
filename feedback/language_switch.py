"""The patient's language, changed from the survey page: POST /s/<token>/language.

The link is the only key: it changes the language of the patient it belongs to, nothing else. A
therapist's own form has no switch (a clinician's language is their account's setting). The form
is one button per shipped language, so it works without JavaScript; the value is checked against
the shipped languages, never trusted.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from feedback import invitations
from feedback.i18n import LanguageForm, offered_languages, use_language
from feedback.invitations import LinkInvalid
from feedback.models import Invitation

bp = Blueprint("survey_language", __name__)


@dataclass(frozen=True)
class Switch:
    action: str
    choices: tuple[tuple[str, str], ...]  # (code, the language's own name)


def language_switch(invitation: Invitation, token: str) -> Switch | None:
    """The switch for a patient's form (None on a therapist's)."""
    if invitation.respondent != "patient":
        return None
    return Switch(url_for("survey_language.change", token=token), tuple(offered_languages()))


@bp.post("/s/<token>/language")
def change(token: str) -> ResponseReturnValue:
    invitation = invitations.resolve(token, answered=True)
    if invitation.respondent != "patient":
        raise LinkInvalid()
    patient = invitation.session.patient
    form = LanguageForm()
    if not form.validate():
        use_language(patient.language, patient.clinic)
        return render_template(
            "error.html", title=_("This language is not available"),
            message=_("Please go back and choose one of the languages offered on the page."), reference=None,
        ), 422
    invitations.choose_language(patient, form.language.data)
    return redirect(url_for("survey.form", token=token), code=303)
