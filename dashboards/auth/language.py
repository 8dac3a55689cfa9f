"""The clinician's own language for the app (/account/language): one of the shipped languages, or
the clinic's default. Offered by each language's own name; checked here, not trusted from the form."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext, refresh
from flask_login import current_user
from wtforms import SelectField

from dashboards.audit import audit
from dashboards.auth.account_views import _account_page
from dashboards.auth.views import bp
from feedback.extensions import db
from feedback.i18n import DEFAULT_LANGUAGE, LANGUAGES, language_name, offered_languages
from feedback.i18n import gettext as _
from feedback.language_switch import LanguageForm
from feedback.models import User

#: The form's value for "no language of my own": the clinic's default decides.
CLINIC_DEFAULT = ""


def language_choices() -> list[tuple[str, str]]:
    clinic = getattr(current_user, "clinic", None)  # None: a form built outside a signed-in request
    default = clinic.language if clinic is not None and clinic.language in LANGUAGES else DEFAULT_LANGUAGE
    return [(CLINIC_DEFAULT, _("The clinic's default (%(language)s)", language=language_name(default))),
            *offered_languages()]


class OwnLanguageForm(LanguageForm):
    language = SelectField(lazy_gettext("Language of the app"))

    def offered(self) -> list[tuple[str, str]]:
        return language_choices()


def set_language(user: User, language: str | None) -> None:
    """Store the user's language (None: the clinic's default) and record the change."""
    before = user.language
    user.language = language
    audit("language_changed", subject=user, detail=f"{before or 'clinic default'} -> {language or 'clinic default'}")
    db.session.commit()


@bp.app_context_processor
def _choices() -> dict[str, object]:
    return {"account_language_choices": language_choices}


@bp.post("/account/language")
def change_language() -> ResponseReturnValue:
    form = OwnLanguageForm()
    if not form.validate():
        return _account_page(422, error=_("Choose one of the languages offered."))
    set_language(current_user, form.language.data or None)
    refresh()  # Babel caches the request's locale: say it in the language just chosen
    flash(_("Your language is saved."))
    return redirect(url_for("auth.account"), code=303)
