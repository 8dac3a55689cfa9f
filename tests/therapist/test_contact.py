"""Changing how a patient is reached during a treatment (dashboards/therapist/contact.py): the same
rules as adding one, stored encrypted, audited by field name only, a withdrawn consent cancelling
that channel's queued messages, the others following a new channel, a new address clearing a bounce."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from dashboards.audit import AuditEvent
from dashboards.setup.operations import phone_cipher, set_email, set_phone
from feedback.extensions import db
from feedback.links import link_validity, session_instruments
from feedback.models import Invitation, utcnow
from feedback.models.outbox import OutboxMessage
from feedback.sessions import record_session
from tests.conftest import csrf_token_from
from tests.therapist.conftest import text

URL = "/patients/P-A1/contact"
KEEP = {"mobile": "+447911123456", "sms_consent": "y", "language": "en", "channel": "sms"}


def post(client, **data: str):
    return client.post(URL, data={**data, "csrf_token": csrf_token_from(client.get(URL).text)})


@pytest.fixture
def reachable(world):
    """P-A1 with a number, an address, both consents and links by SMS."""
    patient = world.patient
    set_phone(patient, "+447911123456")
    set_email(patient, "p-a1@mail.example.net")
    patient.sms_consent = patient.email_consent = True
    patient.preferred_channel = "sms"
    db.session.commit()
    return patient


def queued(patient, channel: str) -> OutboxMessage:
    session = record_session(patient, starts_at=utcnow() - timedelta(hours=2), attendance="attended",
                             instruments=session_instruments(), valid_for=link_validity()).session
    invitation = db.session.scalar(select(Invitation).where(Invitation.session_id == session.id,
                                                            Invitation.respondent == "patient"))
    db.session.execute(OutboxMessage.__table__.delete())  # only the one this test queues
    message = OutboxMessage(invitation=invitation, patient_id=patient.id, kind="invitation", due_at=utcnow(),
                            channel=channel, status="pending")
    db.session.add(message)
    db.session.commit()
    return message


def last_audit() -> AuditEvent:
    return db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()


def test_the_page_shows_what_is_stored_and_saves_a_change_by_field_name(world, as_user, reachable):
    client = as_user(world.own)
    page = client.get(URL)
    assert page.status_code == 200 and "+447911123456" in page.text and "p-a1@mail.example.net" in page.text
    response = post(client, **{**KEEP, "mobile": "+447911123457", "email": "p-a1@mail.example.net",
                               "email_consent": "y", "language": "es"})
    assert response.status_code == 303, text(response.text)
    db.session.refresh(reachable)
    assert phone_cipher().decrypt(reachable.phone_encrypted) == "+447911123457" and reachable.language == "es"
    assert b"123457" not in reachable.phone_encrypted
    event = last_audit()
    assert event.action == "change_contact" and event.detail == "mobile, language"  # names, never the values
    assert "contact details of P-A1 were saved" in text(client.get("/patients/P-A1").text)


def test_withdrawing_sms_consent_cancels_the_queued_sms_only(world, as_user, reachable):
    sms, email = queued(reachable, "sms"), None
    email = OutboxMessage(invitation=sms.invitation, patient_id=reachable.id, kind="reminder", due_at=utcnow(),
                          channel="email", status="pending")
    db.session.add(email)
    db.session.commit()
    response = post(as_user(world.director), mobile="+447911123456", email="p-a1@mail.example.net",
                    email_consent="y", language="en", channel="email")
    assert response.status_code == 303
    db.session.refresh(sms), db.session.refresh(email), db.session.refresh(reachable)
    assert (sms.status, email.status) == ("cancelled", "pending")
    assert not reachable.sms_consent and reachable.sms_consent_at is None and reachable.preferred_channel == "email"
    assert last_audit().detail == "sms consent withdrawn, preferred channel; 1 queued message(s) cancelled"


def test_withdrawing_email_consent_cancels_the_queued_email(world, as_user, reachable):
    message = queued(reachable, "email")
    assert post(as_user(world.own), **KEEP, email="p-a1@mail.example.net").status_code == 303
    db.session.refresh(message)
    assert message.status == "cancelled" and not reachable.email_consent


def test_a_new_channel_takes_the_queued_messages_with_it_but_not_one_being_sent(world, as_user, reachable):
    waiting = queued(reachable, "sms")
    claimed = OutboxMessage(invitation=waiting.invitation, patient_id=reachable.id, kind="reminder",
                            due_at=utcnow(), channel="sms", status="claimed")
    db.session.add(claimed)
    db.session.commit()
    assert post(as_user(world.own), **{**KEEP, "channel": "email"}, email="p-a1@mail.example.net",
                email_consent="y").status_code == 303
    db.session.refresh(waiting), db.session.refresh(claimed)
    assert (waiting.channel, waiting.status, waiting.due_at) == ("email", "pending", waiting.due_at)
    assert claimed.channel == "sms"  # a dispatcher holds it: it goes the way it was read
    assert last_audit().detail == "preferred channel; 1 queued message(s) moved to email"


def test_with_no_channel_left_the_queued_messages_stay_for_the_dispatcher_to_cancel(world, as_user, reachable):
    message = queued(reachable, "sms")
    assert post(as_user(world.own), **{**KEEP, "channel": "link"}).status_code == 303
    db.session.refresh(message)
    assert (message.channel, message.status) == ("sms", "pending")
    assert last_audit().detail == "e-mail address, email consent withdrawn, preferred channel"


def test_a_new_address_clears_the_bounce_but_the_same_one_does_not(world, as_user, reachable):
    reachable.email_bounced_at = utcnow()
    db.session.commit()
    client = as_user(world.own)
    post(client, **KEEP, email="P-A1@mail.example.net".replace("P-A1", "p-a1"), email_consent="y")
    db.session.refresh(reachable)
    assert reachable.email_bounced_at is not None  # nothing changed: still the address that bounced
    post(client, **KEEP, email="new@mail.example.net", email_consent="y")
    db.session.refresh(reachable)
    assert reachable.email_bounced_at is None and phone_cipher().decrypt(reachable.email_encrypted) == "new@mail.example.net"
    assert last_audit().detail == "e-mail address"


@pytest.mark.parametrize(("change", "message"), [
    ({"mobile": ""}, "SMS consent needs a mobile number."),
    ({"email": "not an address"}, "Not an address is not an e-mail address."),
    ({"email_consent": "y"}, "E-mail consent needs an e-mail address."),
    ({"channel": "email"}, "The e-mail channel needs the patient's e-mail consent."),
    ({"channel": "fax"}, "Not a valid choice."),
    ({"language": "xx"}, "Not a valid choice."),
    ({"mobile": "+44 7911\x00123456"}, ""),
])
def test_bad_input_comes_back_with_a_422_and_nothing_changes(world, as_user, reachable, change, message):
    before = reachable.phone_lookup
    response = post(as_user(world.own), **{**KEEP, **change})
    assert response.status_code == 422 and message in text(response.text)
    db.session.refresh(reachable)
    assert reachable.phone_lookup == before and reachable.sms_consent and reachable.preferred_channel == "sms"


def test_a_colleague_it_is_shared_with_may_not_change_it_and_other_clinics_do_not_see_it(world, as_user):
    assert as_user(world.other).get(URL).status_code == 404
    assert as_user(world.director_b).get(URL).status_code == 404
