"""The SMS outbox: one row per message the app means to send, the single source of truth.

The row never holds the message text or the phone number: both are rebuilt at send time (the
link from the invitation's nonce, the number by decrypting the patient's), so a copy of this
table opens no questionnaire and reveals no number.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback.extensions import db
from feedback.models.invitation import Invitation
from feedback.models.patient import Patient
from feedback.models.types import UTCDateTime, utcnow

KINDS = ("invitation", "reminder", "fresh_link")

#: pending → claimed → sending → sent → delivered | undelivered | failed; see docs/delivery.md.
STATUSES = (
    "pending",  # waiting for due_at
    "claimed",  # a dispatcher took it; nothing sent yet, safe to take back when the claim expires
    "sending",  # the provider call is under way (or its process died during it)
    "sent",  # the provider accepted it
    "delivered",  # the carrier confirmed delivery
    "undelivered",  # the carrier could not deliver it
    "failed",  # refused for good, or out of retries
    "uncertain",  # may or may not have gone out: looked up at the provider, never re-sent blindly
    "cancelled",  # not sent on purpose (opted out, answered, expired…); see last_error
)
#: Rows a dispatcher may still send.
OPEN_STATUSES = ("pending", "claimed")
#: Rows that went (or may have gone) to the patient's phone: they count against the caps.
REACHED_STATUSES = ("sending", "sent", "delivered", "undelivered", "uncertain")


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"
    __table_args__ = (
        # Planning the same message twice (signal and periodic job racing) cannot create two rows.
        UniqueConstraint("invitation_id", "kind", "round"),
        # The dispatcher's claim query: due rows of one status, oldest first.
        Index("ix_outbox_messages_status_due_at", "status", "due_at"),
        # ... and the claimed rows whose claim expired (their dispatcher died before sending).
        Index("ix_outbox_messages_status_claim_expires_at", "status", "claim_expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Not indexed alone: the unique (invitation_id, kind, round) index serves lookups by invitation.
    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitations.id"))
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    #: 0 for the invitation and its reminder; each fresh link sent later counts up from 1.
    round: Mapped[int] = mapped_column(default=0)
    channel: Mapped[str] = mapped_column(String(8), default="sms")
    #: Earliest moment to send, already outside quiet hours and within the caps.
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    #: Provider calls started (the first send is attempt 1).
    attempts: Mapped[int] = mapped_column(default=0)
    #: Why the row failed, was cancelled or is uncertain: short words for staff, never a number or link.
    last_error: Mapped[str | None] = mapped_column(String(200))
    #: The provider's error code (Twilio's, e.g. 21610), when it gave one.
    error_code: Mapped[int | None]
    #: The provider's message id (Twilio's SM… sid); status callbacks find the row by it.
    provider_id: Mapped[str | None] = mapped_column(String(64), index=True)
    #: The dispatcher process holding the row (host:pid:random) while claimed or sending.
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    #: When the claim lapses: a claimed row is then taken back, a sending row becomes uncertain.
    claim_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: When the last provider call started; an uncertain row is looked up from shortly before it.
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    invitation: Mapped[Invitation] = relationship()
    patient: Mapped[Patient] = relationship()

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} {self.kind} {self.status}>"
