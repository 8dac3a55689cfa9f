"""Mobile numbers: normalised to E.164, encrypted at rest, findable by a keyed hash."""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import zoneinfo
from importlib import resources
from pathlib import Path

import phonenumbers
from cryptography.fernet import Fernet, InvalidToken

from feedback.phrases import phrase
from feedback.translatable import N_


class PhoneError(ValueError):
    """Why a number is refused: `message` for a page to say in its reader's language; `str()` is
    the English sentence (command line, logs)."""

    def __init__(self, msgid: str, **params: object):
        self.message = phrase(msgid, **params)
        super().__init__(str(self.message))


def normalise(raw: str, default_region: str | None = None) -> str:
    """'+49 151 2345 6789' -> '+4915123456789'; refuses numbers that cannot be mobiles.

    With a `default_region` ('GB'), national numbers of that country are read too:
    '07911 123456' -> '+447911123456'. Without one, only the international form is.
    """
    try:
        number = phonenumbers.parse(raw, default_region)
    except phonenumbers.NumberParseException:
        raise PhoneError(N_("not a phone number: give it in international form, e.g. %(example)s"),
                         example="+44 7700 900123") from None
    if not phonenumbers.is_valid_number(number):
        raise PhoneError(N_("not a valid phone number for its country"))
    kind = phonenumbers.number_type(number)
    if kind not in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE):
        raise PhoneError(N_("not a mobile number, so it cannot receive SMS"))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def region_for_zone(tz_name: str) -> str | None:
    """The country whose national numbers a clinic in this IANA zone types: 'Europe/London' -> 'GB'.

    None for zones of no one country (UTC, Etc/*) and for names the table lacks (old aliases
    such as 'US/Eastern'): those clinics give numbers in international form.
    """
    region = _zone_countries().get(tz_name)
    return region if region in phonenumbers.SUPPORTED_REGIONS else None


@functools.cache
def _zone_countries() -> dict[str, str]:
    # phonenumbers knows no time zone -> country mapping, but the tz database ships one: zone.tab
    # gives each zone one ISO 3166 code (zone1970.tab lists several). Read from where zoneinfo
    # reads the zones themselves. If no copy is found, no zone has a region, so national numbers
    # are refused with the "international form" message rather than guessed.
    countries: dict[str, str] = {}
    for line in _zone_tab().splitlines():
        fields = line.split("\t")
        if len(fields) >= 3 and not line.startswith("#"):
            countries[fields[2]] = fields[0]
    return countries


def _zone_tab() -> str:
    for directory in zoneinfo.TZPATH:
        try:
            return Path(directory, "zone.tab").read_text(encoding="utf-8")
        except OSError:
            continue
    try:  # the tzdata package, zoneinfo's own fallback when the system has no database
        return resources.files("tzdata.zoneinfo").joinpath("zone.tab").read_text(encoding="utf-8")
    except (ModuleNotFoundError, OSError):
        return ""


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
