"""Invitations to answer a questionnaire, and the responses they produce."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback.extensions import db
from feedback.models.session import TherapySession
from feedback.models.types import UTCDateTime, utcnow

RESPONDENTS = ("patient", "therapist")


class Invitation(db.Model):
    __tablename__ = "invitations"
    __table_args__ = (
        UniqueConstraint("session_id", "respondent"),
        # Open invitations are a few hundred rows among years of history; the home page's pending
        # forms and the worker's every-minute planning look only at them.
        Index("ix_invitations_open", "expires_at",
              postgresql_where=text("completed_at IS NULL"), sqlite_where=text("completed_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("therapy_sessions.id"), index=True)
    respondent: Mapped[str] = mapped_column(String(16))
    instrument_id: Mapped[str] = mapped_column(String(64))
    instrument_version: Mapped[str] = mapped_column(String(16))
    #: SHA-256 of the link token; the token itself is only ever in the link.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: Random input from which the app (holding SECRET_KEY) can rebuild the token; see feedback/tokens.py.
    token_nonce: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(8), default="link")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: First time the link was opened; opening does not use the link up.
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)

    session: Mapped[TherapySession] = relationship()
    response: Mapped[Response | None] = relationship(back_populates="invitation")

    def __repr__(self) -> str:
        return f"<Invitation {self.id} {self.respondent}>"


class Response(db.Model):
    __tablename__ = "responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Unique: the database itself refuses a second response to one invitation.
    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitations.id"), unique=True)
    #: item id -> typed value (int, bool, option id, list of option ids, text).
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: scale id -> score, or null when too few items were answered to score it.
    scores: Mapped[dict[str, float | None]] = mapped_column(JSON)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    seconds_taken: Mapped[int | None]
    #: The language the form was shown, and so answered, in (one of its instrument's languages).
    language: Mapped[str] = mapped_column(String(8), default="en", server_default="en")

    invitation: Mapped[Invitation] = relationship(back_populates="response")
