"""Slowing down guessing: a growing lock per account and a cap on failures per address.

The state lives in the database so that every worker process sees the same counts.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from dashboards.auth.models import LoginFailure, UserSecurity
from feedback.extensions import db
from feedback.models import User

FREE_ATTEMPTS = 5  # failures before the first lock
FIRST_LOCK = timedelta(minutes=1)
MAX_LOCK = timedelta(hours=1)
IP_WINDOW = timedelta(minutes=15)
KEEP_FAILURES = timedelta(days=1)


def lock_duration(failures: int) -> timedelta | None:
    """How long an account stays locked after its `failures`-th failure: 1, 2, 4 ... minutes, capped."""
    if failures < FREE_ATTEMPTS:
        return None
    doublings = min(failures - FREE_ATTEMPTS, 12)
    return min(FIRST_LOCK * 2**doublings, MAX_LOCK)


def ip_limit() -> int:
    return int(current_app.config.get("LOGIN_FAILURES_PER_IP", 20))


def security_for(user: User) -> UserSecurity:
    """The user's security row, created on first need (safe when two requests race to create it)."""
    insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    db.session.execute(insert(UserSecurity).values(user_id=user.id, failed_attempts=0).on_conflict_do_nothing())
    return db.session.get_one(UserSecurity, user.id)


def is_locked(security: UserSecurity | None, now: datetime) -> bool:
    return security is not None and security.locked_until is not None and security.locked_until > now


def ip_blocked(ip: str, now: datetime) -> bool:
    recent = db.session.scalar(
        select(func.count()).select_from(LoginFailure).where(LoginFailure.ip == ip, LoginFailure.at > now - IP_WINDOW)
    )
    return (recent or 0) >= ip_limit()


def record_failure(user: User | None, ip: str, now: datetime, *, count_for_account: bool) -> bool:
    """Note a refused attempt; returns True when it (newly) locks the account. Adds, does not commit."""
    db.session.execute(delete(LoginFailure).where(LoginFailure.at < now - KEEP_FAILURES))
    db.session.add(LoginFailure(at=now, ip=ip, user_id=user.id if user else None))
    if user is None or not count_for_account:
        return False
    security = security_for(user)
    failures = db.session.execute(
        update(UserSecurity)
        .where(UserSecurity.user_id == user.id)
        .values(failed_attempts=UserSecurity.failed_attempts + 1)
        .returning(UserSecurity.failed_attempts)
    ).scalar_one()
    db.session.refresh(security)
    duration = lock_duration(failures)
    if duration is None:
        return False
    security.locked_until = now + duration
    return True


def reset(user: User) -> None:
    """A completed sign-in (or an administrator's reset) clears the account's failures."""
    security = security_for(user)
    security.failed_attempts = 0
    security.locked_until = None
