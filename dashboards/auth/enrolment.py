"""Setting up the second factor: authenticator secret, QR code, confirmation, recovery codes."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from dashboards.audit import audit
from dashboards.auth import recovery, sessions, totp
from dashboards.auth.models import LoginSession
from feedback.extensions import db
from feedback.models import User, utcnow


@dataclass(frozen=True)
class Setup:
    secret: str
    qr: Markup

    @property
    def secret_groups(self) -> str:
        """The secret in groups of four, for typing it into an app by hand."""
        return " ".join(self.secret[i : i + 4] for i in range(0, len(self.secret), 4))


def start(user: User) -> Setup:
    """A new pending secret to scan (commits); the current authenticator keeps working until confirmed."""
    secret = totp.begin_enrolment(user)
    db.session.commit()
    return Setup(secret, totp.qr_svg(totp.provisioning_uri(user, secret)))


def confirm(user: User, code: str, *, keep: LoginSession | None = None) -> list[str] | None:
    """Activate the pending secret if `code` comes from it; returns new recovery codes to show once.

    Other sessions of the account end (its way of signing in changed); `keep` survives.
    """
    now = utcnow()
    if not totp.confirm_enrolment(user, code.strip().replace(" ", ""), now):
        return None
    codes = recovery.issue(user, now)
    if keep is not None:
        sessions.end_all(user, "2fa_changed", now, keep=keep)
    audit("2fa_enrolled", actor=user, subject=user)
    db.session.commit()
    return codes


def renew_recovery_codes(user: User) -> list[str]:
    codes = recovery.issue(user)
    audit("recovery_codes_renewed", actor=user, subject=user)
    db.session.commit()
    return codes
