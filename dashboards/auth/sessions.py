"""Server-side sign-in sessions. The Flask cookie carries only a random id; the row decides.

A session is refused once it has ended (logout, account disabled, password or 2FA changed), has
been idle longer than IDLE_LOGOUT_MINUTES (default 15) or is older than SESSION_MAX_HOURS (12).
The id changes at every step of signing in, so an id planted before sign-in never becomes valid.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, session
from sqlalchemy import select, update

from dashboards.auth import tokens
from dashboards.auth.models import LoginSession
from feedback.extensions import db
from feedback.models import User, utcnow

COOKIE_KEY = "login_session"
NEXT_KEY = "after_login"
#: Time allowed between the password and the second factor.
PENDING_LIMIT = timedelta(minutes=10)
#: How stale `last_seen_at` may get before a request writes it again. Writing on every request
#: made each page view a commit, and under load the app processes queued for SQLite's single
#: write lock; the price is that an idle logout may come up to this much early.
TOUCH_EVERY = timedelta(seconds=30)


@dataclass(frozen=True)
class Limits:
    idle: timedelta
    max_age: timedelta

    @classmethod
    def from_config(cls) -> Limits:
        config = current_app.config
        return cls(
            idle=timedelta(minutes=float(config.get("IDLE_LOGOUT_MINUTES", 15))),
            max_age=timedelta(hours=float(config.get("SESSION_MAX_HOURS", 12))),
        )


def expiry_reason(created_at: datetime, last_seen_at: datetime, now: datetime, limits: Limits) -> str | None:
    """Why a live session must end now ("expired", "idle"), or None while it may continue."""
    if now - created_at >= limits.max_age:
        return "expired"
    if now - last_seen_at >= limits.idle:
        return "idle"
    return None


def start(user: User, ip: str | None, now: datetime) -> tuple[LoginSession, str]:
    """A new pending session (password accepted, second factor due) and the id for the cookie."""
    token = tokens.new_token()
    login = LoginSession(token_hash=tokens.hash_token(token), user=user, created_at=now, last_seen_at=now, ip=ip)
    db.session.add(login)
    return login, token


def renew(login: LoginSession) -> str:
    """A fresh id for the same session (returned for the cookie); a copy of the old cookie stops working."""
    token = tokens.new_token()
    login.token_hash = tokens.hash_token(token)
    return token


def verify(login: LoginSession, second_factor: str, now: datetime) -> str:
    """Mark the second factor proven and give the session a fresh id (returned for the cookie)."""
    login.verified_at = now
    login.last_seen_at = now
    login.second_factor = second_factor
    return renew(login)


def end(login: LoginSession, reason: str, now: datetime) -> None:
    if login.ended_at is None:
        login.ended_at = now
        login.end_reason = reason


def end_all(user: User, reason: str, now: datetime, *, keep: LoginSession | None = None) -> None:
    """End every live session of `user` (except `keep`): logout everywhere, account disabled, ..."""
    query = update(LoginSession).where(LoginSession.user_id == user.id, LoginSession.ended_at.is_(None))
    if keep is not None:
        query = query.where(LoginSession.id != keep.id)
    db.session.execute(query.values(ended_at=now, end_reason=reason))


def live(user: User, now: datetime) -> list[LoginSession]:
    """The user's signed-in sessions that are still usable, newest first (for "where am I signed in")."""
    limits = Limits.from_config()
    rows = db.session.scalars(
        select(LoginSession)
        .where(LoginSession.user_id == user.id, LoginSession.ended_at.is_(None), LoginSession.verified_at.is_not(None))
        .order_by(LoginSession.last_seen_at.desc())
    )
    return [row for row in rows if expiry_reason(row.created_at, row.last_seen_at, now, limits) is None]


def _from_cookie() -> LoginSession | None:
    token = session.get(COOKIE_KEY)
    if not isinstance(token, str) or not tokens.well_formed(token):
        return None
    login = db.session.scalar(select(LoginSession).where(LoginSession.token_hash == tokens.hash_token(token)))
    if login is None or login.ended_at is not None or not tokens.matches(token, login.token_hash):
        return None
    return login


def pending(now: datetime | None = None) -> LoginSession | None:
    """The cookie's session if it is between password and second factor, still fresh."""
    now = now or utcnow()
    login = _from_cookie()
    if login is None or login.verified_at is not None or not login.user.active:
        return None
    if now - login.created_at >= PENDING_LIMIT:
        end(login, "expired", now)
        db.session.commit()
        return None
    return login


def current(now: datetime | None = None) -> LoginSession | None:
    """The cookie's fully signed-in session, if still valid; touching it resets the idle clock."""
    now = now or utcnow()
    login = _from_cookie()
    if login is None or login.verified_at is None:
        return None
    reason = expiry_reason(login.created_at, login.last_seen_at, now, Limits.from_config())
    if reason is None and not login.user.active:
        reason = "disabled"
    if reason:
        end(login, reason, now)
        db.session.commit()
        return None
    if now - login.last_seen_at >= TOUCH_EVERY:
        login.last_seen_at = now
        db.session.commit()
    return login


def write_cookie(token: str, next_url: str | None = None) -> None:
    """Replace everything in the Flask session (no pre-sign-in state survives) with the new id."""
    session.clear()
    session[COOKIE_KEY] = token
    if next_url:
        session[NEXT_KEY] = next_url
