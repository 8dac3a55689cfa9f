"""Random ids for sign-in sessions and set-password links: 256 bits from the OS, kept as SHA-256.

Hashing and the constant-time check are the same as for survey links (`feedback.tokens`).
"""

from __future__ import annotations

import secrets

from feedback.tokens import hash_token, matches, well_formed

__all__ = ["hash_token", "matches", "new_token", "well_formed"]


def new_token() -> str:
    return secrets.token_urlsafe(32)  # 43 characters, the shape `well_formed` expects
