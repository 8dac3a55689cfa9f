"""The tablet in kiosk mode: opening it in place of a clinician's sign-in, finding it from the
cookie, the patient part (the questionnaire now open on it) and ending it. The one place that
commits for these use cases.

Settings: KIOSK_HOURS [12] how long a tablet stays in kiosk mode; KIOSK_IDLE_SECONDS [120] how
long the patient part lasts without a sign of life before the tablet returns to the code screen;
KIOSK_THANKS_SECONDS [15] how long the thank-you page stays (views.py); KIOSK_WRONG_CODES_PER_DEVICE
[5 a minute] and KIOSK_WRONG_CODES_PER_CLINIC [30 per 15 minutes] (codes.py).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app, g, session
from sqlalchemy import select

from dashboards.audit import audit
from dashboards.auth import sessions, tokens
from dashboards.auth.models import LoginSession
from dashboards.kiosk import codes
from dashboards.kiosk.models import KioskDevice
from feedback.extensions import db
from feedback.models import Invitation, User, utcnow

COOKIE_KEY = "kiosk_device"
#: Who may open and leave kiosk mode: the clinic's clinicians (docs/kiosk.md says why not admins).
ROLES = ("therapist", "director")


def idle_limit() -> timedelta:
    return timedelta(seconds=float(current_app.config.get("KIOSK_IDLE_SECONDS", 120)))


def _max_age() -> timedelta:
    return timedelta(hours=float(current_app.config.get("KIOSK_HOURS", 12)))


def open_on(login: LoginSession, user: User, now: datetime | None = None) -> str:
    """End the clinician's sign-in on this browser and make it a kiosk device; the cookie's id."""
    now = now or utcnow()
    sessions.end(login, "kiosk", now)
    token = tokens.new_token()
    device = KioskDevice(token_hash=tokens.hash_token(token), clinic_id=user.clinic_id, opened_by=user, created_at=now)
    db.session.add(device)
    db.session.flush()
    audit("kiosk_opened", actor=user, detail=f"tablet {device.id}")
    db.session.commit()
    return token


def from_cookie(now: datetime | None = None) -> KioskDevice | None:
    """This browser's live kiosk device, if it is one; an ended or too old one is None."""
    if "kiosk_device" in g:
        return g.kiosk_device
    token = session.get(COOKIE_KEY)
    device = None
    if isinstance(token, str) and tokens.well_formed(token):
        device = db.session.scalar(select(KioskDevice).where(KioskDevice.token_hash == tokens.hash_token(token)))
    now = now or utcnow()
    if device is not None and device.ended_at is None and now - device.created_at >= _max_age():
        _end(device, "expired", now)
        db.session.commit()
    g.kiosk_device = device if device is not None and device.ended_at is None else None
    return g.kiosk_device


def leave(device: KioskDevice, user: User, now: datetime | None = None) -> None:
    """A clinician of the clinic signed in on the tablet: kiosk mode ends (adds, does not commit)."""
    _end(device, "left", now or utcnow())
    audit("kiosk_closed", actor=user, detail=f"tablet {device.id}, opened by {device.opened_by.display_name}")


def _end(device: KioskDevice, reason: str, now: datetime) -> None:
    device.ended_at, device.end_reason = now, reason
    device.invitation_id = device.patient_seen_at = None


def start_patient(device: KioskDevice, typed: str, now: datetime | None = None) -> Invitation:
    """A code typed on the tablet: the questionnaire it opens becomes the patient part (commits).
    CodeRefused (committed too: a wrong code is counted) when it opens nothing."""
    now = now or utcnow()
    try:
        invitation = codes.redeem(device, typed, now)
    except codes.CodeRefused as refused:
        if refused.reason != "paused" and codes.paused(device, now):
            audit("kiosk_codes_paused", clinic_id=device.clinic_id, detail=f"tablet {device.id}: too many wrong codes")
        db.session.commit()
        raise
    device.invitation_id, device.patient_seen_at = invitation.id, now
    audit("kiosk_code_used", patient=invitation.session.patient, detail=f"on tablet {device.id}")
    db.session.commit()
    return invitation


def patient_part(device: KioskDevice, now: datetime | None = None) -> Invitation | None:
    """The questionnaire open on the tablet, touched as a sign of life; None once idle (then cleared)."""
    if device.invitation_id is None:
        return None
    now = now or utcnow()
    if device.patient_seen_at is None or now - device.patient_seen_at >= idle_limit():
        end_patient(device)
        return None
    device.patient_seen_at = now
    db.session.commit()
    return device.invitation


def end_patient(device: KioskDevice) -> None:
    """Back to the code screen: the patient part is cleared (commits). The device keeps its cookie
    id: a request already in flight with it (the idle timer's reload beside a touch's ping) must
    find a tablet, not an unknown browser whose cookie the lock would drop — that would take the
    tablet out of kiosk mode without a clinician. Pages are no-store and the part is gone, so the
    back button reaches only the code screen."""
    device.invitation_id = device.patient_seen_at = None
    db.session.commit()
