"""The questionnaire by link: /s/<token>. Works on a phone, with or without JavaScript."""

from __future__ import annotations

import time
from datetime import timedelta

from flask import Blueprint, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from feedback import invitations
from feedback.instruments.answers import parse_answers
from feedback.instruments.registry import registry
from feedback.instruments.scoring import score
from feedback.models import Invitation
from feedback.signals import hidden_items

bp = Blueprint("survey", __name__, static_folder="static", static_url_path="/static/feedback")

MAX_SECONDS = int(timedelta(hours=24).total_seconds())


def _render(
    invitation: Invitation, token: str, values: dict[str, list[str]], errors: dict[str, str], status: int = 200
) -> ResponseReturnValue:
    instrument = registry().get(invitation.instrument_id, invitation.instrument_version)
    patient = invitation.session.patient
    language = patient.language if invitation.respondent == "patient" else instrument.languages[0]
    return (
        render_template(
            "feedback/survey.html",
            instrument=instrument,
            hidden=hidden_items(invitation),
            language=language,
            token=token,
            values=values,
            errors=errors,
            started=request.form.get("started") or int(time.time()),
            session_date=invitation.session.starts_at.astimezone(patient.clinic.zone),
        ),
        status,
    )


@bp.get("/s/<token>")
def form(token: str) -> ResponseReturnValue:
    invitation = invitations.resolve(token)
    invitations.mark_opened(invitation)
    return _render(invitation, token, {}, {})


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
        started = int(request.form.get("started", ""))
    except ValueError:
        return None
    elapsed = int(time.time()) - started
    return elapsed if 0 <= elapsed <= MAX_SECONDS else None
