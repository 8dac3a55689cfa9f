"""Issue 16 §3: a webhook that comes again (same MessageSid, valid signature) changes nothing:
no second opt-out or opt-in, no second HELP reply, no status moved back, nothing written."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import select

from feedback.delivery import staff
from feedback.delivery import webhooks as webhooks_module
from feedback.extensions import db
from tests.delivery.conftest import (
    CLINIC_CONTACT,
    PUBLIC_BASE_URL,
    callback,
    local,
    mobile,
    replies,
    rows,
    settle,
    sms_from,
    twilio_signature,
)

NUMBER = mobile(902)
HELP_TEXT = f"Northside: for help contact {CLINIC_CONTACT}. Reply STOP to opt out."


def database() -> dict[str, list[tuple]]:
    """Every row of every table: a replay must leave all of it as it was (audit trail included)."""
    db.session.expire_all()
    return {
        table.name: sorted((tuple(row) for row in db.session.execute(select(table))), key=repr)
        for table in db.metadata.sorted_tables
    }


@pytest.fixture
def patient(clock, make_sms_patient):
    clock(local(2026, 1, 14, 15, 0))
    return make_sms_patient(phone=NUMBER)


def opted_out(patient) -> bool:
    db.session.refresh(patient)
    return patient.sms_opted_out_at is not None


# -- inbound: STOP, START, HELP ----------------------------------------------------------------


def test_a_stop_replayed_after_start_leaves_the_patient_opted_in(post, patient, sms_session, clock):
    stop = sms_from(NUMBER, "STOP")
    post("/sms/inbound", stop)
    post("/sms/inbound", sms_from(NUMBER, "START"))
    _, queued = sms_session(patient, starts_at=local(2026, 1, 14, 12, 0))
    clock(local(2026, 1, 14, 15, 30))
    before = database()

    assert replies(post("/sms/inbound", stop)) == []

    assert database() == before
    assert not opted_out(patient)
    assert rows(id=queued.id)[0].status == "pending"


def test_a_start_replayed_after_a_later_stop_leaves_the_patient_opted_out(post, patient, clock):
    start = sms_from(NUMBER, "START")
    post("/sms/inbound", sms_from(NUMBER, "STOP"))
    post("/sms/inbound", start)
    clock(local(2026, 1, 14, 15, 30))
    post("/sms/inbound", sms_from(NUMBER, "STOP"))  # the patient changed their mind again
    before = database()

    assert replies(post("/sms/inbound", start)) == []

    assert database() == before
    assert opted_out(patient)


@pytest.mark.parametrize("word", ["STOP", "START", "HELP"])
def test_a_keyword_replayed_at_once_changes_nothing(post, patient, word):
    post("/sms/inbound", sms_from(NUMBER, "STOP"))  # so that START has something to undo
    message = sms_from(NUMBER, word)
    post("/sms/inbound", message)
    after_first = database()

    assert [replies(post("/sms/inbound", message)) for _ in range(3)] == [[], [], []]

    assert database() == after_first


def test_help_replayed_gets_one_reply_only(post):
    message = sms_from(mobile(1), "HELP")

    assert replies(post("/sms/inbound", message)) == [HELP_TEXT]
    assert replies(post("/sms/inbound", message)) == []
    assert replies(post("/sms/inbound", sms_from(mobile(1), "HELP"))) == [HELP_TEXT]  # a new message is answered


def test_two_copies_arriving_at_once_get_one_reply(app, fake_twilio, monkeypatch):
    # The first copy is still in its transaction when the second arrives: the second waits on
    # the key, then reads as a replay (no error, no second reply).
    db.session.commit()
    message = sms_from(mobile(1), "HELP")
    signature = twilio_signature(fake_twilio.auth_token, PUBLIC_BASE_URL + "/sms/inbound", message)
    inside, answers = threading.Event(), []
    real_reply = webhooks_module.help_reply

    def slow_reply(*args):
        inside.set()
        time.sleep(0.5)
        return real_reply(*args)

    monkeypatch.setattr(webhooks_module, "help_reply", slow_reply)

    def deliver() -> None:
        with app.app_context():
            try:
                response = app.test_client().post(
                    "/sms/inbound", data=message, headers={"X-Twilio-Signature": signature}
                )
                answers.append(replies(response))
            finally:
                db.session.remove()

    first = threading.Thread(target=deliver)
    first.start()
    assert inside.wait(5)
    second = threading.Thread(target=deliver)
    second.start()
    first.join(10)
    second.join(10)

    assert sorted(answers) == [[], [HELP_TEXT]]


def test_an_effect_that_fails_keeps_no_key_so_twilios_retry_acts(post, patient, monkeypatch):
    message = sms_from(NUMBER, "STOP")
    monkeypatch.setattr("feedback.delivery.optout.cancel_open", lambda *a: 1 / 0)

    assert post("/sms/inbound", message).status_code == 500
    db.session.rollback()  # what the end of the request does (the test keeps one app context)
    monkeypatch.undo()

    assert replies(post("/sms/inbound", message)) == []
    assert opted_out(patient)


# -- status callbacks --------------------------------------------------------------------------

SID = "SM" + "1" * 32


@pytest.fixture
def sent_row(clock, make_sms_patient, sms_session):
    clock(local(2026, 1, 14, 21, 0))
    _, row = sms_session(make_sms_patient(phone=NUMBER), starts_at=local(2026, 1, 14, 20, 0))
    settle(row, status="sent", provider_id=SID, attempts=1)
    return row


@pytest.mark.parametrize(
    ("callbacks", "expected"),
    [
        (["sent", "delivered", "delivered"], "delivered"),  # replayed in order
        (["sent", "delivered", "sent"], "delivered"),  # an earlier one replayed late
        (["delivered", "sent", "sent"], "delivered"),  # sent arrives late, then again
        (["queued", "sending", "sent", "delivered", "queued", "sending", "read"], "delivered"),
        (["sent", "undelivered", "sent", "undelivered", "delivered"], "undelivered"),  # the first final one wins
        (["failed", "failed"], "failed"),
    ],
)
@pytest.mark.parametrize("by", ["our id", "twilio's sid"])
def test_status_callbacks_replayed_in_and_out_of_order_never_move_a_row_back(post, sent_row, callbacks, expected, by):
    row_id = sent_row.id if by == "our id" else None
    for status in callbacks:
        assert post(*callback(row_id, status, ErrorCode="30003")).status_code == 204
        before = database()
        assert post(*callback(row_id, status, ErrorCode="30003")).status_code == 204  # the same, again
        assert database() == before

    [row] = rows()
    assert row.status == expected


@pytest.mark.parametrize("failure", [("undelivered", "30003"), ("failed", "21610")])
def test_a_replayed_failure_does_not_settle_a_message_sent_again(post, sent_row, failure):
    status, code = failure
    post(*callback(sent_row.id, status, ErrorCode=code))
    post("/sms/inbound", sms_from(NUMBER, "START"))  # after a 21610 the patient opted back in
    assert staff.send_again(sent_row.id)
    # The new attempt's answer was lost: the row waits for its own callback or a look-up.
    settle(sent_row, status="uncertain", attempts=1, last_error="no complete answer from Twilio (ReadTimeout)")
    before = database()

    assert post(*callback(sent_row.id, status, ErrorCode=code)).status_code == 204

    assert database() == before
    [row] = rows()
    assert (row.status, row.provider_id) == ("uncertain", None)
    assert not opted_out(sent_row.patient)
