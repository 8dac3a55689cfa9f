"""Twilio's delivery status callbacks: moving an outbox row to sent, delivered, undelivered…"""

from __future__ import annotations

import logging

from sqlalchemy import select, update

from feedback.delivery.inbound import STATUS_MAP, status_after_callback
from feedback.delivery.optout import opt_out
from feedback.delivery.replays import first_time
from feedback.delivery.senders import OPTED_OUT, REJECTION_REASONS
from feedback.extensions import db
from feedback.models import utcnow
from feedback.models.outbox import OutboxMessage

log = logging.getLogger(__name__)

#: A callback about these rows is stale or forged-by-mistake: nothing was handed to Twilio.
_NOT_WITH_PROVIDER = ("pending", "claimed", "cancelled")


def record_status(
    outbox_id: int | None, provider_id: str | None, callback_status: str, error_code: int | None = None
) -> bool:
    """Apply one status callback, once; False if it changed nothing (unknown row, late, or a replay).

    A callback acts once per (MessageSid, status): its key commits with its effect, so the same
    callback again finds the key and changes nothing, even after "send again" made the row
    look new. A callback without a MessageSid or with a status we do not know is not Twilio's.
    """
    callback_status = callback_status.strip().lower()
    if not provider_id or callback_status not in STATUS_MAP:
        return False
    changed = first_time(provider_id, callback_status) and _apply(outbox_id, provider_id, callback_status, error_code)
    db.session.commit()  # the key with its effect, or just the end of a replay's transaction
    return changed


def _apply(outbox_id: int | None, provider_id: str, callback_status: str, error_code: int | None) -> bool:
    """Move the row, in the caller's transaction. The row is found by our id (the per-row
    callback URL) or else by Twilio's message sid. The move is guarded by the status it was read
    with and retried if a dispatcher or another callback moved the row in between."""
    for _ in range(3):
        row = _find(outbox_id, provider_id)
        if row is None or row.status in _NOT_WITH_PROVIDER:
            return False
        if outbox_id is not None and row.provider_id not in (None, provider_id):
            return False  # a callback about another message than this row's
        new_status = status_after_callback(row.status, callback_status)
        if new_status is None and row.provider_id is not None:
            return False
        values: dict[str, object] = {"status": new_status or row.status, "claimed_by": None, "claim_expires_at": None}
        if row.provider_id is None:
            values["provider_id"] = provider_id  # settles a row whose send answer was lost
        if row.sent_at is None:
            values["sent_at"] = utcnow()
        if new_status in ("failed", "undelivered"):
            values["error_code"] = error_code
            values["last_error"] = _reason(new_status, error_code)
        moved = db.session.execute(
            update(OutboxMessage).where(OutboxMessage.id == row.id, OutboxMessage.status == row.status).values(**values)
        ).rowcount
        if moved:
            log.info("SMS %s for patient %s: %s", row.id, row.patient.code, values["status"])
            if error_code == OPTED_OUT:
                opt_out([row.patient_id])
            return True
        # No rollback: it would drop the key. The key's insert made this transaction a writer
        # (SQLite: no one else can commit meanwhile; PostgreSQL: the next read sees the move).
    return False


def _find(outbox_id: int | None, provider_id: str) -> OutboxMessage | None:
    db.session.expire_all()
    if outbox_id is not None:
        return db.session.get(OutboxMessage, outbox_id)
    return db.session.scalar(select(OutboxMessage).where(OutboxMessage.provider_id == provider_id))


def _reason(status: str, code: int | None) -> str:
    if code in REJECTION_REASONS:
        return REJECTION_REASONS[code]
    what = "the phone network could not deliver it" if status == "undelivered" else "Twilio could not send it"
    return f"{what} (error {code})" if code else what
