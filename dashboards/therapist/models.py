"""What the therapist side stores: notes on the guidance panel, and when each user last looked at
their home page (for "new since your last visit")."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback.extensions import db
from feedback.models import Patient, User
from feedback.models.types import UTCDateTime, utcnow

NOTE_MAX = 2000


class GuidanceNote(db.Model):
    """What the therapist plans, or what happened, about a flagged rupture or decline."""

    __tablename__ = "guidance_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: The session of the latest flag the guidance panel answered when the note was written.
    session_number: Mapped[int | None]
    #: The guidance's kind then: withdrawal, confrontation, mixed, unclear or decline.
    kind: Mapped[str] = mapped_column(String(16), default="")
    #: Free text by the clinician (clinical content: escaped on display, never in the audit trail).
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    patient: Mapped[Patient] = relationship()
    author: Mapped[User] = relationship()


class HomeVisit(db.Model):
    """One row per user: when they last looked at their home page, and what counts as their
    previous visit during the current sign-in (so a reload does not clear the "new" markers)."""

    __tablename__ = "home_visits"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    #: The sign-in (login_sessions.id) during which `last_seen_at` was recorded; no foreign key, so
    #: purging old sign-ins never touches this row.
    login_session_id: Mapped[int | None]
    #: The latest time the home page was shown.
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: The last view of the previous sign-in: flags first seen after it are "new" during this one.
    previous_visit_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
