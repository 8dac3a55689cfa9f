"""The run's password hasher: production's argon2id parameters, each hash and each check computed
once per run. At 19 MiB and t=2 one call costs 30-50 ms, and the suite makes thousands of accounts
with the same test password and signs them in thousands of times.

A password's hash is the same string for every account (one salt for the run), which no test
relies on either way; a check is remembered with its outcome, a refusal raising again as it did.
Tests that count or replace the hasher (tests/auth/test_passwords.py) put their own in its place.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from dashboards.auth import passwords


class RunHasher(PasswordHasher):
    def __init__(self, like: PasswordHasher) -> None:
        super().__init__(time_cost=like.time_cost, memory_cost=like.memory_cost, parallelism=like.parallelism,
                         hash_len=like.hash_len, salt_len=like.salt_len, type=like.type)
        self._hashes: dict[str | bytes, str] = {}
        self._checks: dict[tuple[str | bytes, str | bytes], Exception | None] = {}

    def hash(self, password: str | bytes, *, salt: bytes | None = None) -> str:
        if salt is not None:
            return super().hash(password, salt=salt)
        if password not in self._hashes:
            self._hashes[password] = super().hash(password)
        return self._hashes[password]

    def verify(self, hash: str | bytes, password: str | bytes) -> bool:  # noqa: A002 (argon2's name)
        key = (hash, password)
        if key not in self._checks:
            try:
                super().verify(hash, password)
                self._checks[key] = None
            except (VerificationError, InvalidHashError) as exc:
                self._checks[key] = exc
        refusal = self._checks[key]
        if refusal is not None:
            raise type(refusal)(*refusal.args)
        return True


def install() -> None:
    if not isinstance(passwords.HASHER, RunHasher):
        passwords.HASHER = RunHasher(passwords.HASHER)
