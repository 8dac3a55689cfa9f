"""Password hashing with argon2id at or above OWASP ASVS's floor (19 MiB, t=2, p=1).

Werkzeug's default (scrypt) parameters sit below that floor, so argon2id is set explicitly here.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from feedback.i18n import gettext as _

MIN_LENGTH, MAX_LENGTH = 12, 128

HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)

# Commonly chosen passwords that pass the length rule. A deployment should add a full breached-password
# list (ASVS 6.2.4: at least the top 3,000 that fit the policy); these catch the obvious ones.
COMMON = frozenset(
    {
        "123456789012", "1234567890123", "12345678901234", "password1234", "password12345", "passwordpassword",
        "qwertyuiop12", "qwertyuiopas", "qwerty123456", "iloveyou1234", "letmein12345", "welcome12345",
        "abcdefghijkl", "abc123456789", "111111111111", "000000000000", "aaaaaaaaaaaa", "changeme1234",
        "administrator", "password123!", "therapist123", "psychotherapy", "correcthorsebatterystaple",
    }
)


class PasswordPolicyError(ValueError):
    pass


def check_policy(password: str, context: Iterable[str] = ()) -> None:
    """Length only, no composition rules (ASVS 6.2 / NIST 800-63B), plus obvious choices refused.

    `context` holds words a password must not simply be, such as the e-mail's local part.
    """
    if len(password) < MIN_LENGTH:
        raise PasswordPolicyError(_("password must be at least %(n)s characters", n=MIN_LENGTH))
    if len(password) > MAX_LENGTH:
        raise PasswordPolicyError(_("password must be at most %(n)s characters", n=MAX_LENGTH))
    folded = password.casefold()
    if folded in COMMON or folded.replace(" ", "") in COMMON:
        raise PasswordPolicyError(_("this password is too common; please choose another"))
    for word in context:
        if word and len(word) >= 4 and folded.startswith(word.casefold()):
            raise PasswordPolicyError(_("the password must not be based on your e-mail address or name"))


def hash_password(password: str, context: Iterable[str] = ()) -> str:
    check_policy(password, context)
    return HASHER.hash(password)


@cache
def _dummy_hash() -> str:
    return HASHER.hash("not a password: used to spend the same time on unknown accounts")


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True if `password` matches. Without a stored hash it still spends the time of a real check,
    so the response time does not tell whether an account (or its password) exists."""
    if not stored_hash:
        _verify(_dummy_hash(), password)
        return False
    return _verify(stored_hash, password)


def _verify(stored_hash: str, password: str) -> bool:
    try:
        return HASHER.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return HASHER.check_needs_rehash(stored_hash)
