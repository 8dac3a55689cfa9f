"""Stored results of the flag engine, refreshed when a patient's data changes and hourly by the worker."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint, false, text
from sqlalchemy.orm import Mapped, mapped_column

from feedback.extensions import db
from feedback.models.types import UTCDateTime, utcnow


class PatientRisk(db.Model):
    """The current risk level of one treatment (one row per patient)."""

    __tablename__ = "patient_risks"
    #: The worker's refresh takes the stalest evaluations first, in every clinic (refresh.pick_stale).
    __table_args__ = (Index("ix_patient_risks_evaluated_at", "evaluated_at", "patient_id"),)

    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), primary_key=True)
    level: Mapped[str] = mapped_column(String(8), index=True)
    #: Ever rated `high` at any evaluation: the director's flag calibration compares dropout by it.
    ever_high: Mapped[bool] = mapped_column(default=False)
    #: The evaluation date the level refers to (the clinic's local date).
    as_of: Mapped[date]
    evaluated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: First sentence of the most important current event, for lists.
    main_reason: Mapped[str] = mapped_column(String(400), default="")
    #: ... as a phrase (feedback.phrases, JSON), read in each clinician's language; None before phrases
    #: (the English sentence is read then) and when nothing is current.
    main_reason_message: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class RiskEvent(db.Model):
    """One event of a patient's latest evaluation; `first_seen_at` tells what is new."""

    __tablename__ = "risk_events"
    __table_args__ = (UniqueConstraint("patient_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    #: Stable identity across evaluations (dashboards.flags.event_key), e.g. "reliable_decline:bond:9".
    key: Mapped[str] = mapped_column(String(80))
    code: Mapped[str] = mapped_column(String(40))
    #: The scale ("bond", "alliance") or disengagement signal ("unanswered", "missed", "gap"), if any.
    subject: Mapped[str | None] = mapped_column(String(80))
    severity: Mapped[str] = mapped_column(String(8))
    session_number: Mapped[int | None]
    current: Mapped[bool]
    reason: Mapped[str] = mapped_column(String(400))
    #: The reason as a phrase (feedback.phrases, JSON), read in each clinician's language; None for
    #: an event stored before phrases, until its next evaluation.
    reason_message: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    numbers: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: When this event was first detected: "new since your last visit" and notifications use it.
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    #: The store judged it news when it first appeared (dashboards.flags.new_events: current, not
    #: positive): the one definition that the digest and the "new" marks on the pages read.
    news: Mapped[bool] = mapped_column(default=False, server_default=false())

    def is_new_since(self, since: datetime | None) -> bool:
        """News first seen after `since` (the viewer's previous visit; None: nothing is new)."""
        return self.news and since is not None and self.first_seen_at > since
    #: When a notification (digest) mentioned it; None = not yet notified.
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ClinicNorm(db.Model):
    """One scale's norms a clinic adopted from its own data (dashboards/calibration/); in force while
    `retired_at` is empty. Rows are retired, never overwritten, so what was in force when is kept."""

    __tablename__ = "clinic_norms"
    # One set in force per clinic, instrument and scale: two directors adopting at once cannot
    # leave two (the second insert fails and its transaction is rolled back).
    __table_args__ = (
        Index("ix_clinic_norms_in_force", "clinic_id", "instrument_id", "scale", unique=True,
              postgresql_where=text("retired_at IS NULL"), sqlite_where=text("retired_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"), index=True)
    instrument_id: Mapped[str] = mapped_column(String(80))
    scale: Mapped[str] = mapped_column(String(80))
    #: SD of session scores across patients and sessions, and the session-to-session test–retest.
    sd: Mapped[float]
    reliability: Mapped[float]
    #: What the estimate rested on.
    patients: Mapped[int]
    sessions: Mapped[int]
    adopted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    adopted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    retired_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
