"""Settling `uncertain` rows: did the provider get the message or not?

An uncertain row is never sent again on its own: Twilio's message create is not idempotent, so
a blind retry after a lost answer can text the patient twice. Instead we ask Twilio for the
messages it holds for that number since shortly before the attempt and look for ours by its
text (it carries the invitation's unique link). Found: the row is `sent`. Not found: it stays
`uncertain` and, after a grace period, is listed for staff (`staff.needs_attention`), who can
confirm it went out or send it again. Re-sending after "not found" would be the one automatic
choice that can duplicate (a message Twilio accepted may surface in its list late), so we
leave that call to a person.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from feedback.delivery.dispatcher import note_invitation_sent
from feedback.delivery.inbound import STATUS_MAP
from feedback.delivery.rendering import message_for
from feedback.delivery.senders import Sender, SendError
from feedback.delivery.settings import settings
from feedback.extensions import db
from feedback.models import utcnow
from feedback.models.outbox import OutboxMessage
from feedback.phones import PhoneCipher

log = logging.getLogger(__name__)

#: Provider timestamps and our clock differ a little; look from this long before the attempt.
CLOCK_SLACK = timedelta(minutes=1)
#: Rows are looked up for this long after their attempt; older ones wait for staff.
LOOKUP_WINDOW = timedelta(days=1)


@dataclass
class Resolved:
    sent: int = 0
    not_found: int = 0
    lookup_failed: int = 0


def resolve_uncertain(sender: Sender, cipher: PhoneCipher, *, limit: int = 50) -> Resolved:
    now = utcnow()
    rows = db.session.scalars(
        select(OutboxMessage)
        .where(
            OutboxMessage.status == "uncertain",
            OutboxMessage.last_attempt_at >= now - LOOKUP_WINDOW,
            OutboxMessage.channel == "sms",  # an SMTP server cannot be asked: uncertain e-mail waits for staff
        )
        .order_by(OutboxMessage.last_attempt_at)
        .limit(limit)
    ).all()
    outcome = Resolved()
    sender_name = settings().sender_name
    for row in rows:
        row_id, attempts, code = row.id, row.attempts, row.patient.code
        attempted_at = row.last_attempt_at
        assert attempted_at is not None  # by the query
        try:
            message = message_for(row, cipher, sender_name)
            found = sender.find_sent(message.to, since=attempted_at - CLOCK_SLACK)
        except (SendError, ValueError) as exc:
            log.warning("could not look up uncertain SMS %s for patient %s: %s", row_id, code, exc)
            outcome.lookup_failed += 1
            continue
        match = next((m for m in found if m.body == message.body), None)
        if match is None:
            outcome.not_found += 1
            continue
        mapped = STATUS_MAP.get(match.status)
        outcome.sent += mark_sent(
            row_id,
            attempts,
            provider_id=match.provider_id,
            status=mapped.outbox_status if mapped else "sent",
            sent_at=match.date_sent or attempted_at,
        )
        log.info("uncertain SMS %s for patient %s found at the provider: sent", row_id, code)
    return outcome


def mark_sent(row_id: int, attempts: int, *, provider_id: str | None, status: str, sent_at: datetime) -> int:
    """uncertain -> sent (or what the provider says became of it); commits."""
    row = db.session.get(OutboxMessage, row_id)
    moved = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id, OutboxMessage.status == "uncertain", OutboxMessage.attempts == attempts)
        .values(status=status, provider_id=provider_id, sent_at=sent_at, claimed_by=None, claim_expires_at=None)
    ).rowcount
    if moved and row is not None:
        note_invitation_sent(row.kind, row.invitation_id, sent_at)
    db.session.commit()
    return moved
