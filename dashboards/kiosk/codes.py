"""One-time codes that open a patient's questionnaire on the clinic tablet.

A code is 6 characters from a 31-letter alphabet without look-alikes (no 0/O, 1/I/L): 31**6 =
887,503,681 codes, 29.7 bits. It works once, for 15 minutes, only on a tablet of the patient's
clinic. Guessing is capped at 5 wrong codes a minute per tablet and 30 per 15 minutes per clinic,
so at most 30 guesses meet a code in its lifetime (docs/kiosk.md works out what that buys).
The database keeps HMAC-SHA256(key from SECRET_KEY, code): a copy of it cannot be searched for the
codes, which a plain hash of a 30-bit code could.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, select, update

from dashboards.audit import audit
from dashboards.kiosk.models import KioskCode, KioskCodeFailure, KioskDevice
from feedback.extensions import db
from feedback.models import Clinic, Invitation, User, utcnow

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 6
LIFETIME = timedelta(minutes=15)
DEVICE_WINDOW = timedelta(minutes=1)
CLINIC_WINDOW = LIFETIME
KEEP_FAILURES = timedelta(days=1)


class CodeRefused(Exception):
    """A typed code opens nothing; `reason` says which message the tablet shows."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # wrong, expired, paused (too many wrong codes)


@dataclass(frozen=True)
class Issued:
    code: str
    expires_at: datetime


def _limit(name: str, default: int) -> int:
    return int(current_app.config.get(name, default))


def normalise(typed: str) -> str:
    """What the patient typed, as a code: capitals, without spaces or dashes ("ab3 k7m" → "AB3K7M")."""
    return "".join(ch for ch in typed.upper() if ch not in " -")


def well_formed(code: str) -> bool:
    return len(code) == LENGTH and all(ch in ALPHABET for ch in code)


def code_hash(code: str) -> str:
    key = hashlib.sha256(b"kiosk-code:" + current_app.config["SECRET_KEY"].encode("utf-8")).digest()
    return hmac.new(key, code.encode("ascii"), hashlib.sha256).hexdigest()


def _live(clinic_id: int, digest: str, now: datetime):
    return select(KioskCode).where(
        KioskCode.clinic_id == clinic_id, KioskCode.code_hash == digest,
        KioskCode.used_at.is_(None), KioskCode.expires_at > now,
    )


def issue(invitation: Invitation, issuer: User, now: datetime | None = None) -> Issued:
    """A new code for a patient's open questionnaire; earlier unused codes for it stop working.
    No two live codes of a clinic are the same. Audited (without the code); commits."""
    now = now or utcnow()
    clinic_id = invitation.session.patient.clinic_id
    db.session.execute(
        update(KioskCode)
        .where(KioskCode.invitation_id == invitation.id, KioskCode.used_at.is_(None))
        .values(used_at=now)
    )
    while True:
        code = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
        if db.session.scalar(_live(clinic_id, code_hash(code), now)) is None:
            break
    db.session.add(KioskCode(clinic_id=clinic_id, invitation_id=invitation.id, code_hash=code_hash(code),
                             issued_by_id=issuer.id, created_at=now, expires_at=now + LIFETIME))
    audit("kiosk_code_issued", actor=issuer, patient=invitation.session.patient,
          detail=f"session {invitation.session.number}, for 15 minutes")
    db.session.commit()
    return Issued(code, now + LIFETIME)


def paused(device: KioskDevice, now: datetime) -> bool:
    """Too many wrong codes lately, on this tablet or across the clinic: no code is checked now."""
    recent = select(func.count()).select_from(KioskCodeFailure)
    on_device = db.session.scalar(
        recent.where(KioskCodeFailure.device_id == device.id, KioskCodeFailure.at > now - DEVICE_WINDOW))
    in_clinic = db.session.scalar(
        recent.where(KioskCodeFailure.clinic_id == device.clinic_id, KioskCodeFailure.at > now - CLINIC_WINDOW))
    return (on_device or 0) >= _limit("KIOSK_WRONG_CODES_PER_DEVICE", 5) or (
        (in_clinic or 0) >= _limit("KIOSK_WRONG_CODES_PER_CLINIC", 30))


def redeem(device: KioskDevice, typed: str, now: datetime | None = None) -> Invitation:
    """The questionnaire a code opens on this tablet, using the code up; CodeRefused otherwise.
    A wrong or expired code counts against the limits. Adds, does not commit."""
    now = now or utcnow()
    # One check at a time per clinic, until the caller commits: a no-op write takes the clinic row's
    # lock (PostgreSQL) or the write lock (SQLite) before the count, so guesses sent in parallel are
    # counted one after another and the limits hold.
    db.session.execute(update(Clinic).where(Clinic.id == device.clinic_id).values(id=Clinic.id))
    if paused(device, now):
        raise CodeRefused("paused")
    code = normalise(typed)
    found = db.session.scalar(_live(device.clinic_id, code_hash(code), now)) if well_formed(code) else None
    if found is not None:
        taken = db.session.execute(  # guarded: two tablets typing the same code at once use it once
            update(KioskCode).where(KioskCode.id == found.id, KioskCode.used_at.is_(None))
            .values(used_at=now, used_on_id=device.id)
        ).rowcount
        if taken == 1:
            return found.invitation
    _record_failure(device, now)
    expired = well_formed(code) and db.session.scalar(
        select(KioskCode.id).where(KioskCode.clinic_id == device.clinic_id, KioskCode.code_hash == code_hash(code),
                                   KioskCode.used_at.is_(None)).limit(1)) is not None
    raise CodeRefused("expired" if expired else "wrong")


def _record_failure(device: KioskDevice, now: datetime) -> None:
    db.session.execute(delete(KioskCodeFailure).where(KioskCodeFailure.at < now - KEEP_FAILURES))
    db.session.add(KioskCodeFailure(device_id=device.id, clinic_id=device.clinic_id, at=now))
