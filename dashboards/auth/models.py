"""Sign-in state kept beside `users` (which the patient side owns): factors, lockout, sessions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback.extensions import db
from feedback.models import User
from feedback.models.types import UTCDateTime, utcnow


class UserSecurity(db.Model):
    """One row per account that has ever tried to sign in: second factor and lockout state."""

    __tablename__ = "user_security"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    #: The authenticator's TOTP secret, Fernet-encrypted; None = no authenticator enrolled.
    totp_secret: Mapped[bytes | None] = mapped_column(LargeBinary)
    #: A secret being set up (encrypted); it replaces totp_secret once a code from it is confirmed.
    pending_totp_secret: Mapped[bytes | None] = mapped_column(LargeBinary)
    totp_enrolled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Last accepted TOTP time step; a code for this step or an earlier one is refused (no replay).
    totp_last_step: Mapped[int | None]
    #: Failed password or code attempts since the last completed sign-in.
    failed_attempts: Mapped[int] = mapped_column(default=0)
    #: No sign-in is accepted before this time (a delay that grows with failed_attempts).
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    @property
    def has_totp(self) -> bool:
        return self.totp_secret is not None


class LoginSession(db.Model):
    """A sign-in, kept on the server so that logout, disabling and timeouts really end it."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: SHA-256 of the random session id; the id itself lives only in the user's signed cookie.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: When the second factor was proven; None = password accepted, second step still due.
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: How the second factor was proven: totp, recovery_code, or skipped (development setting only).
    second_factor: Mapped[str | None] = mapped_column(String(16))
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Why it ended: logout, idle, expired, disabled, password_changed, 2fa_changed, ended_by_user.
    end_reason: Mapped[str | None] = mapped_column(String(24))
    ip: Mapped[str | None] = mapped_column(String(45))

    user: Mapped[User] = relationship()


class LoginFailure(db.Model):
    """A refused password or code, counted per address to slow down guessing across accounts."""

    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_ip_at", "ip", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    ip: Mapped[str] = mapped_column(String(45))
    #: The account tried, when the e-mail belongs to one.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class RecoveryCode(db.Model):
    """A one-time code that stands in for the authenticator; shown once, stored hashed."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    #: "<salt hex>$<sha256(salt + code) hex>"; the code itself is never stored.
    code_hash: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PasswordLink(db.Model):
    """A one-time link to set a password: for new accounts and resets, so nobody else knows it."""

    __tablename__ = "password_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    #: SHA-256 of the link token; the token itself is only ever in the link.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: Set when used, or when a newer link for the same account replaced it.
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Who issued it; None = the command line.
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
