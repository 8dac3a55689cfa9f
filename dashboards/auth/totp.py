"""Authenticator-app codes (TOTP, RFC 6238): enrolment with a QR code drawn here, and checking a
code so that each one works once.

Secrets are stored encrypted with a key derived from PHONE_ENCRYPTION_KEY (the deployment's
data-at-rest key), so a copy of the database alone does not give away anyone's second factor.
"""

from __future__ import annotations

import base64
from datetime import datetime

import pyotp
import segno
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from markupsafe import Markup
from pyotp.exceptions import OTPVerificationError
from sqlalchemy import or_, update

from dashboards.auth.models import UserSecurity
from dashboards.auth.throttle import security_for
from feedback.extensions import db
from feedback.models import User, utcnow

ISSUER_DEFAULT = "Alliance Monitor"
#: Codes from one step before or after now are accepted, for clocks that drift a little.
VALID_WINDOW = 1


def _box() -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"alliance-monitor totp secrets").derive(
        current_app.config["PHONE_ENCRYPTION_KEY"].encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


def _seal(secret: str) -> bytes:
    return _box().encrypt(secret.encode("ascii"))


def _open(sealed: bytes) -> str:
    return _box().decrypt(sealed).decode("ascii")


def begin_enrolment(user: User) -> str:
    """A fresh secret, kept as pending until a code from it is confirmed. Adds, does not commit."""
    secret = pyotp.random_base32()
    security_for(user).pending_totp_secret = _seal(secret)
    return secret


def pending_secret(user: User) -> str | None:
    sealed = security_for(user).pending_totp_secret
    return _open(sealed) if sealed else None


def provisioning_uri(user: User, secret: str) -> str:
    issuer = current_app.config.get("TOTP_ISSUER", ISSUER_DEFAULT)
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=issuer)


def qr_svg(uri: str, title: str = "Authenticator QR code") -> Markup:
    """The QR code as inline SVG, drawn here: the secret never goes to an outside service
    (also the clinic tablet's code, dashboards/kiosk)."""
    svg = segno.make(uri, error="m").svg_inline(scale=5, dark="#000", light="#fff", title=title)
    # segno's own output: path data and the title (segno escapes it), no other caller text.
    return Markup(svg)  # noqa: S704  # nosec B704


def matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The time step `code` belongs to, within the allowed drift, or None."""
    try:
        return pyotp.TOTP(secret).verify_and_get_timecode(code, for_time=now, valid_window=VALID_WINDOW)
    except (OTPVerificationError, ValueError):
        return None


def _claim_step(user: User, step: int) -> bool:
    """Record `step` as used, only if it is newer than the last one used (atomic: no replay, no race)."""
    claimed = db.session.execute(
        update(UserSecurity)
        .where(
            UserSecurity.user_id == user.id,
            or_(UserSecurity.totp_last_step.is_(None), UserSecurity.totp_last_step < step),
        )
        .values(totp_last_step=step)
    ).rowcount
    return claimed == 1


def accept(user: User, code: str, now: datetime | None = None) -> bool:
    """True if `code` is the user's current code and no code of its step or a later one was used."""
    security = security_for(user)
    if security.totp_secret is None:
        return False
    step = matching_step(_open(security.totp_secret), code, now or utcnow())
    return step is not None and _claim_step(user, step)


def confirm_enrolment(user: User, code: str, now: datetime | None = None) -> bool:
    """Activate the pending secret if `code` comes from it. Adds, does not commit."""
    now = now or utcnow()
    security = security_for(user)
    if security.pending_totp_secret is None:
        return False
    step = matching_step(_open(security.pending_totp_secret), code, now)
    if step is None:
        return False
    security.totp_secret = security.pending_totp_secret
    security.pending_totp_secret = None
    security.totp_enrolled_at = now
    security.totp_last_step = step  # the confirming code cannot be used again to sign in
    return True


def remove(user: User) -> None:
    """Forget the authenticator (an administrator's 2FA reset); the user enrols anew at next sign-in."""
    security = security_for(user)
    security.totp_secret = None
    security.pending_totp_secret = None
    security.totp_enrolled_at = None
    security.totp_last_step = None


def enrolled(user: User) -> bool:
    return security_for(user).has_totp
