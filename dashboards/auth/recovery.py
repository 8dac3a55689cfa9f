"""Recovery codes: ten one-time codes for when the authenticator is lost; shown once, stored hashed.

A code has 80 random bits; each is stored as a salted SHA-256 (a fast hash is enough for random
secrets of this size, unlike passwords).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

from sqlalchemy import delete, func, select, update

from dashboards.auth.models import RecoveryCode
from feedback.extensions import db
from feedback.models import User, utcnow

COUNT = 10
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: easy to copy from paper
LENGTH = 16  # 16 symbols of 5 bits = 80 bits


def normalise(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def looks_like_code(code: str) -> bool:
    code = normalise(code)
    return len(code) == LENGTH and all(ch in ALPHABET for ch in code)


def _digest(salt: str, code: str) -> str:
    return hashlib.sha256(f"{salt}${code}".encode()).hexdigest()


def _hash(code: str) -> str:
    salt = secrets.token_hex(8)
    return f"{salt}${_digest(salt, code)}"


def _matches(stored: str, code: str) -> bool:
    salt, _, digest = stored.partition("$")
    return hmac.compare_digest(_digest(salt, code), digest)


def issue(user: User, now: datetime | None = None) -> list[str]:
    """Replace the user's codes with ten new ones; returns them for showing once. Adds, does not commit."""
    codes = ["".join(secrets.choice(ALPHABET) for _ in range(LENGTH)) for _ in range(COUNT)]
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    for code in codes:
        db.session.add(RecoveryCode(user_id=user.id, code_hash=_hash(code), created_at=now or utcnow()))
    return [display(code) for code in codes]


def display(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def consume(user: User, code: str, now: datetime | None = None) -> bool:
    """Use up a matching unused code (atomically, so it works exactly once)."""
    code = normalise(code)
    if not looks_like_code(code):
        return False
    unused = db.session.scalars(
        select(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    ).all()
    match = next((row for row in unused if _matches(row.code_hash, code)), None)
    if match is None:
        return False
    claimed = db.session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.id == match.id, RecoveryCode.used_at.is_(None))
        .values(used_at=now or utcnow())
    ).rowcount
    return claimed == 1


def remaining(user: User) -> int:
    return db.session.scalar(
        select(func.count()).select_from(RecoveryCode).where(
            RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
        )
    ) or 0


def remove(user: User) -> None:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
