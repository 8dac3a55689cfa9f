"""Mobile numbers: normalised to E.164, encrypted at rest, findable by a keyed hash."""

from __future__ import annotations

import base64
import hashlib
import hmac

import phonenumbers
from cryptography.fernet import Fernet, InvalidToken


class PhoneError(ValueError):
    pass


def normalise(raw: str, default_region: str | None = None) -> str:
    """'+49 151 2345 6789' -> '+4915123456789'; refuses numbers that cannot be mobiles."""
    try:
        number = phonenumbers.parse(raw, default_region)
    except phonenumbers.NumberParseException:
        raise PhoneError("not a phone number: give it in international form, e.g. +44 7700 900123") from None
    if not phonenumbers.is_valid_number(number):
        raise PhoneError("not a valid phone number for its country")
    kind = phonenumbers.number_type(number)
    if kind not in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE):
        raise PhoneError("not a mobile number, so it cannot receive SMS")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class PhoneCipher:
    """Fernet (AES-128-CBC + HMAC) for the number; HMAC-SHA256 with a derived key for lookups."""

    def __init__(self, key: str):
        try:
            self._fernet = Fernet(key.encode("ascii"))
        except (ValueError, TypeError) as exc:
            raise ValueError("PHONE_ENCRYPTION_KEY must be a Fernet key (32 url-safe base64 bytes)") from exc
        self._lookup_key = hashlib.sha256(b"phone-lookup:" + base64.urlsafe_b64decode(key)).digest()

    def encrypt(self, e164: str) -> bytes:
        return self._fernet.encrypt(e164.encode("ascii"))

    def decrypt(self, blob: bytes) -> str:
        try:
            return self._fernet.decrypt(blob).decode("ascii")
        except InvalidToken as exc:
            raise ValueError("phone number cannot be decrypted with the configured key") from exc

    def lookup_hash(self, e164: str) -> str:
        return hmac.new(self._lookup_key, e164.encode("ascii"), hashlib.sha256).hexdigest()


def generate_key() -> str:
    return Fernet.generate_key().decode("ascii")
