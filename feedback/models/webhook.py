"""Twilio webhooks already acted on: one row per message and what the webhook reported about it.

The same webhook can arrive twice (Twilio retrying, a proxy resending, or a captured request
replayed: its signature stays valid for ever), and a second STOP, START, HELP or status must
change nothing. The unique key makes a repeat detectable, even two copies at once; see
`feedback/delivery/replays.py`. A row holds Twilio's message id only: no number, no text.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from feedback.extensions import db
from feedback.models.types import UTCDateTime, utcnow


class ProcessedWebhook(db.Model):
    __tablename__ = "processed_webhooks"
    __table_args__ = (UniqueConstraint("message_sid", "event"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Twilio's id of the message the webhook is about (SM… or MM…).
    message_sid: Mapped[str] = mapped_column(String(64))
    #: The status a callback reported ("sent", "delivered"…), or "inbound" for an incoming message.
    event: Mapped[str] = mapped_column(String(32))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<ProcessedWebhook {self.message_sid} {self.event}>"
