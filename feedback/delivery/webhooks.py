"""Twilio's webhooks: incoming SMS (STOP/START/HELP) and delivery status callbacks.

Every request must carry a valid X-Twilio-Signature for the public URL Twilio called (see
`inbound.public_url`: behind a proxy set PUBLIC_BASE_URL); others get 403. Without Twilio
configured the routes do not exist (404). The routes are exempt from CSRF (Twilio cannot hold
a CSRF token; the signature does that job) and rate-limited per client address: a generous
limit for all requests and a tight one for requests that failed the signature check.

A signed request can come again (Twilio retrying, or a captured one replayed): each keyword
message and each status callback acts once (see `replays`); a repeat gets the usual 2xx answer
and changes nothing, so no second opt-out, opt-in or HELP reply.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, abort, request
from flask.typing import ResponseReturnValue

from feedback.delivery.inbound import Keyword, classify_keyword, is_valid_signature, public_url, twiml_message
from feedback.delivery.messages import help_reply
from feedback.delivery.optout import opt_in, opt_out, patients_with_number
from feedback.delivery.receipts import record_status
from feedback.delivery.replays import first_time
from feedback.delivery.settings import delivery, settings, twilio_configured
from feedback.extensions import db
from feedback.i18n import speaking
from feedback.signals import sms_keyword

log = logging.getLogger(__name__)

bp = Blueprint("sms", __name__, url_prefix="/sms")


@bp.before_request
def verify_twilio() -> ResponseReturnValue | None:
    if not twilio_configured():
        abort(404)
    found = delivery()
    client = request.remote_addr or "?"
    if found.forged_limit.exhausted(client) or not found.webhook_limit.hit(client):
        return Response("Too many requests\n", status=429, mimetype="text/plain")
    config = found.settings
    url = public_url(config.public_base_url, request.url)
    if not is_valid_signature(config.twilio_auth_token, url, request.form, request.headers.get("X-Twilio-Signature")):
        found.forged_limit.hit(client)
        log.warning("refused a webhook request with a missing or wrong Twilio signature (%s)", request.path)
        return Response("Forbidden\n", status=403, mimetype="text/plain")
    return None


@bp.post("/inbound")
def inbound() -> ResponseReturnValue:
    form = request.form
    keyword = classify_keyword(form.get("Body"), form.get("OptOutType"))
    sid = form.get("MessageSid", "")
    reply = None
    if keyword and sid:
        if first_time(sid, "inbound"):
            reply = act_on(keyword, form.get("From", ""))
        db.session.commit()  # the key with its effect, or just the end of a replay's transaction
    # Twilio confirms STOP and START itself; anything else a patient writes is not read here.
    return Response(twiml_message(reply), mimetype="application/xml")


def act_on(keyword: Keyword, sender: str) -> str | None:
    """A keyword's effect, in the request's transaction; the HELP reply to send, if any."""
    patients = patients_with_number(sender, delivery().cipher)
    ids = [p.id for p in patients]
    sms_keyword.send(keyword, patient_ids=ids)  # the audit trail's row, in this transaction (never the number)
    if keyword == "help":
        config = settings()
        if not (config.help_reply and config.contact):
            return None
        with speaking(patients[0] if patients else None):  # a shared number: the first patient's language
            return help_reply(config.contact, config.sender_name)
    if keyword == "stop":
        opt_out(ids)
    else:
        opt_in(ids)
    return None


@bp.post("/status")
@bp.post("/status/<int:outbox_id>")
def status(outbox_id: int | None = None) -> ResponseReturnValue:
    form = request.form
    code = form.get("ErrorCode", "")
    error_code = int(code) if code.isdigit() else None
    record_status(outbox_id, form.get("MessageSid"), form.get("MessageStatus", ""), error_code)
    return Response(status=204)
