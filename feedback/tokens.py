"""Single-purpose link tokens: unguessable, stored only as a hash, checked in constant time."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

TOKEN_BYTES = 32  # 256 bits from the OS CSPRNG
_SHAPE = re.compile(r"^[A-Za-z0-9_-]{43}$")


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    # A fast hash is enough: the token has 256 bits of entropy, so it cannot be brute-forced
    # from the hash the way a password could.
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def well_formed(token: str) -> bool:
    return bool(_SHAPE.match(token))


def matches(token: str, stored_hash: str) -> bool:
    return hmac.compare_digest(hash_token(token), stored_hash)
