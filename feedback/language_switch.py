"""The patient's language, changed from the survey page: POST /s/<token>/language (on the clinic
tablet, POST /kiosk/language: dashboards/kiosk).

The link is the only key: it changes the language of the patient it belongs to, nothing else. A
therapist's own form has no switch (a clinician's language is their account's setting). The form
is one button per shipped language, so it works without JavaScript; the value is checked against
the shipped languages, never trusted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, g, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from wtforms import SelectField

from feedback import invitations, link_csrf
from feedback.i18n import gettext as _
from feedback.i18n import offered_languages, use_language
from feedback.invitations import LinkInvalid
from feedback.models import Invitation
from feedback.survey_link import SurveyLink
from feedback.text_edges import HygienicForm

bp = Blueprint("survey_language", __name__)
link_csrf.protect(bp)


class LanguageForm(HygienicForm):
    """A choice of language: the patient's on the survey, a clinician's own, the clinic's default.
    SelectField refuses a value that is not offered, server-side."""

    language = SelectField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.language.choices = self.offered()

    def offered(self) -> list[tuple[str, str]]:
        return offered_languages()


@dataclass(frozen=True)
class Switch:
    action: str
    choices: tuple[tuple[str, str], ...]  # (code, the language's own name)


def language_switch(invitation: SurveyLink, token: str) -> Switch | None:
    """The switch for a patient's form (None on a therapist's); on the clinic tablet it posts to the
    tablet's own address (`g.survey_url`, see survey._url), which has no token in it."""
    if invitation.respondent != "patient":
        return None
    elsewhere = g.get("survey_url")
    action = elsewhere("language") if elsewhere else url_for("survey_language.change", token=token)
    return Switch(action, tuple(offered_languages()))


@bp.post("/s/<token>/language")
def change(token: str) -> ResponseReturnValue:
    return switch_language(invitations.resolve(token, answered=True), url_for("survey.form", token=token))


def switch_language(invitation: SurveyLink | Invitation, back: str) -> ResponseReturnValue:
    """Set the patient's language from the posted form, then back to their questionnaire (a 422 page
    for a language not offered). The link and the clinic tablet's patient part both end here."""
    if invitation.respondent != "patient":
        raise LinkInvalid()
    patient = invitation.session.patient
    # The request's CSRF token was checked before the view: the link's own (feedback/link_csrf.py)
    # or, on the tablet, its session's (Flask-WTF). The form must not check it again against a
    # session, which a link's visitor does not have.
    form = LanguageForm(meta={"csrf": False})
    if not form.validate():
        use_language(patient.language, patient.clinic)
        return render_template(
            "error.html", title=_("This language is not available"),
            message=_("Please go back and choose one of the languages offered on the page."), reference=None,
        ), 422
    invitations.choose_language(invitation, form.language.data)
    return redirect(back, code=303)
