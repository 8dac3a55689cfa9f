"""Clinics and the clinicians who work in them."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
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
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

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
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    clinic: Mapped[Clinic] = relationship(back_populates="users")

    @property
    def is_active(self) -> bool:  # Flask-Login: disabled accounts cannot use a session
        return self.active

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"
