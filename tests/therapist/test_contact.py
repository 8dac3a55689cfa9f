"""Changing how a patient is reached during a treatment (dashboards/therapist/contact.py): the same
rules as adding one, stored encrypted, audited by field name only, a withdrawn consent cancelling
that channel's queued messages, the others following a new channel, a new address clearing a bounce,
an e-mail unsubscribe lifted only when the patient asked for it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from dashboards.audit import AuditEvent
from dashboards.setup.operations import phone_cipher, set_email, set_phone
from feedback.delivery.planner import plan_reminders
from feedback.delivery.staff import invitation_delivery as delivery_of
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
    page = client.get(URL).text
    shown = re.search(r'name="email_unsubscribed" type="hidden" value="([^"]*)"', page)  # while unsubscribed
    return client.post(URL, data={**({"email_unsubscribed": shown.group(1)} if shown else {}), **data,
                                  "csrf_token": csrf_token_from(page)})


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


BOTH = {**KEEP, "email": "p-a1@mail.example.net", "email_consent": "y"}  # both channels open, SMS preferred


def test_moving_to_email_without_sms_consent_takes_the_queued_sms_along(world, as_user, reachable):
    sms = queued(reachable, "sms")
    due = sms.due_at
    claimed = OutboxMessage(invitation=sms.invitation, patient_id=reachable.id, kind="reminder", due_at=utcnow(),
                            channel="sms", status="claimed")
    db.session.add(claimed)
    db.session.commit()
    response = post(as_user(world.director), mobile="+447911123456", email="p-a1@mail.example.net",
                    email_consent="y", language="en", channel="email")
    assert response.status_code == 303
    db.session.refresh(sms), db.session.refresh(claimed), db.session.refresh(reachable)
    assert (sms.channel, sms.status, sms.due_at) == ("email", "pending", due)  # moved, not cancelled
    # A dispatcher held this one: it does not move under its feet, and the withdrawn SMS cancels it.
    assert (claimed.channel, claimed.status) == ("sms", "cancelled")
    assert not reachable.sms_consent and reachable.sms_consent_at is None and reachable.preferred_channel == "email"
    assert last_audit().detail == ("sms consent withdrawn, preferred channel; 1 queued message(s) moved to email; "
                                   "1 queued message(s) cancelled")


def test_withdrawing_email_consent_sends_the_queued_email_by_sms_instead(world, as_user, reachable):
    message = queued(reachable, "email")
    assert post(as_user(world.own), **KEEP, email="p-a1@mail.example.net").status_code == 303
    db.session.refresh(message)
    assert (message.channel, message.status) == ("sms", "pending") and not reachable.email_consent


def test_a_new_channel_takes_the_queued_message_with_it_and_its_reminder_follows(world, as_user, reachable):
    waiting = queued(reachable, "sms")
    due = waiting.due_at
    assert post(as_user(world.own), **{**BOTH, "channel": "email"}).status_code == 303
    db.session.refresh(waiting)
    assert (waiting.channel, waiting.status, waiting.due_at) == ("email", "pending", due)
    assert last_audit().detail == "preferred channel; 1 queued message(s) moved to email"
    waiting.status, waiting.channel, waiting.sent_at = "sent", "sms", utcnow() - timedelta(days=3)  # as if it
    db.session.commit()  # had gone by SMS before the change: its reminder goes the new way
    assert plan_reminders(now=utcnow()) == 1
    reminder = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "reminder")).one()
    assert reminder.channel == "email"


def test_with_no_channel_left_the_queued_messages_are_cancelled_and_the_link_shown(world, as_user, reachable):
    message = queued(reachable, "sms")
    assert post(as_user(world.own), **{**BOTH, "channel": "link"}).status_code == 303
    db.session.refresh(message)
    assert (message.channel, message.status, message.last_error) == ("sms", "cancelled", "patient prefers the link")
    assert last_audit().detail == "preferred channel; 1 queued message(s) cancelled"
    assert delivery_of(message.invitation).link_to_hand_over


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


EMAILS = {**BOTH, "channel": "email"}  # links by e-mail, SMS still agreed to
RESUME = "The patient asked for the e-mails again"  # the box's label


def resubscribe_events() -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "email_resubscribe")))


def test_a_patient_who_unsubscribed_gets_the_emails_again_only_when_the_box_says_they_asked(world, as_user, reachable):
    reachable.preferred_channel = "email"
    reachable.email_opted_out_at = utcnow() - timedelta(days=3)  # long past the undo on the unsubscribe page
    db.session.commit()
    waiting = queued(reachable, "sms")  # gone to SMS while e-mail was closed
    client = as_user(world.own)
    assert RESUME in text(client.get(URL).text)
    assert post(client, **EMAILS).status_code == 303  # the box left empty: the unsubscribe stays
    db.session.refresh(reachable)
    assert reachable.email_opted_out_at is not None and resubscribe_events() == []
    assert post(client, **EMAILS, email_resume="y").status_code == 303
    db.session.refresh(reachable), db.session.refresh(waiting)
    assert reachable.email_opted_out_at is None
    assert (waiting.channel, waiting.status) == ("email", "pending")  # the queue follows, as for any change
    [event] = resubscribe_events()
    assert (event.user_id, event.patient_id) == (world.own.id, reachable.id)
    assert last_audit().detail == "e-mail unsubscribe lifted; 1 queued message(s) moved to email"
    assert RESUME not in text(client.get(URL).text)  # nothing left to lift


def test_a_bounce_stays_when_the_unsubscribe_is_lifted(world, as_user, reachable):
    reachable.email_opted_out_at = reachable.email_bounced_at = utcnow()
    db.session.commit()
    assert post(as_user(world.director), **BOTH, email_resume="y").status_code == 303
    db.session.refresh(reachable)
    assert reachable.email_opted_out_at is None and reachable.email_bounced_at is not None


def test_without_an_unsubscribe_there_is_no_box_and_ticking_it_anyway_changes_nothing(world, as_user, reachable):
    client = as_user(world.own)
    assert RESUME not in text(client.get(URL).text)
    assert post(client, **BOTH, email_resume="y").status_code == 303
    assert resubscribe_events() == [] and "Nothing had changed." in text(client.get("/patients/P-A1").text)



def test_a_page_opened_before_a_newer_unsubscribe_cannot_lift_it(world, as_user, reachable):
    reachable.email_opted_out_at = utcnow() - timedelta(days=3)
    db.session.commit()
    client = as_user(world.own)
    page = client.get(URL).text
    shown = re.search(r'name="email_unsubscribed" type="hidden" value="([^"]*)"', page).group(1)
    reachable.email_opted_out_at = utcnow()  # meanwhile: the undo on their page, then a new unsubscribe
    db.session.commit()
    refused = client.post(URL, data={**BOTH, "email_resume": "y", "email_unsubscribed": shown,
                                      "csrf_token": csrf_token_from(page)})
    assert refused.status_code == 422 and "unsubscribed again after this page was opened" in text(refused.text)
    assert '<input id="email_resume" name="email_resume" type="checkbox" value="y">' in refused.text  # cleared
    db.session.refresh(reachable)
    assert reachable.email_opted_out_at is not None and resubscribe_events() == []
    assert post(client, **BOTH, email_resume="y").status_code == 303  # asked again, on the page as it is now
    db.session.refresh(reachable)
    assert reachable.email_opted_out_at is None and len(resubscribe_events()) == 1


def test_a_form_refused_for_another_field_keeps_the_box_and_lifts_nothing(world, as_user, reachable):
    reachable.email_opted_out_at = utcnow()
    db.session.commit()
    refused = post(as_user(world.own), **{**BOTH, "mobile": ""}, email_resume="y")
    assert refused.status_code == 422 and "SMS consent needs a mobile number." in text(refused.text)
    assert '<input checked id="email_resume" name="email_resume" type="checkbox" value="y">' in refused.text
    db.session.refresh(reachable)
    assert reachable.email_opted_out_at is not None and resubscribe_events() == []

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
