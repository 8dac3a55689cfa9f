"""The tablet's pages: the code screen, the questionnaire it opens and the thanks that ends it.

The questionnaire is the survey's own flow (`feedback/survey.py`: the alliance form, then the
outcome measures due), served at /kiosk/survey... with the invitation taken from the device's
patient part, never from the URL: the tablet's history holds no link, and once the patient part
is cleared every page of it leads back to the code screen. Every response is `no-store`
(dashboards/security.py).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Blueprint, current_app, g, make_response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError

from dashboards.kiosk import device
from dashboards.kiosk.codes import CodeRefused
from dashboards.kiosk.forms import CodeEntryForm
from dashboards.kiosk.models import KioskDevice
from feedback import survey
from feedback.battery.due import progress
from feedback.errors import csrf_page
from feedback.i18n import gettext as _
from feedback.i18n import use_language
from feedback.invitations import link_token, speak_for
from feedback.language_switch import switch_language
from feedback.models import Invitation
from feedback.safety import crisis_text_for

bp = Blueprint("kiosk", __name__, url_prefix="/kiosk")
View = TypeVar("View", bound=Callable[..., Any])
REFUSALS = {"wrong": 422, "expired": 422, "paused": 429}


def on_a_tablet(view: View) -> View:
    """Only in a browser in kiosk mode; anywhere else these pages do not exist (404)."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        tablet = device.from_cookie()
        if tablet is None:
            message = _("This page works only on the clinic's tablet. Your own questionnaire link works on any phone.")
            return render_template("error.html", title=_("Page not found"), message=message, reference=None), 404
        use_language(None, tablet.clinic)
        return view(tablet, *args, **kwargs)

    return wrapped  # type: ignore[return-value]


@bp.errorhandler(CSRFError)
def refused_form(exc: CSRFError) -> ResponseReturnValue:
    """Checked before the views: the page in the language of the patient at the tablet, else the clinic's."""
    tablet = device.from_cookie()
    if tablet is not None and tablet.invitation is not None:
        speak_for(tablet.invitation)
    elif tablet is not None:
        use_language(None, tablet.clinic)
    return csrf_page()


def refusal_message(reason: str) -> str:
    return {
        "wrong": _("That code did not work. Check it and try again, or ask at reception."),
        "expired": _("That code has expired. Please ask your therapist for a new one."),
        "paused": _("Too many codes did not work. Please wait a minute, or ask at reception."),
    }[reason]


@bp.get("")
@on_a_tablet
def code_screen(tablet: KioskDevice) -> ResponseReturnValue:
    """The screen between patients: it shows nothing of anyone, and opening it ends a patient part."""
    if tablet.invitation_id is not None:
        device.end_patient(tablet)
    form = CodeEntryForm(formdata=None)
    return render_template("kiosk/code_screen.html", form=form, error=None)


@bp.post("")
@on_a_tablet
def enter_code(tablet: KioskDevice) -> ResponseReturnValue:
    form = CodeEntryForm()
    if not form.validate():
        return render_template("kiosk/code_screen.html", form=form, error=None), 422
    try:
        device.start_patient(tablet, form.code.data or "")
    except CodeRefused as refused:
        form = CodeEntryForm(formdata=None)  # the wrong code is not shown again
        error = refusal_message(refused.reason)
        return render_template("kiosk/code_screen.html", form=form, error=error), REFUSALS[refused.reason]
    return redirect(url_for("kiosk.form"), code=303)


def _with_patient(view: Callable[..., ResponseReturnValue]) -> Callable[..., ResponseReturnValue]:
    """A page of the patient's questionnaire: run the survey's own view for the open invitation."""

    @wraps(view)
    def wrapped(tablet: KioskDevice, **kwargs: Any) -> ResponseReturnValue:
        invitation = device.patient_part(tablet)
        if invitation is None:
            return redirect(url_for("kiosk.code_screen"), code=303)
        speak_for(invitation)
        g.survey_url = _address
        return view(tablet, invitation, link_token(invitation), **kwargs)

    return wrapped


def _address(endpoint: str, **values: str) -> str:
    """The tablet's address for a page of the survey's flow (see survey._url)."""
    if endpoint in ("thanks", "battery_thanks"):
        return url_for("kiosk.thanks")
    if endpoint in ("outcome_form", "outcome_submit"):
        return url_for("kiosk.outcome_form", **values)
    if endpoint == "language":
        return url_for("kiosk.language")
    return url_for("kiosk.form")


@bp.route("/survey", methods=["GET", "POST"])
@on_a_tablet
@_with_patient
def form(tablet: KioskDevice, invitation: Invitation, token: str) -> ResponseReturnValue:
    return survey.submit(token) if request.method == "POST" else survey.form(token)


@bp.route("/survey/<instrument_id>", methods=["GET", "POST"])
@on_a_tablet
@_with_patient
def outcome_form(tablet: KioskDevice, invitation: Invitation, token: str, instrument_id: str) -> ResponseReturnValue:
    if request.method == "POST":
        return survey.outcome_submit(token, instrument_id)
    return survey.outcome_form(token, instrument_id)


@bp.post("/language")
@on_a_tablet
@_with_patient
def language(tablet: KioskDevice, invitation: Invitation, token: str) -> ResponseReturnValue:
    """The survey page's language switch on the tablet: the patient part's patient, never a token."""
    return switch_language(invitation, url_for("kiosk.form"))


@bp.get("/thanks")
@on_a_tablet
@_with_patient
def thanks(tablet: KioskDevice, invitation: Invitation, token: str) -> ResponseReturnValue:
    """The end of the flow: thanks (and the crisis text if an answer raised a safety alert), the
    patient part cleared at once, and the code screen after a while (longer with the crisis text)."""
    # In the page's language, resolved as on the link (the patient's may be one only a form has).
    language = speak_for(invitation)
    crisis = crisis_text_for(invitation.session.patient.clinic, language) if progress(invitation).alerted else None
    # Cleared before rendering: a page of a patient part pings /kiosk/alive on a touch, and the
    # ping's 410 would take a patient reading the crisis text to the code screen.
    device.end_patient(tablet)
    page = make_response(render_template("kiosk/thanks.html", crisis=crisis))
    thanks_seconds = int(current_app.config.get("KIOSK_THANKS_SECONDS", 15))
    wait = int(device.idle_limit().total_seconds()) if crisis else thanks_seconds
    page.headers["Refresh"] = f"{wait}; url={url_for('kiosk.code_screen')}"
    return page


@bp.get("/alive")
@on_a_tablet
def alive(tablet: KioskDevice) -> ResponseReturnValue:
    """The idle script's sign of life while the patient answers: 204, or 410 once the part has ended."""
    return ("", 204) if device.patient_part(tablet) is not None else ("", 410)
