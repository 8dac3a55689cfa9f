"""Managing accounts (command line, directors and admins): add, disable, enable, reset password or 2FA.

Each operation ends the account's sessions where the change demands it, writes an audit row and
commits once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update

from dashboards.audit import audit
from dashboards.auth import account_mail, recovery, sessions, throttle, tokens, totp
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


def add_account(manager: User | None, email: str, role: str, display_name: str, clinic_name: str = "") -> User | None:
    """A new account without a password (it is set through a link). Raises setup.SetupError.

    None when the address already has an account in another clinic: its owner is told, and the
    caller answers exactly as for a new account, so that nobody learns another clinic's staff.
    """
    clinic = manager.clinic if manager else setup.find_clinic(clinic_name)
    existing = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if existing is not None and existing.clinic_id != clinic.id:
        # In the address's own clinic, without the asking manager: nobody learns another clinic's people.
        audit("add_user_refused", subject=existing, from_outside=True, detail="tried from another clinic")
        db.session.commit()
        account_mail.address_in_use(existing)
        return None
    user = setup.add_user(email, clinic, role, None, display_name)
    audit("add_user", actor=manager, subject=user, detail=f"role {role}")
    db.session.commit()
    _tell_directors(user, manager, "created the account")
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
    """Forget the authenticator and recovery codes; the user enrols again at the next sign-in.
    Their sessions end; the owner, and for a privileged account the other directors, are told."""
    totp.remove(user)
    recovery.remove(user)
    sessions.end_all(user, "2fa_changed", now or utcnow())
    audit("reset_2fa", actor=actor, subject=user)
    db.session.commit()
    if actor is not user:
        account_mail.two_factor_reset(user, actor)
    _tell_directors(user, actor, "reset two-step sign-in")


def _tell_directors(user: User, actor: User | None, what: str) -> None:
    if user.role in account_mail.PRIVILEGED:
        account_mail.privileged_change(user, actor, what, account_mail.other_directors(user, actor))


def set_password(user: User, password: str, actor: User | None, *, keep: LoginSession | None = None) -> None:
    """Store a new password (policy-checked) and end the account's other sessions. Raises PasswordPolicyError."""
    now = utcnow()
    user.password_hash = hash_password(password, _context(user))
    throttle.security_for(user).password_changed_at = now
    throttle.reset(user)
    sessions.end_all(user, "password_changed", now, keep=keep)
    audit("password_changed" if actor is user else "password_reset", actor=actor, subject=user)
    db.session.commit()


def _new_password_link(user: User, actor: User | None, now: datetime) -> str:
    """Add a one-time link (earlier unused links for the account stop working); its URL. Does not commit."""
    db.session.execute(
        update(PasswordLink).where(PasswordLink.user_id == user.id, PasswordLink.used_at.is_(None)).values(used_at=now)
    )
    token = tokens.new_token()
    db.session.add(
        PasswordLink(
            user_id=user.id,
            token_hash=tokens.hash_token(token),
            created_at=now,
            expires_at=now + timedelta(hours=link_hours()),
            created_by_id=actor.id if actor else None,
        )
    )
    return password_link_url(token)


def link_hours() -> float:
    return float(current_app.config.get("PASSWORD_LINK_HOURS", 72))


def issue_password_link(user: User, actor: User | None, now: datetime | None = None) -> str:
    """The operator's link (command line, first set-up): returned to be shown on the console.

    For an account already in use it is a reset, as on the accounts page: its sessions end, and
    the owner (and, for a privileged account, the other directors) are told."""
    now = now or utcnow()
    in_use = user.password_hash is not None or totp.enrolled(user)
    link = _new_password_link(user, actor, now)
    if in_use:
        sessions.end_all(user, "password_reset", now)
    audit("password_link_issued", actor=actor, subject=user, detail=f"valid {link_hours():g} h, shown on the console")
    db.session.commit()
    if in_use:
        account_mail.password_link_shown(user, actor)
        _tell_directors(user, actor, "made a new password link")
    return link


def send_password_link(user: User, actor: User | None, now: datetime | None = None) -> None:
    """E-mail a one-time link to the account's own address; nobody else ever sees it.

    For an account that already has a password this is a reset: its sessions end. Nothing is
    committed unless the e-mail was handed to the mail server (raises AccountMailError).
    """
    now = now or utcnow()
    new_account = user.password_hash is None and not totp.enrolled(user)
    link = _new_password_link(user, actor, now)
    if not new_account:
        sessions.end_all(user, "password_reset", now)
    audit("password_link_sent", actor=actor, subject=user, detail=f"valid {link_hours():g} h, e-mailed to the owner")
    try:
        account_mail.password_link(user, actor, link, link_hours(), new_account=new_account)
    except account_mail.AccountMailError:
        db.session.rollback()
        raise
    db.session.commit()
    if not new_account:
        _tell_directors(user, actor, "sent a new password link")


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
