"""Every form that changes something refuses a request without the page's CSRF token.

Each form appears twice: with CSRF protection as configured (the forged request is refused with
400 and nothing changes) and, as the control, with protection switched off (the same request
does change something). So each test fails if its form stopped checking the token.
The table is checked against the app's POST routes: a new form without an entry fails.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass

import pyotp
import pytest
from sqlalchemy import func, select

from dashboards.access.models import BreakGlassGrant, PatientShare
from dashboards.auth import accounts, sessions, throttle, totp
from dashboards.auth.models import LoginSession, PasswordLink, RecoveryCode
from dashboards.auth.passwords import verify_password
from dashboards.fhir.export import clinic_context
from dashboards.fhir.systems import ATTENDANCE, SESSION
from dashboards.risk.models import ClinicNorm
from dashboards.therapist.models import GuidanceNote
from feedback.delivery.unsubscribe import unsubscribe_token
from feedback.extensions import db
from feedback.models import (
    Clinic,
    Invitation,
    OutcomeResponse,
    Patient,
    Response,
    SafetyAlert,
    TherapySession,
    User,
    utcnow,
)
from feedback.models.outbox import OutboxMessage
from tests.auth.conftest import World
from tests.calibration.history import give_history
from tests.conftest import csrf_token_from
from tests.delivery.email.conftest import undo_token_from
from tests.factories import PATIENT_FORM, TEST_PASSWORD
from tests.kiosk.forgeries import KIOSK_FORGERIES
from tests.safety.builders import answer_phq9

NEW_PASSWORD = "new passphrase 2026"


class Ctx:
    """What a forged request needs: the world, a client, and ways to put either in a given state."""

    def __init__(self, world: World, client, sign_in_as, enrol, make_session):
        self.w, self.client, self._sign_in_as, self.enrol, self._make_session = (
            world, client, sign_in_as, enrol, make_session
        )
        self.authenticator = None
        self.token = ""

    def signed_in(self, user: User, *, elsewhere: bool = False) -> None:
        """Sign `user` in on this client (or, `elsewhere`, on another browser)."""
        self._sign_in_as(self.client.application.test_client() if elsewhere else self.client, user)

    def with_password(self, user: User) -> None:
        accounts.set_password(user, TEST_PASSWORD, actor=None)

    def password_stage(self, user: User, *, enrolled: bool) -> None:
        if enrolled:
            self.authenticator = self.enrol(user)
        _, token = sessions.start(user, "127.0.0.1", utcnow())
        db.session.commit()
        with self.client.session_transaction() as cookie:
            cookie[sessions.COOKIE_KEY] = token

    def pending_secret(self, user: User) -> str:
        """Start an authenticator setup; returns the code its app would show now."""
        secret = totp.begin_enrolment(user)
        db.session.commit()
        return pyotp.TOTP(secret).now()

    def survey_link(self) -> str:
        return f"/s/{self._make_session(self.w.patient).links['patient'].token}"


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


@dataclass(frozen=True)
class Forgery:
    prepare: Callable[[Ctx], tuple[str, dict[str, str]]]
    changed: Callable[[Ctx], bool]


def _login(c: Ctx):
    c.with_password(c.w.own)
    return "/login", {"email": c.w.own.email, "password": TEST_PASSWORD}


def _second_factor(c: Ctx):
    c.password_stage(c.w.own, enrolled=True)
    return "/login/2fa", {"code": c.authenticator.now()}


def _enrol(c: Ctx):
    c.password_stage(c.w.own, enrolled=False)
    return "/login/enrol", {}


def _enrol_confirm(c: Ctx):
    c.password_stage(c.w.own, enrolled=False)
    return "/login/enrol/confirm", {"code": c.pending_secret(c.w.own)}


def _signed_in(user: str, path: str, **data: str):
    def prepare(c: Ctx):
        c.signed_in(getattr(c.w, user))
        return path.format(w=c.w), data

    return prepare


def _with_password(path: str, **data: str):
    def prepare(c: Ctx):
        c.with_password(c.w.own)
        c.signed_in(c.w.own)
        return path, data

    return prepare


def _adopt_norms(c: Ctx):
    give_history(c.w.own, 40)  # enough history for the clinic's own norms
    c.signed_in(c.w.director)
    return "/clinic/calibration/norms", {}


def _revert_norms(c: Ctx):
    db.session.add(ClinicNorm(clinic_id=c.w.director.clinic_id, instrument_id="post-session-patient", scale="alliance",
                              sd=0.5, reliability=0.6, patients=40, sessions=200, adopted_at=utcnow(),
                              adopted_by_id=c.w.director.id))
    db.session.commit()
    c.signed_in(c.w.director)
    return "/clinic/calibration/norms/revert", {}


def _fhir_import(c: Ctx):
    """A bundle recording one missed session of P-A1 (its therapist is the clinic's own)."""
    systems = clinic_context(c.w.clinic_a).systems
    session = {"url": SESSION, "extension": [{"url": "number", "valueInteger": 1}, {"url": "date", "valueDate": "2026-01-05"}]}
    encounter = {"resourceType": "Encounter", "status": "cancelled", "class": {"code": "AMB"},
                 "extension": [session, {"url": ATTENDANCE, "valueCoding": {"code": "no-show"}}],
                 "subject": {"identifier": {"system": systems.patient, "value": "P-A1"}}}
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": encounter}]}
    c.signed_in(c.w.director)
    return "/clinic/fhir-import", {"bundle": (io.BytesIO(json.dumps(bundle).encode()), "bundle.json")}


def _end_other_sessions(c: Ctx):
    c.with_password(c.w.own)
    c.signed_in(c.w.own, elsewhere=True)
    c.signed_in(c.w.own)
    return "/account/sessions/end-others", {"password": TEST_PASSWORD}


def _account_confirm(c: Ctx):
    c.signed_in(c.w.own)
    return "/account/2fa/confirm", {"code": c.pending_secret(c.w.own)}


def _set_password(c: Ctx):
    path = accounts.issue_password_link(c.w.target, actor=None).split("://", 1)[1].split("/", 1)[1]
    return "/" + path, {"password": "lantern-otter-harbour-9", "confirm": "lantern-otter-harbour-9"}


def _enable(c: Ctx):
    accounts.disable(c.w.target, actor=None)
    return _signed_in("director", "/clinic/therapists/{w.target.id}/enable")(c)


def _reset_two_factor(c: Ctx):
    c.enrol(c.w.target)
    return _signed_in("director", "/clinic/therapists/{w.target.id}/reset-2fa")(c)


def _revoke(c: Ctx):
    db.session.add(PatientShare(patient=c.w.patient, user=c.w.other))
    db.session.commit()
    return _signed_in("own", "/patients/P-A1/shares/{w.other.id}/revoke")(c)


def _survey(c: Ctx):
    link = c.survey_link()
    assert c.client.get(link).status_code == 200
    return link, PATIENT_FORM


def _outcome_measure(c: Ctx):
    """The PHQ-9 page of a battery, its alliance form answered."""
    c.w.patient.clinic.outcome_battery = [{"instrument": "phq-9", "every": "session"}]
    db.session.commit()
    link = c.survey_link()
    page = c.client.get(link)
    c.client.post(link, data={**PATIENT_FORM, "csrf_token": csrf_token_from(page.text)})
    assert c.client.get(link + "/phq-9").status_code == 200
    return link + "/phq-9", {f"phq9_{i}": "0" for i in range(1, 10)}


def _language(c: Ctx):
    link = _survey(c)[0]
    return link + "/language", {"language": "es"}


def _resubscribe(c: Ctx):
    """The undo of an unsubscribe: its page's form, with the undo token the unsubscribe gave."""
    path = f"/u/{unsubscribe_token(c.w.patient.id, 'email')}"
    page = c.client.post(path).text  # RFC 8058's one-click POST: no CSRF token of its own
    return f"{path}/resume", {"undo": undo_token_from(page)}


def _attended_session(c: Ctx) -> TherapySession:
    return c._make_session(c.w.patient).session


def _fresh_link(c: Ctx):
    session = _attended_session(c)
    c.hash_before = db.session.scalars(select(Invitation.token_hash).where(Invitation.session_id == session.id,
                                                                           Invitation.respondent == "patient")).one()
    return _signed_in("own", f"/patients/P-A1/sessions/{session.number}/fresh-link", respondent="patient")(c)


def _link_renewed(c: Ctx) -> bool:
    return count(Invitation, Invitation.respondent == "patient", Invitation.token_hash == c.hash_before) == 0


def _failed_sms(c: Ctx):
    _attended_session(c)
    invitation = db.session.scalars(select(Invitation).where(Invitation.respondent == "patient")).one()
    message = OutboxMessage(invitation=invitation, patient_id=c.w.patient.id, kind="invitation", due_at=utcnow(),
                            status="failed")
    db.session.add(message)
    db.session.commit()
    return _signed_in("own", f"/patients/P-A1/messages/{message.id}", action="resend")(c)


def _edit_session(c: Ctx):
    session = c._make_session(c.w.patient, attendance="scheduled").session
    return _signed_in("own", f"/patients/P-A1/sessions/{session.number}", **SESSION_FORM)(c)


SESSION_FORM = {"day": "2026-01-05", "start": "10:00", "duration_minutes": "50", "attendance": "attended"}


def _acknowledge(c: Ctx):
    [alert] = answer_phq9(c.w.patient, 1)
    return _signed_in("own", f"/patients/P-A1/safety-alerts/{alert.id}", action="contacted")(c)


def _verified_sessions(c: Ctx) -> bool:
    return count(LoginSession, LoginSession.verified_at.is_not(None), LoginSession.ended_at.is_(None)) > 0


def _security(attribute: str) -> Callable[[Ctx], bool]:
    return lambda c: getattr(throttle.security_for(c.w.own), attribute) is not None


FORMS: dict[str, Forgery] = {
    "auth.login": Forgery(_login, lambda c: count(LoginSession) > 0),
    "auth.second_factor": Forgery(_second_factor, _verified_sessions),
    "auth.enrol": Forgery(_enrol, _security("pending_totp_secret")),
    "auth.enrol_confirm": Forgery(_enrol_confirm, _security("totp_secret")),
    "auth.logout": Forgery(_signed_in("own", "/logout"), lambda c: not _verified_sessions(c)),
    "auth.change_password": Forgery(
        _with_password("/account/password", current=TEST_PASSWORD, password=NEW_PASSWORD, confirm=NEW_PASSWORD),
        lambda c: verify_password(db.session.get(User, c.w.own.id).password_hash, NEW_PASSWORD),
    ),
    "auth.account_enrol": Forgery(_with_password("/account/2fa", password=TEST_PASSWORD), _security("pending_totp_secret")),
    "auth.account_enrol_confirm": Forgery(_account_confirm, _security("totp_secret")),
    "auth.recovery_codes": Forgery(
        _with_password("/account/recovery-codes", password=TEST_PASSWORD), lambda c: count(RecoveryCode) == 10
    ),
    "auth.end_other_sessions": Forgery(_end_other_sessions, lambda c: count(LoginSession, LoginSession.ended_at.is_not(None)) == 1),
    "auth.change_language": Forgery(
        _signed_in("own", "/account/language", language="es"), lambda c: db.session.get(User, c.w.own.id).language == "es"
    ),
    "auth.set_password": Forgery(_set_password, lambda c: db.session.get(User, c.w.target.id).password_hash is not None),
    "admin.add_therapist": Forgery(
        _signed_in("director", "/clinic/therapists", email="new@example.org", role="therapist"),
        lambda c: count(User, User.email == "new@example.org") == 1,
    ),
    "admin.password_link": Forgery(
        _signed_in("director", "/clinic/therapists/{w.target.id}/password-link"), lambda c: count(PasswordLink) == 1
    ),
    "admin.disable_user": Forgery(
        _signed_in("director", "/clinic/therapists/{w.target.id}/disable"),
        lambda c: not db.session.get(User, c.w.target.id).active,
    ),
    "admin.enable_user": Forgery(_enable, lambda c: db.session.get(User, c.w.target.id).active),
    "admin.reset_two_factor": Forgery(_reset_two_factor, lambda c: not totp.enrolled(c.w.target)),
    "admin.open_break_glass": Forgery(
        _signed_in("admin", "/admin/break-glass", patient_code="P-A1", reason="Subject access request, ticket 4411"),
        lambda c: count(BreakGlassGrant) == 1,
    ),
    "admin.share_patient": Forgery(
        _signed_in("own", "/patients/P-A1/shares", user_id="{w.other.id}"), lambda c: count(PatientShare) == 1
    ),
    "admin.revoke_share": Forgery(_revoke, lambda c: count(PatientShare) == 0),
    "director.adopt_norms": Forgery(_adopt_norms, lambda c: count(ClinicNorm) > 0),
    "fhir_pages.import_page": Forgery(_fhir_import, lambda c: count(TherapySession) == 1),
    "director.revert_norms": Forgery(_revert_norms, lambda c: count(ClinicNorm, ClinicNorm.retired_at.is_not(None)) == 1),
    "survey.submit": Forgery(_survey, lambda c: count(Response) == 1),
    "survey.outcome_submit": Forgery(_outcome_measure, lambda c: count(OutcomeResponse) == 1),
    "survey_language.change": Forgery(_language, lambda c: count(Patient, Patient.language == "es") == 1),
    "unsubscribe.resume": Forgery(_resubscribe, lambda c: db.session.get(Patient, c.w.patient.id).email_opted_out_at is None),
    "director.clinic_battery": Forgery(
        _signed_in("director", "/clinic/battery", measure_1="phq-9", every_1="session"),
        lambda c: db.session.get(Clinic, c.w.director.clinic_id).outcome_battery != [],
    ),
    "dashboards.patient_battery": Forgery(
        _signed_in("own", "/patients/P-A1/battery", source="own"),
        lambda c: db.session.get(Patient, c.w.patient.id).outcome_battery is not None,
    ),
    "dashboards.add_guidance_note": Forgery(
        _signed_in("own", "/patients/P-A1/notes", text="Ask about the homework"), lambda c: count(GuidanceNote) == 1
    ),
    "dashboards.new_session": Forgery(
        _signed_in("own", "/patients/P-A1/sessions/new", **SESSION_FORM), lambda c: count(TherapySession) == 1
    ),
    "dashboards.edit_session": Forgery(_edit_session, lambda c: count(TherapySession, TherapySession.attendance == "attended") == 1),
    "dashboards.fresh_link": Forgery(_fresh_link, _link_renewed),
    "dashboards.message_action": Forgery(_failed_sms, lambda c: count(OutboxMessage, OutboxMessage.status == "pending") == 1),
    "dashboards.end_treatment": Forgery(
        _signed_in("own", "/patients/P-A1/end", reason="completed", ended_on="2026-01-10"),
        lambda c: count(Patient, Patient.status == "ended") == 1,
    ),
    "dashboards.change_contact": Forgery(
        _signed_in("own", "/patients/P-A1/contact", language="es", channel="link"),
        lambda c: count(Patient, Patient.language == "es") == 1,
    ),
    "safety.acknowledge_alert": Forgery(
        _acknowledge, lambda c: count(SafetyAlert, SafetyAlert.acknowledged_at.is_not(None)) == 1
    ),
    "safety.settings": Forgery(
        _signed_in("director", "/clinic/safety", escalate_hours="9"),
        lambda c: count(Clinic, Clinic.safety_escalate_hours == 9) == 1,
    ),
    "director.clinic_language": Forgery(
        _signed_in("director", "/clinic/language", language="es"), lambda c: count(Clinic, Clinic.language == "es") == 1
    ),
    "dashboards.new_patient": Forgery(
        _signed_in("own", "/new-patient", code="P-NEW", language="en"), lambda c: count(Patient, Patient.code == "P-NEW") == 1
    ),
    **{endpoint: Forgery(*pair) for endpoint, pair in KIOSK_FORGERIES.items()},
}

#: POST routes that do not use CSRF tokens, and what protects them instead.
NOT_CSRF = {
    "sms.inbound": "Twilio webhook: X-Twilio-Signature (tests/delivery)",
    "sms.status": "Twilio webhook: X-Twilio-Signature (tests/delivery)",
    "unsubscribe.unsubscribe": "RFC 8058: mail clients POST with no session; the signed token in the URL (tests/delivery/email)",
    "bounces.bounce": "mail provider's webhook: EMAIL_BOUNCE_SECRET, compared in constant time (tests/delivery/email)",
}


def test_every_form_is_in_the_table(app):
    posts = {rule.endpoint for rule in app.url_map.iter_rules() if "POST" in rule.methods}
    assert posts - FORMS.keys() - NOT_CSRF.keys() == set(), "POST routes without a CSRF test"
    assert FORMS.keys() - posts == set()


@pytest.fixture
def app_config(request) -> dict[str, object]:
    return {"WTF_CSRF_ENABLED": getattr(request, "param", True)}


@pytest.mark.parametrize("app_config", [True], indirect=True, ids=["protected"])
@pytest.mark.parametrize("endpoint", sorted(FORMS))
def test_forged_post_is_refused(endpoint, app, world, sign_in_as, enrol, make_session):
    ctx = Ctx(world, app.test_client(), sign_in_as, enrol, make_session)
    path, data = FORMS[endpoint].prepare(ctx)
    data = {key: value.format(w=world) if isinstance(value, str) else value for key, value in data.items()}
    response = ctx.client.post(path, data={**data, "csrf_token": "forged-elsewhere"})
    assert response.status_code == 400
    db.session.expire_all()
    assert not FORMS[endpoint].changed(ctx), f"{endpoint} changed state without a valid CSRF token"


@pytest.mark.parametrize("app_config", [False], indirect=True, ids=["control-unprotected"])
@pytest.mark.parametrize("endpoint", sorted(FORMS))
def test_same_post_would_change_state_without_the_check(endpoint, app, world, sign_in_as, enrol, make_session):
    ctx = Ctx(world, app.test_client(), sign_in_as, enrol, make_session)
    path, data = FORMS[endpoint].prepare(ctx)
    data = {key: value.format(w=world) if isinstance(value, str) else value for key, value in data.items()}
    response = ctx.client.post(path, data={**data, "csrf_token": "forged-elsewhere"})
    assert response.status_code < 400, response.status_code
    db.session.expire_all()
    assert FORMS[endpoint].changed(ctx)
