"""The questionnaire by link: /s/<token>. Works on a phone, with or without JavaScript."""

from __future__ import annotations

import sys
import time
from datetime import timedelta

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from markupsafe import Markup

from feedback import invitations
from feedback.instruments.answers import parse_answers
from feedback.instruments.model import Instrument
from feedback.instruments.registry import registry
from feedback.instruments.scoring import score
from feedback.models import Invitation
from feedback.safety import not_monitored_notice
from feedback.signals import hidden_items
from feedback.text_hygiene import whole_number

bp = Blueprint("survey", __name__, static_folder="static", static_url_path="/static/feedback")

MAX_SECONDS = int(timedelta(hours=24).total_seconds())


def _render(
    invitation: Invitation, token: str, values: dict[str, list[str]], errors: dict[str, str], status: int = 200
) -> ResponseReturnValue:
    instrument = registry().get(invitation.instrument_id, invitation.instrument_version)
    patient = invitation.session.patient
    language = patient.language if invitation.respondent == "patient" else instrument.languages[0]
    hidden = hidden_items(invitation)
    return (
        render_template(
            "feedback/survey.html",
            instrument=instrument,
            hidden=hidden,
            questions=None if values or errors else _blank_questions(instrument, language, hidden),
            language=language,
            token=token,
            values=values,
            errors=errors,
            started=request.form.get("started") or int(time.time()),
            session_date=invitation.session.starts_at.astimezone(patient.clinic.zone),
            not_monitored=not_monitored_notice(patient.clinic) if invitation.respondent == "patient" else "",
        ),
        status,
    )


def _blank_questions(instrument: Instrument, language: str, hidden: frozenset[str]) -> Markup:
    """The questions of an empty form, rendered once per process: the loop over the items was half
    of a survey GET (bench/RESULTS.md), and its output depends only on these three."""
    cache = current_app.extensions.setdefault("survey_blank_questions", {})
    key = (instrument.id, instrument.version, language, hidden)
    if key not in cache:
        html = render_template(
            "feedback/_questions.html", instrument=instrument, hidden=hidden, language=language, values={}, errors={}
        )
        cache[key] = Markup(html)  # noqa: S704  (an autoescaped template's output, not raw input)
    return cache[key]


@bp.get("/s/<token>")
def form(token: str) -> ResponseReturnValue:
    invitation = invitations.resolve(token)
    page = _render(invitation, token, {}, {})
    # After rendering: the commit expires what `resolve` loaded, and the page would load it again.
    invitations.mark_opened(invitation)
    return page


@bp.post("/s/<token>")
def submit(token: str) -> ResponseReturnValue:
    invitation = invitations.resolve(token)
    instrument = registry().get(invitation.instrument_id, invitation.instrument_version)
    hidden = hidden_items(invitation)  # optional items this form leaves out: an answer to one is ignored
    submitted = {key: request.form.getlist(key) for key in request.form if key not in hidden}
    answers, errors = parse_answers(instrument, submitted)
    if errors:
        # Re-show with everything the respondent entered, including the faulty values.
        return _render(invitation, token, submitted, errors, status=422)
    invitations.record_response(invitation, answers, score(instrument, answers), seconds_taken=_seconds_taken())
    return redirect(url_for("survey.thanks"), code=303)


@bp.get("/s/thanks")
def thanks() -> ResponseReturnValue:
    return render_template("feedback/thanks.html")


def _seconds_taken() -> int | None:
    try:
        started = whole_number(request.form.get("started", ""), largest=sys.maxsize)
    except ValueError:
        return None
    elapsed = int(time.time()) - started
    return elapsed if 0 <= elapsed <= MAX_SECONDS else None
