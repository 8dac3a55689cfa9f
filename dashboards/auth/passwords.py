"""Password hashing with argon2id at or above OWASP ASVS's floor (19 MiB, t=2, p=1)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH, MAX_LENGTH = 12, 128

# Werkzeug's default (scrypt) parameters sit below the ASVS floor; argon2id is set explicitly.
HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


class PasswordPolicyError(ValueError):
    pass


def check_policy(password: str) -> None:
    """Length only, no composition rules (ASVS 6.2 / NIST 800-63B)."""
    if len(password) < MIN_LENGTH:
        raise PasswordPolicyError(f"password must be at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise PasswordPolicyError(f"password must be at most {MAX_LENGTH} characters")


def hash_password(password: str) -> str:
    check_policy(password)
    return HASHER.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    if not stored_hash:
        return False
    try:
        return HASHER.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return HASHER.check_needs_rehash(stored_hash)
