"""The questionnaire by link: /s/<token>. Works on a phone, with or without JavaScript.

One link, one flow: the alliance form, then the outcome measures due at the session
(`feedback/battery/`), each on its own page at /s/<token>/<instrument id>, each stored when sent.
The alliance form stays single-use; the link stays open for the outcome measures until it expires.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Hashable
from datetime import timedelta

from flask import Blueprint, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from feedback import invitations, link_csrf, survey_page
from feedback.battery.due import Progress, progress
from feedback.battery.store import AlreadyAnswered, record_outcome
from feedback.extensions import without_transaction
from feedback.i18n import DEFAULT_LANGUAGE, page_language, translated, use_language, weekday_date
from feedback.instruments.answers import parse_answers
from feedback.instruments.model import Instrument
from feedback.instruments.registry import registry
from feedback.instruments.scoring import score
from feedback.invitations import LinkCompleted, LinkInvalid, respondent, speak_for
from feedback.language_switch import language_switch
from feedback.safety import crisis_text_for, not_monitored_notice
from feedback.signals import hidden_items
from feedback.survey_link import SurveyLink
from feedback.text_hygiene import whole_number

bp = Blueprint("survey", __name__, static_folder="static", static_url_path="/static/feedback")
link_csrf.protect(bp)

MAX_SECONDS = int(timedelta(hours=24).total_seconds())


def _render(
    invitation: SurveyLink,
    token: str,
    instrument: Instrument,
    steps: Progress,
    values: dict[str, list[str]],
    errors: dict[str, str],
    status: int = 200,
) -> ResponseReturnValue:
    """The alliance form or an outcome measure: one template, one way of showing questions and errors.
    A blank form on the link's own pages is a copy of a page kept per process (`survey_page`)."""
    patient = invitation.session.patient
    on_link = g.get("survey_url") is None  # else the clinic tablet's page, with its session's CSRF token
    kept = on_link and not values and not errors
    page_values = _page_values(invitation, survey_page.TOKEN if kept else token, instrument, steps)
    # After _page_values, which sets the page's language (_form_language): the date is said in it.
    day = weekday_date(invitation.session.starts_at.astimezone(patient.clinic.zone))
    if kept:
        return survey_page.blank_form(instrument, page_values, token=token, day=day, started=int(time.time())), status
    form_csrf = link_csrf.form_token(token) if on_link else None
    return (
        render_template(
            "feedback/survey.html",
            instrument=instrument,
            **page_values,
            **({"csrf_token": lambda: form_csrf} if form_csrf else {}),
            values=values,
            errors={item_id: translated(message) for item_id, message in errors.items()},
            started=request.form.get("started") or int(time.time()),
            session_day=day,
        ),
        status,
    )


def _page_values(invitation: SurveyLink, token: str, instrument: Instrument, steps: Progress) -> dict[str, Hashable]:
    """What the form's page shows besides its answers, errors and the per-request values."""
    language = _form_language(invitation, instrument)
    alliance = instrument.id == invitation.instrument_id
    # An outcome measure's file has no notice of its own: the same people see it as the alliance form.
    notice = instrument.privacy_notice or _alliance(invitation).privacy_notice
    action = _url("submit", token) if alliance else _url("outcome_submit", token, instrument_id=instrument.id)
    return {
        "hidden": hidden_items(invitation) if alliance else frozenset(),
        "switch": language_switch(invitation, token),
        "language": language,
        "action": action,
        "privacy_notice": instrument.text(notice, language) if notice else "",
        "step": (steps.position(instrument.id), len(steps.forms)) if len(steps.forms) > 1 else None,
        "more_to_come": steps.followed_by_another(instrument.id),
        "crisis": _crisis(invitation, language) if steps.alerted else None,
        "not_monitored": not_monitored_notice(invitation.session.patient.clinic)
        if invitation.respondent == "patient" else "",
    }


def _crisis(invitation: SurveyLink, language: str) -> str:
    return crisis_text_for(invitation.session.patient.clinic, language)


# The alliance form's page and answer send their statements alone (feedback/alone.py): the session
# is not used on their way, unless the link has outcome measures to come.
@bp.get("/s/<token>")
def form(token: str) -> ResponseReturnValue:
    invitation = invitations.resolve(token, answered=True)
    steps = progress(invitation)
    if invitation.completed_at is not None:
        return _onwards(invitation, token, steps)
    page = _render(invitation, token, _alliance(invitation), steps, {}, {})
    # After rendering: in a session's transaction (outcome measures were read) the stamp commits it,
    # and a read after it would begin another.
    invitations.mark_opened(invitation)
    return page


@bp.post("/s/<token>")
def submit(token: str) -> ResponseReturnValue:
    invitation = invitations.resolve(token, answered=True)
    steps = progress(invitation)
    if invitation.completed_at is not None:
        return _answered(invitation, token, steps)
    instrument = _alliance(invitation)
    language = _form_language(invitation, instrument)
    hidden = hidden_items(invitation)  # optional items this form leaves out: an answer to one is ignored
    submitted = {key: request.form.getlist(key) for key in request.form if key not in hidden}
    answers, errors = parse_answers(instrument, submitted)
    if errors:
        # Re-show with everything the respondent entered, including the faulty values.
        return _render(invitation, token, instrument, steps, submitted, errors, status=422)
    try:
        invitations.record_response(invitation, answers, score(instrument, answers), seconds_taken=_seconds_taken(),
                                    language=language)
    except LinkCompleted:  # the same form sent twice at once: the other copy was stored
        stored = invitations.resolve(token, answered=True)
        return _answered(stored, token, progress(stored))
    if len(steps.forms) > 1:
        return _next(token, steps.outcome_forms[0])
    return redirect(_url("thanks", token, **_thanks_language()), code=303)


@bp.get("/s/<token>/<instrument_id>")
@without_transaction
def outcome_form(token: str, instrument_id: str) -> ResponseReturnValue:
    invitation, steps, instrument = _outcome_page(token, instrument_id)
    if invitation.completed_at is None:
        return redirect(_url("form", token), code=303)  # the alliance form comes first
    if instrument_id in steps.answered:
        return _onwards(invitation, token, steps)  # e.g. the back button: on to what is left
    return _render(invitation, token, instrument, steps, {}, {})


@bp.post("/s/<token>/<instrument_id>")
def outcome_submit(token: str, instrument_id: str) -> ResponseReturnValue:
    invitation, steps, instrument = _outcome_page(token, instrument_id)
    if invitation.completed_at is None:
        return redirect(_url("form", token), code=303)
    if instrument_id in steps.answered:
        return _answered(invitation, token, steps)
    submitted = {key: request.form.getlist(key) for key in request.form}
    answers, errors = parse_answers(instrument, submitted)
    if errors:
        return _render(invitation, token, instrument, steps, submitted, errors, status=422)
    try:
        record_outcome(invitation, instrument, answers, language=_form_language(invitation, instrument))
    except AlreadyAnswered:
        pass  # a concurrent copy was stored first; the page below says so
    else:
        return _onwards(invitation, token, progress(invitation))
    return _answered(invitation, token, progress(invitation))


@bp.get("/s/<token>/thanks")
@without_transaction
def battery_thanks(token: str) -> ResponseReturnValue:
    """The thank-you page at the end of a battery: with the crisis text when an answer raised an alert."""
    invitation = invitations.resolve(token, answered=True)
    if invitation.completed_at is None:  # an address typed in: nothing was received yet
        return redirect(_url("form", token), code=303)
    steps = progress(invitation)
    language = speak_for(invitation)
    return render_template("feedback/thanks.html", crisis=_crisis(invitation, language) if steps.alerted else None)


@bp.get("/s/thanks")
def thanks() -> ResponseReturnValue:
    use_language(request.args.get("lang"))  # the link is used up: its language comes along (_thanks_language)
    return render_template("feedback/thanks.html", crisis=None)


def _url(endpoint: str, token: str, **values: str) -> str:
    """The address of a page of this flow. The clinic tablet (dashboards/kiosk) serves the same
    pages at its own addresses, without the token in them, and names them in `g.survey_url`."""
    elsewhere = g.get("survey_url")
    if elsewhere is not None:
        return elsewhere(endpoint, **values)
    return url_for(f"survey.{endpoint}", **({} if endpoint == "thanks" else {"token": token}), **values)


def _form_language(invitation: SurveyLink, instrument: Instrument) -> str:
    """The language the questions are shown, and the answers stored, in: the respondent's own when
    the file has it (a clinic's licensed form may have a language the pages do not ship), else the
    page's when the file has that, else the file's first."""
    page = speak_for(invitation)
    own = respondent(invitation).language
    return own if own in instrument.languages else instrument.language_for(page)


def _thanks_language() -> dict[str, str]:
    language = page_language()
    return {} if language == DEFAULT_LANGUAGE else {"lang": language}


def _alliance(invitation: SurveyLink) -> Instrument:
    return registry().get(invitation.instrument_id, invitation.instrument_version)


def _outcome_page(token: str, instrument_id: str) -> tuple[SurveyLink, Progress, Instrument]:
    """The link, where it stands and the measure asked for; an unknown measure, or one this
    session does not ask for, is a page that does not exist."""
    invitation = invitations.resolve(token, answered=True)
    steps = progress(invitation)
    if instrument_id not in steps.outcome_forms:
        raise LinkInvalid(invitation)
    return invitation, steps, registry().get(instrument_id)


def _next(token: str, instrument_id: str) -> ResponseReturnValue:
    return redirect(_url("outcome_form", token, instrument_id=instrument_id), code=303)


def _onwards(invitation: SurveyLink, token: str, steps: Progress) -> ResponseReturnValue:
    """After a form is stored, or when an answered form is opened again: the next form still to
    answer, else the end of the battery."""
    following = steps.next_form()
    if following is not None:
        return _next(token, following)
    if steps.outcome_forms:
        return redirect(_url("battery_thanks", token), code=303)
    raise LinkCompleted(invitation)


def _answered(invitation: SurveyLink, token: str, steps: Progress) -> ResponseReturnValue:
    """A form sent again (reload, back button, double tap): 409, the first answers kept, and the
    way on to any form still to answer."""
    if not steps.outcome_forms:
        raise LinkCompleted(invitation)
    following = steps.next_form()
    language = speak_for(invitation)
    return render_template(
        "feedback/answered.html",
        next_url=_url("outcome_form", token, instrument_id=following) if following else None,
        step=(steps.position(following), len(steps.forms)) if following else None,
        crisis=_crisis(invitation, language) if steps.alerted else None,
    ), 409


def _seconds_taken() -> int | None:
    try:
        started = whole_number(request.form.get("started", ""), largest=sys.maxsize)
    except ValueError:
        return None
    elapsed = int(time.time()) - started
    return elapsed if 0 <= elapsed <= MAX_SECONDS else None
