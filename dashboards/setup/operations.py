"""Setting up a clinic: clinics, clinician accounts and patients (used by CLI and UI)."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app
from sqlalchemy import select

from dashboards.auth.passwords import hash_password
from feedback.extensions import db
from feedback.i18n import gettext as _
from feedback.i18n import translated
from feedback.links import patient_languages
from feedback.models import CHANNELS, ROLES, Clinic, Patient, User, utcnow
from feedback.phones import PhoneCipher, PhoneError, normalise, region_for_zone

CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{1,31}$")
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class SetupError(ValueError):
    """Bad input for a set-up operation; the message is shown to the user as is (in the page's
    language on a page; the command line, which has no page, prints it in English)."""


def phone_cipher() -> PhoneCipher:
    return PhoneCipher(current_app.config["PHONE_ENCRYPTION_KEY"])


def find_clinic(name: str) -> Clinic:
    clinic = db.session.scalar(select(Clinic).where(Clinic.name == name))
    if clinic is None:
        raise SetupError(f"no clinic named {name!r}")
    return clinic


def add_clinic(name: str, timezone: str = "UTC") -> Clinic:
    name = name.strip()
    if not 2 <= len(name) <= 200:
        raise SetupError("clinic name must be 2 to 200 characters")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise SetupError(f"unknown time zone {timezone!r} (use an IANA name such as Europe/Berlin)") from None
    if db.session.scalar(select(Clinic).where(Clinic.name == name)):
        raise SetupError(f"a clinic named {name!r} already exists")
    clinic = Clinic(name=name, timezone=timezone)
    db.session.add(clinic)
    db.session.commit()
    return clinic


def add_user(email: str, clinic: Clinic, role: str, password: str | None, display_name: str = "") -> User:
    email = email.strip().lower()
    if not EMAIL_PATTERN.match(email) or len(email) > 254:
        raise SetupError(_("%(email)r is not an e-mail address", email=email))
    if role not in ROLES:
        raise SetupError(_("role must be one of %(roles)s", roles=", ".join(ROLES)))
    if db.session.scalar(select(User).where(User.email == email)):
        raise SetupError(_("an account for %(email)s already exists", email=email))
    try:
        password_hash = hash_password(password) if password is not None else None
    except ValueError as exc:
        raise SetupError(str(exc)) from None
    user = User(
        email=email,
        clinic=clinic,
        role=role,
        password_hash=password_hash,
        display_name=display_name or email.split("@")[0],
    )
    db.session.add(user)
    db.session.commit()
    return user


def find_therapist(email: str, clinic: Clinic) -> User:
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or user.clinic_id != clinic.id:
        raise SetupError(f"no clinician {email} in {clinic.name}")
    if user.role not in ("therapist", "director"):
        raise SetupError(f"{email} is an {user.role} account and cannot have patients")
    return user


def add_patient(
    code: str,
    clinic: Clinic,
    therapist: User,
    *,
    phone: str | None = None,
    sms_consent: bool = False,
    email: str | None = None,
    email_consent: bool = False,
    channel: str | None = None,
    language: str | None = None,
    now: datetime | None = None,
) -> Patient:
    language = language or clinic.language  # not chosen: the clinic's default language
    if not CODE_PATTERN.match(code):
        raise SetupError(_("patient code must be 2-32 letters, digits, '-' or '_' (a pseudonym, not a name)"))
    if db.session.scalar(select(Patient).where(Patient.clinic_id == clinic.id, Patient.code == code)):
        raise SetupError(_("patient %(code)s already exists in %(clinic)s", code=code, clinic=clinic.name))
    channel = check_contact(phone=phone, sms_consent=sms_consent, email=email, email_consent=email_consent,
                            language=language, channel=channel)
    patient = Patient(
        code=code,
        clinic=clinic,
        therapist=therapist,
        language=language,
        preferred_channel=channel,
        sms_consent=sms_consent,
    )
    if phone:
        set_phone(patient, phone)
    if sms_consent:
        patient.sms_consent_at = now or utcnow()
    if email:
        set_email(patient, email)
    if email_consent:
        patient.email_consent, patient.email_consent_at = True, now or utcnow()
    db.session.add(patient)
    db.session.commit()
    return patient


def check_contact(*, phone: str | None, sms_consent: bool, email: str | None, email_consent: bool, language: str,
                  channel: str | None) -> str:
    """The channel links go by (the one given, else the first the patient agreed to); a SetupError
    for a contradiction. Adding a patient and changing their contact details share these rules."""
    if sms_consent and not phone:
        raise SetupError(_("SMS consent needs a mobile number"))
    if email_consent and not email:
        raise SetupError(_("e-mail consent needs an e-mail address"))
    if language not in patient_languages():
        raise SetupError(_("language must be one of %(languages)s", languages=", ".join(patient_languages())))
    channel = channel or ("sms" if sms_consent else "email" if email_consent else "link")
    if channel not in CHANNELS:
        raise SetupError(_("channel must be one of %(channels)s", channels=", ".join(CHANNELS)))
    if channel == "sms" and not sms_consent:
        raise SetupError(_("the SMS channel needs the patient's SMS consent"))
    if channel == "email" and not email_consent:
        raise SetupError(_("the e-mail channel needs the patient's e-mail consent"))
    return channel


def set_phone(patient: Patient, raw: str) -> None:
    """Store the number in E.164; national numbers are read as the clinic's country's."""
    try:
        e164 = normalise(raw, region_for_zone(patient.clinic.timezone))
    except PhoneError as exc:  # in the page's language; English on the command line, as `_()` is
        raise SetupError(translated(exc.message)) from None
    cipher = phone_cipher()
    patient.phone_encrypted = cipher.encrypt(e164)
    patient.phone_lookup = cipher.lookup_hash(e164)


def set_email(patient: Patient, raw: str) -> None:
    """Store the address encrypted, as the number is; a new address may be tried again after a bounce."""
    patient.email_encrypted = phone_cipher().encrypt(email_address(raw))
    patient.email_bounced_at = None


def email_address(raw: str) -> str:
    """The address as stored: NFC, the domain lower-cased."""
    address = unicodedata.normalize("NFC", raw.strip())
    local, _at, domain = address.rpartition("@")
    if not EMAIL_PATTERN.match(address) or len(address) > 254:
        raise SetupError(_("%(email)s is not an e-mail address", email=address))
    if not address.isascii():
        raise SetupError(_("write the e-mail address in plain letters, digits and . _ - + @"))
    return f"{local}@{domain.lower()}"


def change_contact(patient: Patient, *, phone: str | None, sms_consent: bool, email: str | None, email_consent: bool,
                   language: str, channel: str, now: datetime | None = None) -> list[str]:
    """Set a patient's contact details (not committed): the names of the fields that changed, never their
    values. A new address clears its bounce mark; a STOP or an unsubscribe stays (the patient's own word)."""
    check_contact(phone=phone, sms_consent=sms_consent, email=email, email_consent=email_consent,
                  language=language, channel=channel)
    changed = []
    before = patient.phone_lookup
    if phone:
        set_phone(patient, phone)
    else:
        patient.phone_encrypted = patient.phone_lookup = None
    if patient.phone_lookup != before:
        changed.append("mobile")
    stored = phone_cipher().decrypt(patient.email_encrypted) if patient.email_encrypted is not None else None
    if (email_address(email) if email else None) != stored:
        changed.append("e-mail address")
        if email:
            set_email(patient, email)
        else:
            patient.email_encrypted = None
    for name, given in (("sms_consent", sms_consent), ("email_consent", email_consent)):
        if getattr(patient, name) != given:
            changed.append(f"{name.replace('_', ' ')} {'given' if given else 'withdrawn'}")
            setattr(patient, name, given)
            setattr(patient, f"{name}_at", (now or utcnow()) if given else None)
    for name, value in (("language", language), ("preferred_channel", channel)):
        if getattr(patient, name) != value:
            changed.append(name.replace("_", " "))
            setattr(patient, name, value)
    return changed


def find_patient(code: str, clinic: Clinic | None = None) -> Patient:
    query = select(Patient).where(Patient.code == code)
    if clinic is not None:
        query = query.where(Patient.clinic_id == clinic.id)
    found = db.session.scalars(query).all()
    if not found:
        raise SetupError(f"no patient {code}" + (f" in {clinic.name}" if clinic else ""))
    if len(found) > 1:
        raise SetupError(f"patient code {code} exists in several clinics; name one with --clinic")
    return found[0]
