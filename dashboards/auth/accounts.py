"""Managing accounts (command line, directors and admins): add, disable, enable, reset password or 2FA.

Each operation ends the account's sessions where the change demands it, writes an audit row and
commits once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update

from dashboards.audit import audit
from dashboards.auth import recovery, sessions, throttle, tokens, totp
from dashboards.auth.models import LoginSession, PasswordLink
from dashboards.auth.passwords import check_policy, hash_password
from dashboards.setup import operations as setup
from feedback.extensions import db
from feedback.links import external_url
from feedback.models import User, utcnow

DEFAULT_BASE_URL = "http://127.0.0.1:5000"


class PasswordLinkInvalid(Exception):
    """Unknown, used or replaced link."""


class PasswordLinkExpired(Exception):
    """A real link, but too old."""


def _context(user: User) -> tuple[str, ...]:
    return (user.email.split("@")[0], user.display_name)


def add_account(manager: User | None, email: str, role: str, display_name: str, clinic_name: str = "") -> User:
    """A new account without a password (it is set through a link). Raises setup.SetupError."""
    clinic = manager.clinic if manager else setup.find_clinic(clinic_name)
    user = setup.add_user(email, clinic, role, None, display_name)
    audit("add_user", actor=manager, subject=user, detail=f"role {role}")
    db.session.commit()
    return user


def disable(user: User, actor: User | None, now: datetime | None = None) -> None:
    """The account can no longer sign in, and every session it has ends at once."""
    user.active = False
    sessions.end_all(user, "disabled", now or utcnow())
    audit("disable_user", actor=actor, subject=user)
    db.session.commit()


def enable(user: User, actor: User | None) -> None:
    user.active = True
    throttle.reset(user)
    audit("enable_user", actor=actor, subject=user)
    db.session.commit()


def reset_two_factor(user: User, actor: User | None, now: datetime | None = None) -> None:
    """Forget the authenticator and recovery codes; the user enrols again at the next sign-in."""
    totp.remove(user)
    recovery.remove(user)
    sessions.end_all(user, "2fa_changed", now or utcnow())
    audit("reset_2fa", actor=actor, subject=user)
    db.session.commit()


def set_password(user: User, password: str, actor: User | None, *, keep: LoginSession | None = None) -> None:
    """Store a new password (policy-checked) and end the account's other sessions. Raises PasswordPolicyError."""
    now = utcnow()
    user.password_hash = hash_password(password, _context(user))
    throttle.security_for(user).password_changed_at = now
    throttle.reset(user)
    sessions.end_all(user, "password_changed", now, keep=keep)
    audit("password_changed" if actor is user else "password_reset", actor=actor, subject=user)
    db.session.commit()


def issue_password_link(user: User, actor: User | None, now: datetime | None = None) -> str:
    """A one-time link to set the password; earlier unused links for the account stop working."""
    now = now or utcnow()
    hours = float(current_app.config.get("PASSWORD_LINK_HOURS", 72))
    db.session.execute(
        update(PasswordLink).where(PasswordLink.user_id == user.id, PasswordLink.used_at.is_(None)).values(used_at=now)
    )
    token = tokens.new_token()
    db.session.add(
        PasswordLink(
            user_id=user.id,
            token_hash=tokens.hash_token(token),
            created_at=now,
            expires_at=now + timedelta(hours=hours),
            created_by_id=actor.id if actor else None,
        )
    )
    audit("password_link_issued", actor=actor, subject=user, detail=f"valid {hours:g} h")
    db.session.commit()
    return password_link_url(token)


def resolve_password_link(token: str, now: datetime | None = None) -> PasswordLink:
    if not tokens.well_formed(token):
        raise PasswordLinkInvalid()
    link = db.session.scalar(select(PasswordLink).where(PasswordLink.token_hash == tokens.hash_token(token)))
    if link is None or link.used_at is not None or not link.user.active or not tokens.matches(token, link.token_hash):
        raise PasswordLinkInvalid()
    if (now or utcnow()) >= link.expires_at:
        raise PasswordLinkExpired()
    return link


def use_password_link(link: PasswordLink, password: str) -> None:
    """Set the password from a link, which is then used up. Raises PasswordPolicyError."""
    check_policy(password, _context(link.user))  # a refused password leaves the link usable
    link.used_at = utcnow()
    set_password(link.user, password, actor=link.user)


def password_link_url(token: str) -> str:
    return external_url("auth.set_password", token=token)
