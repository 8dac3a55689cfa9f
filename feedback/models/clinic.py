"""Clinics and the clinicians who work in them."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask_login import UserMixin
from sqlalchemy import JSON, ForeignKey, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback.extensions import db
from feedback.models.types import UTCDateTime, utcnow

ROLES = ("therapist", "director", "admin")


class Clinic(db.Model):
    __tablename__ = "clinics"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    #: IANA zone name; times are stored in UTC and shown in this zone.
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    #: The language of patients and clinicians who have not chosen one (feedback/i18n.py).
    language: Mapped[str] = mapped_column(String(8), default="en", server_default="en")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The outcome measures asked after the alliance form, and how often: a list of
    #: {"instrument": id, "every": "session" | "nth" | "intake_and_weeks", "n": int, "weeks": int}.
    outcome_battery: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list, server_default=text("'[]'"))
    #: The crisis text shown after a risk answer, per language ({} = the default for the country).
    crisis_text: Mapped[dict[str, str]] = mapped_column(JSON, default=dict, server_default=text("'{}'"))
    #: Addresses e-mailed with the therapist when a safety alert is raised.
    on_call_emails: Mapped[list[str]] = mapped_column(JSON, default=list, server_default=text("'[]'"))
    #: Hours in clinic hours before an unacknowledged safety alert goes to the directors.
    safety_escalate_hours: Mapped[float] = mapped_column(default=4.0, server_default="4")

    users: Mapped[list[User]] = relationship(back_populates="clinic")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class User(UserMixin, db.Model):
    """A clinician account (therapist, director or admin); patients never sign in."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"), index=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    #: None = no password set yet: the account cannot sign in until an admin sets one.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    display_name: Mapped[str] = mapped_column(String(120), default="")
    #: The clinician's own language for the app; None = the clinic's default.
    language: Mapped[str | None] = mapped_column(String(8))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    clinic: Mapped[Clinic] = relationship(back_populates="users")

    @property
    def is_active(self) -> bool:  # Flask-Login: disabled accounts cannot use a session
        return self.active

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"
