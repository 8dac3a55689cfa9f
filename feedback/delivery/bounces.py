"""The bounce webhook: a mail provider (or the clinic's own bounce processor) reports e-mails that
did not arrive. docs/delivery.md describes it for whoever connects one.

    POST /email/bounce
    Authorization: Bearer <EMAIL_BOUNCE_SECRET>
    Content-Type: application/json
    {"message_id": "<am12.9f3c…@clinic.example.org>", "type": "hard"}

`message_id` is the Message-ID header of the e-mail that bounced (with or without the angle
brackets), `type` "hard" (the address does not exist or refuses mail for good) or "soft" (a full
mailbox, a server down for now: the provider keeps trying, so nothing changes here). A hard bounce
marks the e-mail undelivered, which the therapist sees among the delivery problems, stops e-mail to
that patient (their queued e-mails are cancelled) and is audited by patient.

Without EMAIL_BOUNCE_SECRET the route does not exist (404). The secret is compared in constant
time; wrong ones are rate-limited per address like forged Twilio webhooks. Each report acts once
(the processed-webhook key, as for Twilio's): a repeat answers 204 and changes nothing.
"""

from __future__ import annotations

import hmac
import logging
from typing import Any

from flask import Blueprint, Response, abort, current_app, jsonify, request
from flask.typing import ResponseReturnValue
from sqlalchemy import select, update

from feedback.delivery.optout import stop_email
from feedback.delivery.replays import first_time
from feedback.delivery.rules import BOUNCED
from feedback.delivery.settings import delivery
from feedback.extensions import db
from feedback.models.outbox import OutboxMessage
from feedback.signals import email_stopped

log = logging.getLogger(__name__)

bp = Blueprint("bounces", __name__)

BOUNCE_TYPES = ("hard", "soft")
#: Rows a hard bounce may turn undelivered: those the SMTP server took (or may have taken).
_REACHED = ("sending", "sent", "delivered", "uncertain")


@bp.before_request
def verify_secret() -> ResponseReturnValue | None:
    secret = current_app.config.get("EMAIL_BOUNCE_SECRET") or ""
    if not secret:
        abort(404)
    found, client = delivery(), request.remote_addr or "?"
    if found.forged_limit.exhausted(client) or not found.webhook_limit.hit(client):
        return Response("Too many requests\n", status=429, mimetype="text/plain")
    given = request.headers.get("Authorization", "").removeprefix("Bearer ")
    if not hmac.compare_digest(given.encode("utf-8"), secret.encode("utf-8")):
        found.forged_limit.hit(client)
        log.warning("refused a bounce report with a missing or wrong secret")
        return Response("Forbidden\n", status=403, mimetype="text/plain")
    return None


@bp.post("/email/bounce")
def bounce() -> ResponseReturnValue:
    report: Any = request.get_json(silent=True)
    if not isinstance(report, dict):
        return _refused("send a JSON object with message_id and type")
    message_id, kind = report.get("message_id"), report.get("type")
    if kind not in BOUNCE_TYPES:
        return _refused(f"type must be one of {', '.join(BOUNCE_TYPES)}")
    if not isinstance(message_id, str) or not 3 <= len(message_id) <= 300:
        return _refused("message_id must be the bounced e-mail's Message-ID")
    provider_id = message_id.strip().strip("<>").partition("@")[0]
    row = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.provider_id == provider_id, OutboxMessage.channel == "email")
    )
    if row is None:
        return jsonify(error="no e-mail of this installation has that Message-ID"), 404
    if kind == "hard" and first_time(provider_id, "bounce"):
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == row.id, OutboxMessage.status.in_(_REACHED))
            .values(status="undelivered", last_error=BOUNCED)
        )
        if stop_email(row.patient_id, "email_bounced_at", BOUNCED):
            email_stopped.send("bounce", patient_id=row.patient_id)  # the audit row, in this transaction
        log.info("e-mail %s for patient %s bounced: e-mail to the patient stopped", row.id, row.patient.code)
    db.session.commit()
    return Response(status=204)


def _refused(message: str) -> ResponseReturnValue:
    return jsonify(error=message), 400
