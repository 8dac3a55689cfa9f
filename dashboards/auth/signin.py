"""Signing in and out: password, then second factor, then a verified server-side session.

Every refusal looks the same to the person signing in, whether the e-mail is unknown, the account
disabled or locked, or the password wrong; the reason goes to the audit trail only.
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy import select

from dashboards.audit import audit
from dashboards.auth import passwords, recovery, sessions, throttle, totp
from dashboards.auth.models import LoginSession, UserSecurity
from dashboards.auth.passwords import verify_password
from feedback.config import setting_on
from feedback.extensions import db
from feedback.models import User, utcnow
from feedback.translatable import N_

# Marked here, translated by the page that shows them.
FAILED = N_(
    "Sign-in failed. Check your e-mail address and password. "
    "After several failed attempts, sign-in pauses for a few minutes."
)
CODE_FAILED = N_("That code was not accepted. Use the current code from your app, or an unused recovery code.")


def two_factor_required() -> bool:
    """Always, except for accounts without an authenticator when DEV_SKIP_2FA is set in development."""
    config = current_app.config
    return not (config.get("APP_ENV") == "development" and setting_on(config.get("DEV_SKIP_2FA"), "DEV_SKIP_2FA"))


def check_password(email: str, password: str, ip: str, now: datetime | None = None) -> User | None:
    """The account, if the password is right and nothing blocks it; None otherwise (commits)."""
    now = now or utcnow()
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    # Always one argon2 check, against a dummy hash if needed: timing must not tell accounts apart.
    password_ok = verify_password(user.password_hash if user else None, password)
    blocked = _blocked_because(user, ip, now)
    if user is not None and blocked is None and password_ok:
        _upgrade_hash(user, password)
        return user
    _refuse(user, ip, now, blocked or "wrong password", count_for_account=blocked is None)
    return None


def _blocked_because(user: User | None, ip: str, now: datetime) -> str | None:
    """Why no password would be accepted now (for the audit trail only), or None."""
    if user is None:
        return "unknown e-mail"
    if not user.active:
        return "account disabled"
    if throttle.is_locked(db.session.get(UserSecurity, user.id), now):
        return "account locked"
    if throttle.ip_blocked(ip, now):
        return "too many failures from this address"
    return None


def _upgrade_hash(user: User, password: str) -> None:
    """Re-hash with the current parameters after they were raised (the password is right here)."""
    if user.password_hash and passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.HASHER.hash(password)
        db.session.commit()


def _refuse(user: User | None, ip: str, now: datetime, reason: str, *, count_for_account: bool) -> None:
    newly_locked = throttle.record_failure(user, ip, now, count_for_account=count_for_account)
    audit("sign_in_failed", subject=user, detail=reason)
    if newly_locked and user is not None:
        audit("account_locked", subject=user, detail=f"until {throttle.security_for(user).locked_until:%H:%M} UTC")
    db.session.commit()


def begin(user: User, ip: str, now: datetime | None = None) -> tuple[LoginSession, str, str]:
    """Open a session after the password: (session, cookie id, next step).

    The step is "second_factor", "enrol" (no authenticator yet) or "done" (development skip only).
    """
    now = now or utcnow()
    login, token = sessions.start(user, ip, now)
    if totp.enrolled(user):
        step = "second_factor"
    elif two_factor_required():
        step = "enrol"
    else:
        token, step = complete(login, "skipped", now), "done"
    db.session.commit()
    return login, token, step


def check_second_factor(login: LoginSession, code: str, ip: str, now: datetime | None = None) -> str | None:
    """The factor used ("totp" or "recovery_code") if `code` is accepted, else None (commits)."""
    now = now or utcnow()
    user = login.user
    security = throttle.security_for(user)
    if throttle.is_locked(security, now) or throttle.ip_blocked(ip, now) or not user.active:
        _refuse(user, ip, now, "second factor while blocked", count_for_account=False)
        return None
    if recovery.looks_like_code(code):
        method = "recovery_code" if recovery.consume(user, code, now) else None
    else:
        method = "totp" if totp.accept(user, code.strip().replace(" ", ""), now) else None
    if method is None:
        _refuse(user, ip, now, "wrong second factor", count_for_account=True)
        return None
    db.session.commit()
    return method


def complete(login: LoginSession, second_factor: str, now: datetime | None = None) -> str:
    """The second factor is proven: a fresh session id, failures cleared, sign-in audited (commits)."""
    now = now or utcnow()
    token = sessions.verify(login, second_factor, now)
    throttle.reset(login.user)
    audit("sign_in", actor=login.user, detail=f"second factor: {second_factor}")
    if second_factor == "recovery_code":
        audit("recovery_code_used", actor=login.user, detail=f"{recovery.remaining(login.user)} left")
    db.session.commit()
    return token


def renew(login: LoginSession) -> str:
    """A fresh id for a signed-in session (commits); returned for the cookie."""
    token = sessions.renew(login)
    db.session.commit()
    return token


def sign_out(login: LoginSession | None, now: datetime | None = None) -> None:
    if login is None:
        return
    sessions.end(login, "logout", now or utcnow())
    audit("sign_out", actor=login.user)
    db.session.commit()


def end_other_sessions(user: User, keep: LoginSession, now: datetime | None = None) -> None:
    sessions.end_all(user, "ended_by_user", now or utcnow(), keep=keep)
    audit("end_other_sessions", actor=user, subject=user)
    db.session.commit()


def reauthenticate(user: User, password: str, ip: str, now: datetime | None = None) -> bool:
    """Ask a signed-in user for their password again before changing how they sign in (commits on failure)."""
    now = now or utcnow()
    security = throttle.security_for(user)
    if throttle.is_locked(security, now) or throttle.ip_blocked(ip, now):
        _refuse(user, ip, now, "re-authentication while blocked", count_for_account=False)
        return False
    if verify_password(user.password_hash, password):
        return True
    _refuse(user, ip, now, "wrong password on re-authentication", count_for_account=True)
    return False
