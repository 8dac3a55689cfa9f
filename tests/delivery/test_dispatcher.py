"""The dispatcher with the real Twilio SDK against the fake Twilio API: what goes out, when, and
what each kind of answer (or no answer) does to the outbox row."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlalchemy import update

from feedback.delivery import staff
from feedback.delivery.dispatcher import Dispatcher
from feedback.delivery.schedule import MAX_ATTEMPTS
from feedback.delivery.senders import ConsoleSender
from feedback.delivery.settings import delivery
from feedback.extensions import db
from feedback.invitations import link_token, record_response
from feedback.models.outbox import OutboxMessage
from tests.delivery.conftest import (
    DUE,
    SENDER_NUMBER,
    SESSION_START,
    link_of,
    local,
    number_of,
    patient_invitation,
    posts,
    reconfigure,
    rows,
)
from tests.twilio_behaviours import (
    INVALID_NUMBER,
    NOT_MOBILE,
    OPTED_OUT,
    RATE_LIMITED,
    SERVER_ERROR,
)

# -- a normal send -----------------------------------------------------------------------------


def test_a_due_message_goes_to_twilio_in_its_real_shape(planned, dispatcher, fake_twilio):
    recorded, row = planned

    outcomes = dispatcher.run()

    assert outcomes.sent == 1
    [request] = fake_twilio.requests
    invitation = patient_invitation(recorded)
    assert request.method == "POST"
    assert request.path == f"/2010-04-01/Accounts/{fake_twilio.account_sid}/Messages.json"
    assert request.auth_user == fake_twilio.account_sid
    assert request.form == {
        "To": number_of(recorded.session.patient),
        "From": SENDER_NUMBER,
        "Body": f"Northside: Hi, a 1-minute questionnaire for you: {link_of(invitation)} Reply STOP to opt out",
        "StatusCallback": f"https://clinic.example.org/sms/status/{row.id}",
    }
    assert link_of(invitation) == "https://clinic.example.org/s/" + link_token(invitation)
    [sent] = rows()
    assert (sent.status, sent.provider_id, sent.attempts) == ("sent", fake_twilio.messages[0]["sid"], 1)
    assert sent.sent_at == DUE and sent.claimed_by is None
    db.session.refresh(invitation)
    assert invitation.sent_at == DUE


def test_nothing_goes_out_before_it_is_due(clock, sms_session, dispatcher, fake_twilio):
    clock(local(2026, 1, 14, 15, 0))
    sms_session(starts_at=SESSION_START)

    clock(DUE - timedelta(seconds=1))
    assert dispatcher.run().total == 0

    assert fake_twilio.requests == []
    assert rows()[0].status == "pending"


def test_a_sent_message_is_never_sent_again(planned, dispatcher, fake_twilio):
    dispatcher.run()
    dispatcher.run()

    assert len(posts(fake_twilio)) == 1


# -- the last checks before sending ------------------------------------------------------------


def test_an_opt_out_after_planning_blocks_the_send(planned, dispatcher, fake_twilio):
    recorded, _ = planned
    recorded.session.patient.sms_opted_out_at = DUE
    db.session.commit()

    outcomes = dispatcher.run()

    assert outcomes.cancelled == 1
    assert fake_twilio.requests == []
    assert (rows()[0].status, rows()[0].last_error) == ("cancelled", "patient opted out of SMS")


def test_an_answered_invitation_is_not_texted(planned, dispatcher, fake_twilio):
    recorded, _ = planned
    record_response(patient_invitation(recorded), {}, {})

    dispatcher.run()

    assert fake_twilio.requests == []
    assert rows()[0].last_error == "already answered"


def test_a_backlog_that_runs_into_quiet_hours_waits_for_the_morning(planned, clock, dispatcher, fake_twilio):
    clock(local(2026, 1, 14, 21, 10))  # the worker was down all evening

    assert dispatcher.run().postponed == 1

    assert fake_twilio.requests == []
    [row] = rows()
    assert (row.status, row.due_at, row.attempts) == ("pending", local(2026, 1, 15, 8, 0), 0)


def test_the_daily_cap_is_checked_again_at_send_time(planned, clock, sms_session, dispatcher, fake_twilio):
    recorded, _ = planned
    _, second = sms_session(recorded.session.patient, starts_at=local(2026, 1, 14, 10, 0))
    # Planned for tomorrow by the cap; a careless edit moves it to now.
    db.session.execute(update(OutboxMessage).where(OutboxMessage.id == second.id).values(due_at=DUE))
    db.session.commit()

    outcomes = dispatcher.run()

    assert (outcomes.sent, outcomes.postponed) == (1, 1)
    assert len(posts(fake_twilio)) == 1
    assert rows(id=second.id)[0].due_at == local(2026, 1, 15, 8, 0)


# -- transient failures ------------------------------------------------------------------------


def test_a_server_error_is_retried_with_backoff_and_sent_once(planned, clock, dispatcher, fake_twilio):
    fake_twilio.queue(SERVER_ERROR)

    assert dispatcher.run().retried == 1
    [row] = rows()
    assert (row.status, row.attempts, row.last_error) == ("pending", 1, "Twilio answered HTTP 500")
    assert DUE <= row.due_at <= DUE + timedelta(seconds=30)

    clock(DUE + timedelta(seconds=31))
    assert dispatcher.run().sent == 1
    assert rows()[0].status == "sent"
    assert len(fake_twilio.messages) == 1  # the 500 created nothing; the retry created one


def test_a_rate_limit_pauses_this_dispatcher_for_as_long_as_twilio_asks(
    planned, clock, sms_session, dispatcher, fake_twilio
):
    sms_session(starts_at=SESSION_START)  # a second patient's message, due at the same time
    fake_twilio.queue(RATE_LIMITED)  # Retry-After: 7

    outcomes = dispatcher.run()

    assert (outcomes.retried, outcomes.skipped) == (1, 1)  # the other is handed back untouched
    assert len(posts(fake_twilio)) == 1
    limited, other = rows()
    assert limited.due_at >= DUE + timedelta(seconds=7)
    assert (other.status, other.attempts, other.claimed_by) == ("pending", 0, None)
    assert dispatcher.paused()

    clock(DUE + timedelta(seconds=6))
    assert dispatcher.run().total == 0
    clock(DUE + timedelta(seconds=40))
    assert dispatcher.run().sent == 2


def test_retries_stop_at_the_limit(planned, clock, dispatcher, fake_twilio):
    fake_twilio.strategy = lambda request: SERVER_ERROR
    when = DUE
    for _ in range(MAX_ATTEMPTS):
        dispatcher.run()
        when += timedelta(hours=1)  # longer than any backoff
        clock(when)

    [row] = rows()
    assert (row.status, row.attempts) == ("failed", MAX_ATTEMPTS)
    assert row.last_error == f"gave up after {MAX_ATTEMPTS} attempts: Twilio answered HTTP 500"
    assert len(posts(fake_twilio)) == MAX_ATTEMPTS


# -- permanent failures ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "reason"),
    [(INVALID_NUMBER, "invalid phone number"), (NOT_MOBILE, "not a mobile number")],
)
def test_a_refused_number_fails_for_good_and_the_therapist_sees_why(
    planned, clock, dispatcher, fake_twilio, answer, reason
):
    recorded, _ = planned
    fake_twilio.queue(answer)

    assert dispatcher.run().failed == 1
    clock(DUE + timedelta(days=1))
    dispatcher.run()

    assert len(posts(fake_twilio)) == 1
    [row] = rows()
    assert (row.status, row.error_code, row.last_error) == ("failed", answer.code, reason)
    patient = recorded.session.patient
    [problem] = staff.needs_attention(patient.clinic_id, therapist_id=patient.therapist_id)
    assert (problem.patient_code, problem.status, problem.reason) == (patient.code, "failed", reason)
    view = staff.invitation_delivery(patient_invitation(recorded))
    assert view.reason == reason and view.link_to_hand_over == link_of(patient_invitation(recorded))


def test_twilio_saying_opted_out_records_the_opt_out(planned, clock, sms_session, dispatcher, fake_twilio):
    recorded, _ = planned
    patient = recorded.session.patient
    _, later = sms_session(patient, starts_at=local(2026, 1, 14, 10, 0))  # queued for tomorrow
    fake_twilio.queue(OPTED_OUT)

    dispatcher.run()

    db.session.refresh(patient)
    assert patient.sms_opted_out_at == DUE
    first, second = rows()
    assert (first.status, first.error_code) == ("failed", 21610)
    assert (second.id, second.status) == (later.id, "cancelled")


def test_wrong_credentials_pause_sending_instead_of_failing_every_row(clock, sms_session, fake_twilio, app, caplog):
    reconfigure(app, TWILIO_AUTH_TOKEN="not-the-token")
    dispatcher = Dispatcher(delivery().sender, delivery().cipher)
    clock(local(2026, 1, 14, 15, 0))
    sms_session(starts_at=SESSION_START)
    sms_session(starts_at=SESSION_START)
    clock(DUE)

    with caplog.at_level(logging.CRITICAL, logger="feedback.delivery.dispatcher"):
        dispatcher.run()

    assert len(posts(fake_twilio)) == 1  # the first refusal stops the batch
    assert [(r.status, r.attempts) for r in rows()] == [("pending", 0), ("pending", 0)]
    assert dispatcher.paused()
    assert "credentials" in caplog.text


# -- privacy -----------------------------------------------------------------------------------


def test_logs_name_the_patient_code_never_the_number_or_the_link(planned, clock, dispatcher, fake_twilio, caplog):
    recorded, _ = planned
    fake_twilio.queue(SERVER_ERROR)
    with caplog.at_level(logging.DEBUG):
        dispatcher.run()
        clock(DUE + timedelta(minutes=1))
        dispatcher.run()

    number = number_of(recorded.session.patient)
    token = link_token(patient_invitation(recorded))
    messages = [r.getMessage() for r in caplog.records]
    assert any(recorded.session.patient.code in m for m in messages)
    assert not any(number in m or number[1:] in m or token in m for m in messages)
    assert all(number not in (r.last_error or "") for r in rows())


def test_the_console_sender_keeps_what_it_would_have_sent(clock, make_sms_patient, sms_session, app, caplog):
    reconfigure(app, TWILIO_ACCOUNT_SID="", TWILIO_AUTH_TOKEN="", TWILIO_FROM_NUMBER="", TWILIO_API_BASE_URL="")
    console = delivery().sender
    assert isinstance(console, ConsoleSender)
    clock(local(2026, 1, 14, 15, 0))
    recorded, _ = sms_session(starts_at=SESSION_START)
    clock(DUE)

    with caplog.at_level(logging.INFO, logger="feedback.delivery.senders"):
        Dispatcher(console, delivery().cipher).run()

    [message] = console.sent
    link = link_of(patient_invitation(recorded))
    assert link in message.body and message.label == recorded.session.patient.code
    assert f"SMS for {recorded.session.patient.code}: " in caplog.text and link in caplog.text
    assert rows()[0].status == "sent"


