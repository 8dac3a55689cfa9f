"""The clinic tablet's forms for tests/auth/test_csrf.py: endpoint -> (prepare, changed), where
`prepare(ctx)` puts the test's client in the state the form needs and returns (path, data), and
`changed(ctx)` tells whether the POST did its work."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select

from dashboards.auth import tokens
from dashboards.auth.models import LoginSession
from dashboards.kiosk import codes, device
from dashboards.kiosk.models import KioskCode, KioskDevice
from feedback import invitations
from feedback.extensions import db
from feedback.instruments.registry import registry
from feedback.instruments.scoring import score
from feedback.models import OutcomeResponse, Patient, Response
from tests.factories import CALM, PATIENT_FORM, TEST_PASSWORD


def _count(model: Any, *where: Any) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _tablet(c: Any) -> KioskDevice:
    """Make the test's client a kiosk device of clinic A, opened by `own`."""
    token = tokens.new_token()
    tablet = KioskDevice(token_hash=tokens.hash_token(token), clinic_id=c.w.clinic_a.id, opened_by=c.w.own)
    db.session.add(tablet)
    db.session.commit()
    with c.client.session_transaction() as cookie:
        cookie[device.COOKIE_KEY] = token
    return tablet


def _patient_on_tablet(c: Any, *, alliance_answered: bool = False) -> None:
    tablet = _tablet(c)
    recorded = c._make_session(c.w.patient)
    if alliance_answered:
        instrument = registry().get(recorded.links["patient"].invitation.instrument_id)
        invitations.record_response(recorded.links["patient"].invitation, CALM, score(instrument, CALM))
    device.start_patient(tablet, codes.issue(recorded.links["patient"].invitation, c.w.own).code)


def _open(c: Any):
    c.signed_in(c.w.own)
    return "/kiosk/open", {}


def _code(c: Any):
    number = c._make_session(c.w.patient).session.number
    c.signed_in(c.w.own)
    return f"/patients/P-A1/sessions/{number}/kiosk-code", {}


def _enter(c: Any):
    tablet = _tablet(c)
    code = codes.issue(c._make_session(c.w.patient).links["patient"].invitation, c.w.own).code
    c.tablet_id = tablet.id
    return "/kiosk", {"code": code}


def _survey(c: Any):
    _patient_on_tablet(c)
    return "/kiosk/survey", dict(PATIENT_FORM)


def _language(c: Any):
    _patient_on_tablet(c)
    return "/kiosk/language", {"language": "es"}


def _outcome(c: Any):
    c.w.patient.clinic.outcome_battery = [{"instrument": "phq-9", "every": "session"}]
    db.session.commit()
    _patient_on_tablet(c, alliance_answered=True)
    return "/kiosk/survey/phq-9", {f"phq9_{i}": "0" for i in range(1, 10)}


def _leave(c: Any):
    c.with_password(c.w.own)
    c.enrol(c.w.own)
    _tablet(c)
    return "/kiosk/leave", {"email": c.w.own.email, "password": TEST_PASSWORD}


def _leave_second_factor(c: Any):
    _tablet(c)
    c.password_stage(c.w.own, enrolled=True)
    return "/kiosk/leave/2fa", {"code": c.authenticator.now()}


KIOSK_FORGERIES: dict[str, tuple[Callable[[Any], tuple[str, dict[str, str]]], Callable[[Any], bool]]] = {
    "dashboards.kiosk_open": (_open, lambda c: _count(KioskDevice) == 1),
    "dashboards.kiosk_code": (_code, lambda c: _count(KioskCode) == 1),
    "kiosk.enter_code": (_enter, lambda c: _count(KioskDevice, KioskDevice.invitation_id.is_not(None)) == 1),
    "kiosk.form": (_survey, lambda c: _count(Response) == 1),
    "kiosk.outcome_form": (_outcome, lambda c: _count(OutcomeResponse) == 1),
    "kiosk.language": (_language, lambda c: _count(Patient, Patient.language == "es") == 1),
    "kiosk.leave": (_leave, lambda c: _count(LoginSession) == 1),
    "kiosk.leave_second_factor": (_leave_second_factor, lambda c: _count(KioskDevice, KioskDevice.ended_at.is_not(None)) == 1),
}


