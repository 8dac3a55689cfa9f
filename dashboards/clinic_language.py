"""The clinic's default language (/clinic/language, its directors): what the pages, e-mails and
SMS speak for every clinician and patient who has not chosen a language of their own. One of the
shipped languages, checked here; each change is audited."""

from __future__ import annotations

from flask_babel import lazy_gettext
from wtforms import SelectField
from wtforms.validators import InputRequired

from dashboards.audit import audit
from feedback.extensions import db
from feedback.i18n import LANGUAGES
from feedback.language_switch import LanguageForm
from feedback.models import Clinic, User


class ClinicLanguageForm(LanguageForm):
    language = SelectField(lazy_gettext("Default language of the clinic"), validators=[InputRequired()])


def set_clinic_language(clinic: Clinic, language: str, actor: User) -> bool:
    """Store the clinic's default language; False (and nothing recorded) when it is already that."""
    if language not in LANGUAGES:
        raise ValueError(f"not a shipped language: {language!r}")
    before = clinic.language
    if before == language:
        return False
    clinic.language = language
    audit("set_clinic_language", actor=actor, clinic_id=clinic.id, detail=f"{before} -> {language}")
    db.session.commit()
    return True
