"""Access beyond the default rules: patients shared with a colleague, and admins' break-glass grants."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback.extensions import db
from feedback.models import Patient, User
from feedback.models.types import UTCDateTime, utcnow


class PatientShare(db.Model):
    """A colleague in the same clinic who may see a patient they do not treat (e.g. a co-therapist)."""

    __tablename__ = "patient_shares"
    __table_args__ = (UniqueConstraint("patient_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    patient: Mapped[Patient] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])


class BreakGlassGrant(db.Model):
    """An admin's deliberate, time-limited, justified access to one patient's data."""

    __tablename__ = "break_glass_grants"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    #: The admin's stated reason, shown to the clinic's directors beside the audit trail.
    reason: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)

    patient: Mapped[Patient] = relationship()
    user: Mapped[User] = relationship()
