"""One-click unsubscribe from the invitation e-mails (RFC 8058), at `/u/<token>`.

The token names a patient and a channel and is signed: `e<patient id in hex>_<HMAC>`, under a key
derived from SECRET_KEY. It holds no code, address or name, and never expires (an old e-mail's
button must still work). Rotating SECRET_KEY retires the links of e-mails already sent.

A GET only shows a page with a button: mail scanners and link previews fetch every link in an
e-mail, and a GET that unsubscribed would unsubscribe patients who never asked. The POST (the
button, or the mail client's own RFC 8058 request) unsubscribes at once: the e-mails still queued
for the patient are cancelled in the same transaction, and the audit trail records it by patient.
The page that answers that POST offers to undo it (`/u/<token>/resume`, an ordinary form with its
CSRF token) for an hour: its form carries a second signed token, for this unsubscribe only, which
the later page of an old e-mail's link does not have. So someone else holding an old e-mail (a
shared or former mailbox) can stop the e-mails but not turn them back on. The e-mails resume from
the next invitation, also recorded in the trail.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

from flask import Blueprint, abort, current_app, render_template, request
from flask.typing import ResponseReturnValue
from itsdangerous import BadData, URLSafeTimedSerializer

from feedback.delivery.optout import resume_email, stop_email
from feedback.delivery.settings import block_reason_for
from feedback.extensions import csrf, db
from feedback.i18n import use_language
from feedback.links import external_url
from feedback.models import Patient
from feedback.signals import email_resumed, email_stopped
from feedback.translatable import N_

bp = Blueprint("unsubscribe", __name__)

#: Channels a link can unsubscribe from, and their letter in the token (SMS have STOP).
_CHANNELS = {"email": "e"}
_TOKEN = re.compile(r"^([a-z])([0-9a-f]{1,12})_([A-Za-z0-9_-]{32})$")
#: How long the page of an unsubscribe can undo it. A project choice: time enough to notice a tap by
#: mistake, too short for an old e-mail in other hands to turn the e-mails back on later.
UNDO_SECONDS = 3600


def unsubscribe_token(patient_id: int, channel: str) -> str:
    letter = _CHANNELS[channel]
    return f"{letter}{patient_id:x}_{_signature(letter, patient_id)}"


def unsubscribe_url(patient_id: int, channel: str) -> str:
    return external_url("unsubscribe.confirm", token=unsubscribe_token(patient_id, channel))


def patient_for(token: str) -> Patient | None:
    """The patient a well-formed, correctly signed token names; None for anything else."""
    match = _TOKEN.match(token)
    if match is None or match.group(1) not in _CHANNELS.values():
        return None
    letter, patient_id = match.group(1), int(match.group(2), 16)
    if not hmac.compare_digest(match.group(3), _signature(letter, patient_id)):
        return None
    return db.session.get(Patient, patient_id)


def _signature(letter: str, patient_id: int) -> str:
    key = hashlib.sha256(b"unsubscribe-link:" + current_app.config["SECRET_KEY"].encode("utf-8")).digest()
    digest = hmac.new(key, f"{letter}:{patient_id}".encode("ascii"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii")[:32]  # 192 bits


def _patient(token: str) -> Patient:
    patient = patient_for(token)
    if patient is None:
        abort(404)  # the error page speaks the browser's language: nobody is known
    use_language(patient.language, patient.clinic)
    return patient


@bp.get("/u/<token>")
def confirm(token: str) -> ResponseReturnValue:
    patient = _patient(token)
    return _page(token, "stopped" if patient.email_opted_out_at is not None else "asked")  # no undo here


@bp.post("/u/<token>")
@csrf.exempt  # RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click" with no session and so no
# CSRF token. The signed token in the URL is what authorises it; a forged cross-site POST can only
# do what the patient's own link does (stop e-mail to that one patient), and must know that link.
def unsubscribe(token: str) -> ResponseReturnValue:
    patient = _patient(token)
    stopped = stop_email(patient.id, "email_opted_out_at", N_("patient unsubscribed from e-mail"))
    if stopped:
        email_stopped.send("unsubscribe", patient_id=patient.id)  # the audit row, in this transaction
    db.session.commit()
    # Only the request that unsubscribed may undo it: a repeat (or a later click) gets no undo.
    return _page(token, "stopped", undo=_undo_token(patient) if stopped else None)


@bp.post("/u/<token>/resume")
def resume(token: str) -> ResponseReturnValue:
    """Undo the unsubscribe (a tap by mistake), within the hour, from the page that did it: e-mail
    may go out again from the next invitation. Sent twice, the second finds it done."""
    patient = _patient(token)
    if patient.email_opted_out_at is not None:
        if not _undoes(patient, request.form.get("undo", "")):
            return _page(token, "too_late", status=400)
        if resume_email(patient.id):
            email_resumed.send("resubscribe", patient_id=patient.id)  # the audit row, in this transaction
        db.session.commit()
    return _page(token, "resumed", can_email=block_reason_for(patient, "email") is None)


def _undo_signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="email-unsubscribe-undo")


def _undo_token(patient: Patient) -> str:
    """Names the patient and the moment of this unsubscribe, so it undoes that one only."""
    return _undo_signer().dumps([patient.id, patient.email_opted_out_at.isoformat()])


def _undoes(patient: Patient, undo: str) -> bool:
    try:
        patient_id, stopped_at = _undo_signer().loads(undo, max_age=UNDO_SECONDS)
    except (BadData, TypeError, ValueError):  # forged, expired or malformed
        return False
    return patient_id == patient.id and stopped_at == patient.email_opted_out_at.isoformat()


def _page(token: str, state: str, status: int = 200, **shown: object) -> ResponseReturnValue:
    """The page in one of its states: "asked" (do you want to stop?), "stopped", "resumed" and
    "too_late" (an undo after its hour)."""
    return render_template("feedback/unsubscribe.html", token=token, state=state, **shown), status
