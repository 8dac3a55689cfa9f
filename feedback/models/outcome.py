"""Outcome measures answered after the alliance form (PHQ-9, GAD-7, ...), and safety alerts.

An outcome answer belongs to the session's patient invitation, one row per instrument, stored
when its page is submitted (a battery left half-way keeps what was finished). A safety alert is
created in the same transaction as the answer that raised it, so it cannot be lost when the
patient closes the page before the thank-you page loads.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback.extensions import db
from feedback.models.types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from feedback.models.clinic import User
    from feedback.models.invitation import Invitation
    from feedback.models.patient import Patient

#: What a clinician records when acknowledging a safety alert.
SAFETY_ACTIONS = ("contacted", "risk_assessed", "safety_plan_reviewed", "other")


class OutcomeResponse(db.Model):
    __tablename__ = "outcome_responses"
    __table_args__ = (UniqueConstraint("invitation_id", "instrument_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitations.id"), index=True)
    instrument_id: Mapped[str] = mapped_column(String(64))
    instrument_version: Mapped[str] = mapped_column(String(16))
    #: Typed answers keyed by item id, as for the alliance forms.
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: Scale totals keyed by scale id (None: not scored).
    scores: Mapped[dict[str, float | None]] = mapped_column(JSON)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The language the measure was shown, and so answered, in (one of its instrument's languages).
    language: Mapped[str] = mapped_column(String(8), default="en", server_default="en")

    invitation: Mapped[Invitation] = relationship()


class SafetyAlert(db.Model):
    """An answer above the minimum on a risk item (PHQ-9 item 9): shown first to the clinicians
    until one acknowledges it; notified at once and escalated when nobody does."""

    __tablename__ = "safety_alerts"
    __table_args__ = (UniqueConstraint("outcome_response_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    outcome_response_id: Mapped[int] = mapped_column(ForeignKey("outcome_responses.id"))
    item_id: Mapped[str] = mapped_column(String(48))
    value: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    #: When the therapist and the on-call address were e-mailed (None: not yet).
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: When the directors were e-mailed because nobody acknowledged in time (None: not escalated).
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: One of SAFETY_ACTIONS.
    action: Mapped[str | None] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(Text, default="")

    patient: Mapped[Patient] = relationship()
    response: Mapped[OutcomeResponse] = relationship()
    acknowledged_by: Mapped[User | None] = relationship()
