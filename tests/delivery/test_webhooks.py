"""POST /sms/inbound and /sms/status: signatures, opt-out and opt-in, HELP, status callbacks,
CSRF exemption and rate limits, through the app's test client."""

from __future__ import annotations

import pytest

from feedback.extensions import db
from tests.delivery.conftest import (
    CLINIC_CONTACT,
    PUBLIC_BASE_URL,
    callback,
    local,
    mobile,
    reconfigure,
    replies,
    rows,
    settle,
    sms_from,
    twilio_config,
    twilio_signature,
)
from tests.fake_twilio import DEFAULT_AUTH_TOKEN

PATIENT_NUMBER = mobile(901)
STOP_WORDS = ["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT", "stop", "  Stop \n"]


@pytest.fixture
def app_config(fake_twilio):
    return twilio_config(fake_twilio, WTF_CSRF_ENABLED=True)  # the webhooks must work with CSRF on


@pytest.fixture
def queued(clock, make_sms_patient, sms_session):
    """A patient texting from PATIENT_NUMBER, with an SMS queued for tomorrow morning."""
    clock(local(2026, 1, 14, 21, 0))
    recorded, row = sms_session(make_sms_patient(phone=PATIENT_NUMBER), starts_at=local(2026, 1, 14, 20, 0))
    return recorded.session.patient, row


# -- signatures --------------------------------------------------------------------------------


def test_a_request_signed_by_twilio_is_accepted(post):
    assert replies(post("/sms/inbound", sms_from(mobile(1), "hello"))) == []


@pytest.mark.parametrize(
    "forge",
    [
        lambda params: None,
        lambda params: "",
        lambda params: "bm90IGEgc2lnbmF0dXJl",
        lambda params: twilio_signature("another-token", PUBLIC_BASE_URL + "/sms/inbound", params),
        lambda params: twilio_signature(DEFAULT_AUTH_TOKEN, "https://elsewhere.example.org/sms/inbound", params),
    ],
    ids=["missing", "empty", "garbage", "another token", "another URL"],
)
def test_unsigned_or_forged_requests_are_refused(post, queued, forge):
    patient, _ = queued
    params = sms_from(PATIENT_NUMBER, "STOP")

    response = post("/sms/inbound", params, signature=forge(params))

    assert response.status_code == 403
    db.session.refresh(patient)
    assert patient.sms_opted_out_at is None


def test_a_signature_for_other_parameters_is_refused(post, fake_twilio):
    signed = sms_from(mobile(1), "HELP")
    signature = twilio_signature(fake_twilio.auth_token, PUBLIC_BASE_URL + "/sms/inbound", signed)

    response = post("/sms/inbound", {**signed, "Body": "STOP"}, signature=signature)

    assert response.status_code == 403


def test_behind_a_proxy_the_public_url_is_what_twilio_signed(app, post):
    params = sms_from(mobile(1), "hello")
    internal = "http://localhost/sms/inbound"  # what the app sees behind the proxy

    assert post("/sms/inbound", params, url=internal).status_code == 403
    assert post("/sms/inbound", params, url=PUBLIC_BASE_URL + "/sms/inbound").status_code == 200

    reconfigure(app, PUBLIC_BASE_URL="")  # no proxy: the request URL is the public URL
    assert post("/sms/inbound", params, url=internal).status_code == 200


def test_without_twilio_the_webhooks_do_not_exist(app, post):
    reconfigure(app, TWILIO_ACCOUNT_SID="", TWILIO_AUTH_TOKEN="", TWILIO_FROM_NUMBER="")

    assert post("/sms/inbound", sms_from(mobile(1), "STOP")).status_code == 404
    assert post("/sms/status", {"MessageSid": "SM1", "MessageStatus": "sent"}).status_code == 404


# -- opting out and in -------------------------------------------------------------------------


@pytest.mark.parametrize("word", STOP_WORDS)
def test_stop_words_opt_out_at_once_and_cancel_what_is_queued(post, queued, word):
    patient, _ = queued

    assert replies(post("/sms/inbound", sms_from(PATIENT_NUMBER, word))) == []  # Twilio confirms itself

    db.session.refresh(patient)
    assert patient.sms_opted_out_at == local(2026, 1, 14, 21, 0)
    [row] = rows()
    assert (row.status, row.last_error) == ("cancelled", "patient opted out of SMS")


def test_a_stop_reaches_every_patient_with_that_number(post, make_clinic, make_user, make_sms_patient):
    here = make_sms_patient(phone=mobile(7))
    elsewhere = make_sms_patient(phone=mobile(7), therapist=make_user(clinic=make_clinic()))
    other = make_sms_patient(phone=mobile(8))

    post("/sms/inbound", sms_from(mobile(7), "STOP"))

    db.session.expire_all()
    assert here.sms_opted_out_at is not None and elsewhere.sms_opted_out_at is not None
    assert other.sms_opted_out_at is None


def test_a_message_that_is_not_a_keyword_changes_nothing(post, queued):
    patient, _ = queued

    assert replies(post("/sms/inbound", sms_from(PATIENT_NUMBER, "stop sending me these please"))) == []

    db.session.refresh(patient)
    assert patient.sms_opted_out_at is None
    assert rows()[0].status == "pending"


@pytest.mark.parametrize("word", ["START", "unstop", " Yes "])
def test_start_opts_back_in(post, clock, sms_session, make_sms_patient, word):
    clock(local(2026, 1, 14, 15, 0))
    patient = make_sms_patient(phone=mobile(3))
    post("/sms/inbound", sms_from(mobile(3), "STOP"))
    _, while_out = sms_session(patient, starts_at=local(2026, 1, 14, 10, 0))
    assert while_out is None

    assert replies(post("/sms/inbound", sms_from(mobile(3), word))) == []

    db.session.refresh(patient)
    assert patient.sms_opted_out_at is None
    _, after = sms_session(patient, starts_at=local(2026, 1, 14, 12, 0))
    assert after.status == "pending"


def test_twilios_advanced_opt_out_verdict_counts(post, queued):
    patient, _ = queued

    post("/sms/inbound", sms_from(PATIENT_NUMBER, "ARRET", OptOutType="STOP"))

    db.session.refresh(patient)
    assert patient.sms_opted_out_at is not None


# -- HELP --------------------------------------------------------------------------------------


def test_help_replies_with_the_clinics_name_contact_and_how_to_stop(post):
    [text] = replies(post("/sms/inbound", sms_from(mobile(1), "help")))

    assert text == f"Northside: for help contact {CLINIC_CONTACT}. Reply STOP to opt out."


def test_the_help_reply_can_be_left_to_twilio(app, post):
    reconfigure(app, SMS_HELP_REPLY="false")

    assert replies(post("/sms/inbound", sms_from(mobile(1), "HELP"))) == []


# -- status callbacks --------------------------------------------------------------------------


def test_delivery_callbacks_move_the_row_on(post, queued):
    _, row = queued
    settle(row, status="sent", provider_id="SM" + "1" * 32, attempts=1)

    assert post(*callback(row.id, "sent")).status_code == 204
    assert rows()[0].status == "sent"
    post(*callback(row.id, "delivered"))
    assert rows()[0].status == "delivered"
    post(*callback(row.id, "sent"))  # late and out of order
    assert rows()[0].status == "delivered"


def test_a_callback_without_our_id_finds_the_row_by_twilios_sid(post, queued):
    _, row = queued
    settle(row, status="sent", provider_id="SM" + "1" * 32, attempts=1)

    post(*callback(None, "delivered"))

    assert rows()[0].status == "delivered"


def test_undelivered_records_the_error_for_the_therapist(post, queued):
    _, row = queued
    settle(row, status="sent", provider_id="SM" + "1" * 32, attempts=1)

    post(*callback(row.id, "undelivered", ErrorCode="30003"))

    [undelivered] = rows()
    assert (undelivered.status, undelivered.error_code) == ("undelivered", 30003)
    assert undelivered.last_error == "the phone network could not deliver it (error 30003)"


def test_a_callback_settles_an_uncertain_row(post, queued):
    _, row = queued
    settle(row, status="uncertain", attempts=1, last_error="no complete answer from Twilio (ReadTimeout)")

    post(*callback(row.id, "queued"))

    [settled] = rows()
    assert (settled.status, settled.provider_id) == ("sent", "SM" + "1" * 32)


def test_a_callback_about_another_message_is_ignored(post, queued):
    _, row = queued
    settle(row, status="sent", provider_id="SM" + "2" * 32, attempts=1)

    post(*callback(row.id, "failed"))

    assert rows()[0].status == "sent"


def test_a_callback_for_a_queued_row_is_ignored(post, queued):
    _, row = queued

    post(*callback(row.id, "delivered"))

    assert rows()[0].status == "pending"


def test_a_failed_callback_saying_opted_out_records_the_opt_out(post, queued):
    patient, row = queued
    settle(row, status="sent", provider_id="SM" + "1" * 32, attempts=1)

    post(*callback(row.id, "failed", ErrorCode="21610"))

    db.session.refresh(patient)
    assert patient.sms_opted_out_at is not None
    assert rows()[0].last_error == "recipient opted out (replied STOP)"


def test_status_callbacks_are_signed_too(post, queued):
    _, row = queued
    settle(row, status="sent", provider_id="SM" + "1" * 32, attempts=1)

    assert post(*callback(row.id, "delivered"), signature=None).status_code == 403
    assert rows()[0].status == "sent"


# -- rate limits -------------------------------------------------------------------------------


def test_too_many_requests_from_one_address_are_refused(app, post):
    reconfigure(app, SMS_WEBHOOK_RATE_LIMIT=3)
    params = sms_from(mobile(1), "hello")

    assert [post("/sms/inbound", params).status_code for _ in range(4)] == [200, 200, 200, 429]


def test_an_address_sending_forgeries_is_cut_off_early(post):
    params = sms_from(mobile(1), "hello")
    for _ in range(20):
        assert post("/sms/inbound", params, signature="forged").status_code == 403

    assert post("/sms/inbound", params).status_code == 429


def test_no_phone_number_reaches_the_logs(post, queued, caplog):
    caplog.set_level("DEBUG")
    post("/sms/inbound", sms_from(PATIENT_NUMBER, "STOP"))
    post("/sms/inbound", sms_from(PATIENT_NUMBER, "STOP"), signature="forged")

    assert PATIENT_NUMBER not in caplog.text and PATIENT_NUMBER[1:] not in caplog.text
