"""Which instruments a new session uses, how long its links live, and what a link looks like."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, has_request_context, url_for

from feedback.i18n import language_name, shipped_languages
from feedback.instruments.model import Instrument
from feedback.instruments.registry import registry

DEFAULT_BASE_URL = "http://127.0.0.1:5000"


def session_instruments() -> dict[str, Instrument]:
    config = current_app.config
    return {
        "patient": registry().get(config.get("PATIENT_INSTRUMENT", "post-session-patient")),
        "therapist": registry().get(config.get("THERAPIST_INSTRUMENT", "post-session-therapist")),
    }


def patient_languages() -> dict[str, str]:
    """The languages a patient can be written to in, by their own names: the shipped ones (pages,
    SMS, e-mail), then any other the clinic's patient form has (a licensed file's own language)."""
    codes = dict.fromkeys((*shipped_languages(), *session_instruments()["patient"].languages))
    return {code: language_name(code) for code in codes}


def link_validity() -> timedelta:
    return timedelta(hours=float(current_app.config.get("LINK_VALID_HOURS", 72)))


def external_url(endpoint: str, **values: object) -> str:
    """An absolute URL for links that leave the app (SMS, e-mail, CLI output), also outside a request."""
    base = current_app.config.get("PUBLIC_BASE_URL")
    if has_request_context() and not base:
        return url_for(endpoint, **values, _external=True)
    with current_app.test_request_context(base_url=base or DEFAULT_BASE_URL):
        return url_for(endpoint, **values, _external=True)


def survey_url(token: str) -> str:
    return external_url("survey.form", token=token)
