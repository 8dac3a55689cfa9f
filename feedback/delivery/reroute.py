"""Queued messages follow the patient's channel: after a change of contact details (a new preferred
channel, a consent given or withdrawn) the messages still waiting go the way a new one would.

Both channels share the timing rules (quiet hours, caps, expiry), so a message keeps its due time.
Only `pending` rows move: a dispatcher that has claimed one is about to send it by the channel it
read, and moving it under its feet would record one channel and use the other.
"""

from __future__ import annotations

from sqlalchemy import update

from feedback.delivery.settings import channel_for
from feedback.extensions import db
from feedback.models import Patient
from feedback.models.outbox import OutboxMessage


def reroute_queued(patient: Patient) -> tuple[str | None, int]:
    """Move the patient's pending messages to the channel a new message would take now (not
    committed): that channel, and how many moved. With no channel open (links handed over, no
    consent left) none move: the dispatcher's last check then cancels each with its reason."""
    channel = channel_for(patient)
    if channel is None:
        return None, 0
    return channel, db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.patient_id == patient.id, OutboxMessage.status == "pending",
               OutboxMessage.channel != channel)
        .values(channel=channel)
    ).rowcount
