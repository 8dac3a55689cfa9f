"""The real TwilioSender, with the real Twilio SDK, against the fake Twilio API on loopback."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from feedback.delivery.senders import (
    PermanentSendError,
    TransientSendError,
    UncertainSendError,
)
from tests.delivery.conftest import SENDER_NUMBER
from tests.twilio_behaviours import (
    INVALID_NUMBER,
    NOT_MOBILE,
    OPTED_OUT,
    RATE_LIMITED,
    SERVER_ERROR,
    Drop,
    Fail,
    Hang,
)

PATIENT = "+15555550123"
OTHER_PATIENT = "+447700900123"
BODY = "Your clinic: Hi, a 1-minute questionnaire for you: https://clinic.example.org/s/abc"
CALLBACK = "https://clinic.example.org/sms/status/17"


def test_send_makes_twilios_request(fake_twilio, make_twilio_sender):
    make_twilio_sender().send(PATIENT, BODY, label="P-017", status_callback=CALLBACK)

    [request] = fake_twilio.requests
    assert request.method == "POST"
    assert request.path == f"/2010-04-01/Accounts/{fake_twilio.account_sid}/Messages.json"
    assert request.auth_user == fake_twilio.account_sid
    assert request.form == {
        "To": PATIENT,
        "From": SENDER_NUMBER,
        "Body": BODY,
        "StatusCallback": CALLBACK,
    }


def test_send_returns_the_provider_sid_and_status(fake_twilio, make_twilio_sender):
    result = make_twilio_sender().send(PATIENT, BODY, label="P-017")

    [message] = fake_twilio.messages
    assert result.provider_id == message["sid"]
    assert result.provider_id.startswith("SM")
    assert result.status == "queued"


def test_messaging_service_replaces_the_from_number(fake_twilio, make_twilio_sender):
    sender = make_twilio_sender(from_number=None, messaging_service_sid="MG" + "1" * 32)

    result = sender.send(PATIENT, BODY, label="P-017")

    form = fake_twilio.requests[0].form
    assert form["MessagingServiceSid"] == "MG" + "1" * 32
    assert "From" not in form
    assert result.status == "accepted"


def test_default_status_callback_applies_unless_a_send_overrides_it(fake_twilio, make_twilio_sender):
    sender = make_twilio_sender(status_callback="https://clinic.example.org/sms/status")

    sender.send(PATIENT, BODY, label="P-017")
    sender.send(PATIENT, BODY, label="P-017", status_callback=CALLBACK)

    callbacks = [r.form["StatusCallback"] for r in fake_twilio.requests]
    assert callbacks == ["https://clinic.example.org/sms/status", CALLBACK]


@pytest.mark.parametrize(
    ("answer", "code", "reason"),
    [
        (INVALID_NUMBER, 21211, "invalid phone number"),
        (OPTED_OUT, 21610, "recipient opted out (replied STOP)"),
        (NOT_MOBILE, 21614, "not a mobile number"),
    ],
)
def test_known_rejections_are_permanent_with_a_short_reason(fake_twilio, make_twilio_sender, answer, code, reason):
    fake_twilio.queue(answer)

    with pytest.raises(PermanentSendError) as caught:
        make_twilio_sender().send(PATIENT, BODY, label="P-017")

    assert caught.value.code == code
    assert caught.value.reason == reason


def test_other_client_errors_are_permanent_and_keep_the_number_out_of_the_reason(fake_twilio, make_twilio_sender):
    fake_twilio.queue(Fail(400, 21999, f"Something odd about {PATIENT}"))

    with pytest.raises(PermanentSendError) as caught:
        make_twilio_sender().send(PATIENT, BODY, label="P-017")

    assert caught.value.code == 21999
    assert "21999" in caught.value.reason
    assert PATIENT not in caught.value.reason


def test_wrong_credentials_are_refused(fake_twilio, make_twilio_sender):
    with pytest.raises(PermanentSendError) as caught:
        make_twilio_sender(auth_token="wrong-token").send(PATIENT, BODY, label="P-017")

    assert caught.value.code == 20003
    assert fake_twilio.messages == []


def test_rate_limit_is_transient_and_passes_on_retry_after(fake_twilio, make_twilio_sender):
    fake_twilio.queue(RATE_LIMITED)

    with pytest.raises(TransientSendError) as caught:
        make_twilio_sender().send(PATIENT, BODY, label="P-017")

    assert caught.value.code == 20429
    assert caught.value.retry_after == 7


def test_server_error_is_transient(fake_twilio, make_twilio_sender):
    fake_twilio.queue(SERVER_ERROR)

    with pytest.raises(TransientSendError) as caught:
        make_twilio_sender().send(PATIENT, BODY, label="P-017")

    assert caught.value.code == 20500
    assert caught.value.retry_after is None


def test_gateway_timeout_is_uncertain(fake_twilio, make_twilio_sender):
    fake_twilio.queue(Fail(504, 20504, "Gateway Timeout"))

    with pytest.raises(UncertainSendError):
        make_twilio_sender().send(PATIENT, BODY, label="P-017")


def test_no_answer_in_time_is_uncertain_and_the_message_may_exist(fake_twilio, make_twilio_sender):
    fake_twilio.queue(Hang(seconds=30))

    with pytest.raises(UncertainSendError):
        make_twilio_sender(timeout=0.3).send(PATIENT, BODY, label="P-017")

    # Exactly why it must not be re-sent blindly: Twilio took it.
    assert [m["body"] for m in fake_twilio.messages] == [BODY]


def test_connection_dropped_after_the_request_is_uncertain(fake_twilio, make_twilio_sender):
    fake_twilio.queue(Drop())

    with pytest.raises(UncertainSendError):
        make_twilio_sender().send(PATIENT, BODY, label="P-017")


def test_connection_refused_is_transient(make_twilio_sender):
    with socket.socket() as probe:  # a port that was free a moment ago, now closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    with pytest.raises(TransientSendError):
        make_twilio_sender(api_base_url=f"http://127.0.0.1:{port}").send(PATIENT, BODY, label="P-017")


@pytest.fixture
def unaccepting_port() -> Iterator[int]:
    """A listener that never accepts, its backlog already full: new connections cannot open."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        port = listener.getsockname()[1]
        fillers = [socket.socket() for _ in range(3)]
        for filler in fillers:
            filler.setblocking(False)
            filler.connect_ex(("127.0.0.1", port))
        yield port
        for filler in fillers:
            filler.close()


def test_connection_that_cannot_open_is_transient(make_twilio_sender, unaccepting_port):
    sender = make_twilio_sender(api_base_url=f"http://127.0.0.1:{unaccepting_port}", timeout=0.3)

    with pytest.raises(TransientSendError):
        sender.send(PATIENT, BODY, label="P-017")


def test_find_sent_lists_messages_to_that_number_since_a_time(fake_twilio, make_twilio_sender):
    sender = make_twilio_sender()
    first_day = datetime(2025, 3, 10, 9, 0, tzinfo=UTC)
    with time_machine.travel(first_day, tick=False):
        sender.send(PATIENT, "first", label="P-017")
    with time_machine.travel(first_day + timedelta(days=1), tick=False):
        sender.send(PATIENT, "second", label="P-017")
        sender.send(OTHER_PATIENT, "someone else", label="P-018")

    recent = sender.find_sent(PATIENT, since=first_day + timedelta(hours=1))
    everything = sender.find_sent(PATIENT, since=first_day - timedelta(hours=1))

    assert [m.body for m in recent] == ["second"]
    assert [m.body for m in everything] == ["second", "first"]  # newest first
    assert fake_twilio.requests[-1].query["To"] == PATIENT


def test_find_sent_includes_messages_still_queued(fake_twilio, make_twilio_sender):
    sender = make_twilio_sender()
    sent = sender.send(PATIENT, "queued one", label="P-017")
    delivered = sender.send(PATIENT, "delivered one", label="P-017")
    fake_twilio.set_status(delivered.provider_id, "delivered")

    found = {m.provider_id: m for m in sender.find_sent(PATIENT, since=_minutes_ago(5))}

    assert found[sent.provider_id].status == "queued"
    assert found[sent.provider_id].date_sent is None
    assert found[delivered.provider_id].status == "delivered"
    assert found[delivered.provider_id].date_sent is not None


def test_find_sent_compares_whole_seconds(make_twilio_sender):
    # Twilio's timestamps drop the fraction: a message created at 12:00:00.700 reads 12:00:00.
    sender = make_twilio_sender()
    with time_machine.travel(datetime(2025, 3, 10, 12, 0, 0, 700000, tzinfo=UTC), tick=False):
        sender.send(PATIENT, "just now", label="P-017")

    found = sender.find_sent(PATIENT, since=datetime(2025, 3, 10, 12, 0, 0, 300000, tzinfo=UTC))

    assert [m.body for m in found] == ["just now"]


def test_find_sent_failure_is_transient(fake_twilio, make_twilio_sender):
    fake_twilio.queue(SERVER_ERROR)

    with pytest.raises(TransientSendError):
        make_twilio_sender().find_sent(PATIENT, since=_minutes_ago(5))


def test_sdk_request_logs_leave_out_the_phone_number(make_twilio_sender, caplog):
    # At INFO, where production logs. (urllib3's own DEBUG lines do show query strings.)
    sender = make_twilio_sender()
    with caplog.at_level(logging.INFO):
        sender.send(PATIENT, BODY, label="P-017")
        sender.find_sent(PATIENT, since=_minutes_ago(5))

    assert "Messages.json" in caplog.text
    assert PATIENT not in caplog.text
    assert PATIENT.removeprefix("+") not in caplog.text  # nor URL-encoded


def _minutes_ago(minutes: int) -> datetime:
    return datetime.now(UTC) - timedelta(minutes=minutes)
