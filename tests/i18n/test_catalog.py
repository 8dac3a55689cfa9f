"""`feedback.i18n.catalog()` keeps the page's catalog for the request, and must still follow every
change of language within it: `force_locale` (a patient's language on a clinician's page, an SMS),
`use_language` (the survey's language switch) and `refresh()`."""

from __future__ import annotations

from flask import Flask, g, render_template_string
from flask_babel import force_locale, refresh

from feedback.i18n import catalog, current_locale, gettext, use_language

WORDS = '{{ _("Send my answers") }} / {{ _("Sign out") }}'


def test_a_page_in_english_says_a_forced_language_and_comes_back(app: Flask) -> None:
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert gettext("Send my answers") == "Send my answers"
        with force_locale("es"):
            assert gettext("Send my answers") == "Enviar mis respuestas"
            assert render_template_string(WORDS) == "Enviar mis respuestas / Cerrar sesión"
            assert str(current_locale()) == "es"
        assert render_template_string(WORDS) == "Send my answers / Sign out"
        assert str(current_locale()) == "en"


def test_a_language_chosen_mid_request_is_spoken_from_the_next_word(app: Flask) -> None:
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert render_template_string(WORDS) == "Send my answers / Sign out"
        use_language("es")
        assert render_template_string(WORDS) == "Enviar mis respuestas / Cerrar sesión"
        assert gettext("Sign out") == "Cerrar sesión"


def test_refresh_reads_the_language_again(app: Flask) -> None:
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert gettext("Sign out") == "Sign out"
        g.language = "es"  # what a view names for the request (feedback.i18n.select_language)
        assert gettext("Sign out") == "Sign out"  # chosen once per request, as Flask-Babel does
        refresh()
        assert gettext("Sign out") == "Cerrar sesión"


def test_the_catalog_is_kept_within_a_request_and_not_across_them(app: Flask) -> None:
    # Each request in its own app context, as in production (the `app` fixture keeps one pushed).
    with app.app_context(), app.test_request_context("/", headers={"Accept-Language": "es"}):
        first = catalog()
        assert catalog() is first
    with app.app_context(), app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert gettext("Sign out") == "Sign out"


def test_outside_an_app_a_word_is_its_english_source() -> None:
    assert gettext("Sign out") == "Sign out"
    assert gettext("%(n)s sessions", n=3) == "3 sessions"
