"""Patients: pseudonymous, with an optional encrypted mobile number and e-mail address."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, UniqueConstraint, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback.extensions import db
from feedback.models.clinic import Clinic, User
from feedback.models.types import UTCDateTime, utcnow

#: How invitations reach the patient: handed over by the therapist, by SMS or by e-mail.
CHANNELS = ("link", "sms", "email")
STATUSES = ("active", "ended")
END_REASONS = ("completed", "dropped_out", "transferred")


class Patient(db.Model):
    __tablename__ = "patients"
    __table_args__ = (
        UniqueConstraint("clinic_id", "code"),
        # The worker's few-second poll for changed treatments reads only the marked rows.
        Index("ix_patients_flags_stale_at", "flags_stale_at", postgresql_where=text("flags_stale_at IS NOT NULL"),
              sqlite_where=text("flags_stale_at IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"), index=True)
    therapist_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    #: Pseudonymous code chosen by the clinic; the app never needs a legal name.
    code: Mapped[str] = mapped_column(String(32))
    #: E.164 number encrypted with PHONE_ENCRYPTION_KEY (Fernet); never stored in clear.
    phone_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)
    #: Keyed hash of the E.164 number, so inbound SMS can find the patient without decrypting.
    phone_lookup: Mapped[str | None] = mapped_column(String(64), index=True)
    sms_consent: Mapped[bool] = mapped_column(default=False)
    sms_consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Set when the patient replied STOP; no SMS goes out while it is set.
    sms_opted_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The e-mail address (NFC, lower-case domain) encrypted with PHONE_ENCRYPTION_KEY, like the number.
    email_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)
    email_consent: Mapped[bool] = mapped_column(default=False, server_default=false())
    email_consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Set by the one-click unsubscribe link; no e-mail goes out while it is set.
    email_opted_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Set when the address bounced for good (the bounce webhook); no e-mail goes out while it is set.
    email_bounced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    preferred_channel: Mapped[str] = mapped_column(String(8), default="link")
    language: Mapped[str] = mapped_column(String(8), default="en")
    #: The therapist's own outcome battery for this treatment (Clinic.outcome_battery's format);
    #: None = the clinic's.
    outcome_battery: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(8), default="active")
    end_reason: Mapped[str | None] = mapped_column(String(16))
    ended_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The latest answer the stored flags do not reflect yet (set in the answer's transaction,
    #: `feedback.changes`); None when they are up to date. The clinician side's worker evaluates the
    #: marked treatments within seconds and clears the mark only if it is still this value.
    flags_stale_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Until when a worker holds the marked treatment for its evaluation (a failed one is retried after it).
    flags_claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)

    clinic: Mapped[Clinic] = relationship()
    therapist: Mapped[User] = relationship()

    @property
    def has_phone(self) -> bool:
        return self.phone_encrypted is not None

    @property
    def has_email(self) -> bool:
        return self.email_encrypted is not None

    def __repr__(self) -> str:
        return f"<Patient {self.code}>"
