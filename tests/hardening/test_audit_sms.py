"""Issue 16, section 4: a patient's SMS STOP, START or HELP is in the audit trail, by patient and
never by phone number (the webhook is on the patient side; the trail on the clinician side)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from dashboards.audit import AuditEvent
from feedback.extensions import db
from tests.delivery.conftest import PUBLIC_BASE_URL, fake_twilio, mobile, twilio_config, twilio_signature  # noqa: F401

NUMBER = mobile(4242)


@pytest.fixture
def app_config(fake_twilio):  # noqa: F811
    return twilio_config(fake_twilio)


def text_in(client, fake, body: str, number: str = NUMBER, sid: str = "SM" + "b" * 32):
    params = {"MessageSid": sid, "AccountSid": fake.account_sid, "From": number, "To": "+15005550006", "Body": body}
    signature = twilio_signature(fake.auth_token, PUBLIC_BASE_URL + "/sms/inbound", params)
    return client.post("/sms/inbound", data=params, headers={"X-Twilio-Signature": signature})


def sms_rows() -> list[AuditEvent]:
    db.session.rollback()
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action.like("sms_%")).order_by(AuditEvent.id)))


def test_stop_start_and_help_are_recorded_by_patient_without_the_number(client, fake_twilio, make_patient):  # noqa: F811
    patient = make_patient(phone=NUMBER, sms_consent=True)
    for n, body in enumerate(("STOP", "START", "HELP")):
        assert text_in(client, fake_twilio, body, sid=f"SM{n:032d}").status_code == 200
    rows = sms_rows()
    assert [(r.action, r.patient_id, r.clinic_id, r.user_id) for r in rows] == [
        (action, patient.id, patient.clinic_id, None) for action in ("sms_stop", "sms_start", "sms_help")
    ]
    digits = NUMBER.lstrip("+")
    assert all(digits[-6:] not in r.detail and digits not in (r.ip or "") for r in rows)


def test_a_keyword_from_an_unknown_number_is_recorded_without_a_patient(client, fake_twilio, make_patient):  # noqa: F811
    assert text_in(client, fake_twilio, "STOP", number=mobile(777)).status_code == 200
    (row,) = sms_rows()
    assert (row.action, row.patient_id, row.clinic_id) == ("sms_stop", None, None)
    assert "777" not in row.detail


def test_an_ordinary_message_is_not_recorded(client, fake_twilio, make_patient):  # noqa: F811
    make_patient(phone=NUMBER, sms_consent=True)
    assert text_in(client, fake_twilio, "running late, sorry").status_code == 200
    assert sms_rows() == []


def test_a_replayed_keyword_is_recorded_once(client, fake_twilio, make_patient):  # noqa: F811
    make_patient(phone=NUMBER, sms_consent=True)
    for _ in range(2):
        assert text_in(client, fake_twilio, "STOP").status_code == 200
    assert [r.action for r in sms_rows()] == ["sms_stop"]
