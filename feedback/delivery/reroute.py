"""Queued messages follow the patient's channel: after a change of contact details (a new preferred
channel, a consent given or withdrawn) the messages still waiting go the way a new one would, or,
with no channel left, are cancelled at once so that the therapist's screen offers the link.

Both channels share the timing rules (quiet hours, caps, expiry), so a message keeps its due time.
Only `pending` rows move: a dispatcher that has claimed one is about to send it by the channel it
read, and moving it under its feet would record one channel and use the other.
"""

from __future__ import annotations

from sqlalchemy import update

from feedback.delivery.planner import cancel_open, why_no_channel
from feedback.delivery.settings import channel_for
from feedback.extensions import db
from feedback.models import Patient
from feedback.models.outbox import OutboxMessage


def reroute_queued(patient: Patient) -> tuple[str | None, int]:
    """Move the patient's pending messages to the channel a new message would take now, or cancel
    every queued one when none is open (not committed). The channel (None: cancelled), and how
    many rows moved or were cancelled."""
    channel = channel_for(patient)
    if channel is None:
        return None, cancel_open(OutboxMessage.patient_id == patient.id, why_no_channel(patient) or "")
    return channel, db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.patient_id == patient.id, OutboxMessage.status == "pending",
               OutboxMessage.channel != channel)
        .values(channel=channel)
    ).rowcount
