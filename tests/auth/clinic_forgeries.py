"""The clinic's forms for tests/auth/test_csrf.py (its settings, FHIR import and norms; a patient's
record: sessions, links, messages, notes, safety alerts, treatment) and the patient's own survey and
unsubscribe pages, as endpoint -> Forgery(prepare, changed), built from tests/auth/forgeries.py."""

from __future__ import annotations

import io
import json

from sqlalchemy import select

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
    utcnow,
)
from feedback.models.outbox import OutboxMessage
from tests.auth.forgeries import Ctx, Forgery, _signed_in, count
from tests.calibration.history import give_history
from tests.conftest import csrf_token_from
from tests.delivery.email.conftest import undo_token_from
from tests.factories import PATIENT_FORM
from tests.safety.builders import answer_phq9


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


CLINIC_FORGERIES: dict[str, Forgery] = {
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
}
