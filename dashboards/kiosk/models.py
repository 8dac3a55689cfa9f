"""The clinic tablet's tables: the device in kiosk mode, the one-time codes, the wrong guesses."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback.extensions import db
from feedback.models import Clinic, Invitation, User
from feedback.models.types import UTCDateTime, utcnow


class KioskDevice(db.Model):
    """A browser in kiosk mode: it replaced a clinician's sign-in and reaches the kiosk pages only.

    The browser's cookie carries a random id; the row keeps its SHA-256 (as for `LoginSession`).
    The patient part (`invitation_id`) is the questionnaire of the patient now at the tablet."""

    __tablename__ = "kiosk_devices"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"), index=True)
    opened_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Why it ended: left (a clinician signed in), expired (KIOSK_HOURS).
    end_reason: Mapped[str | None] = mapped_column(String(16))
    #: The questionnaire the patient at the tablet opened with a code; None = the code screen.
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("invitations.id"))
    #: The patient's last sign of life (a page, or the idle script's ping); the part ends when idle.
    patient_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    clinic: Mapped[Clinic] = relationship()
    opened_by: Mapped[User] = relationship()
    invitation: Mapped[Invitation | None] = relationship()


class KioskCode(db.Model):
    """A short one-time code that opens one patient questionnaire on one of the clinic's tablets."""

    __tablename__ = "kiosk_codes"
    __table_args__ = (Index("ix_kiosk_codes_clinic_hash", "clinic_id", "code_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"))
    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitations.id"), index=True)
    #: HMAC-SHA256 of the code under a key derived from SECRET_KEY; the code itself is never stored.
    code_hash: Mapped[str] = mapped_column(String(64))
    issued_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: Set when typed in on a tablet, or when a newer code for the same questionnaire replaced it.
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    used_on_id: Mapped[int | None] = mapped_column(ForeignKey("kiosk_devices.id"))

    invitation: Mapped[Invitation] = relationship()


class KioskCodeFailure(db.Model):
    """A wrong code typed on a tablet, counted per device and per clinic to slow down guessing."""

    __tablename__ = "kiosk_code_failures"
    __table_args__ = (Index("ix_kiosk_code_failures_clinic_at", "clinic_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("kiosk_devices.id"), index=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
