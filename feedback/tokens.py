"""Single-purpose survey-link tokens: unguessable, stored only as a hash, checked in constant time.

A token is HMAC-SHA256(key, nonce) with a 128-bit nonce from `secrets` and a key derived from
SECRET_KEY. The database keeps the nonce and the token's SHA-256, never the token: a copy of the
database alone opens no questionnaire, while the app can still rebuild a link to send a
reminder or let the therapist hand it over. Rotating SECRET_KEY therefore retires open links.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

NONCE_BYTES = 16  # 128 bits from the OS CSPRNG
_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")


def derive_key(secret_key: str, purpose: bytes = b"survey-link-token") -> bytes:
    """A key for one purpose (the links themselves, their forms' CSRF tokens), so one never stands for the other."""
    return hashlib.sha256(purpose + b":" + secret_key.encode("utf-8")).digest()


def new_nonce() -> str:
    return secrets.token_urlsafe(NONCE_BYTES)


def token_for(key: bytes, nonce: str) -> str:
    digest = hmac.new(key, nonce.encode("ascii"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def hash_token(token: str) -> str:
    # A fast hash is enough: the token has 256 bits, so it cannot be brute-forced from its hash.
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def well_formed(token: str) -> bool:
    return bool(_SHAPE.fullmatch(token))  # the whole string: a trailing newline is refused too


def matches(token: str, stored_hash: str) -> bool:
    return hmac.compare_digest(hash_token(token), stored_hash)
