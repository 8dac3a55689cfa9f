"""The console sender and choosing a sender from configuration."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from feedback.delivery.senders import ConsoleSender, TwilioSender, sender_from_config
from tests.fake_twilio import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN

PATIENT = "+15555550123"
BODY = "Your clinic: Hi, a 1-minute questionnaire for you: https://clinic.example.org/s/abc"


def test_console_sender_logs_the_label_and_body_but_not_the_number(caplog):
    sender = ConsoleSender()

    with caplog.at_level(logging.INFO, logger="feedback.delivery.senders"):
        result = sender.send(PATIENT, BODY, label="P-017")

    assert "P-017" in caplog.text
    assert BODY in caplog.text
    assert PATIENT not in caplog.text
    assert result.status == "sent"


def test_console_sender_keeps_what_it_sent():
    sender = ConsoleSender()

    first = sender.send(PATIENT, "one", label="P-017", status_callback="https://clinic.example.org/cb")
    second = sender.send("+447700900123", "two", label="P-018")

    assert [(m.to, m.body, m.label) for m in sender.sent] == [
        (PATIENT, "one", "P-017"),
        ("+447700900123", "two", "P-018"),
    ]
    assert sender.sent[0].status_callback == "https://clinic.example.org/cb"
    assert first.provider_id != second.provider_id
    assert [m.provider_id for m in sender.sent] == [first.provider_id, second.provider_id]


def test_console_find_sent_filters_by_number_and_time():
    sender = ConsoleSender()
    start = datetime(2025, 3, 10, 9, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        sender.send(PATIENT, "old", label="P-017")
    with time_machine.travel(start + timedelta(days=1), tick=False):
        sender.send(PATIENT, "new", label="P-017")
        sender.send("+447700900123", "other", label="P-018")

    found = sender.find_sent(PATIENT, since=start + timedelta(hours=1))

    assert [m.body for m in found] == ["new"]
    assert found[0].date_sent == start + timedelta(days=1)


def test_no_twilio_settings_means_the_console():
    assert isinstance(sender_from_config({}), ConsoleSender)
    assert isinstance(sender_from_config({"TWILIO_ACCOUNT_SID": ""}), ConsoleSender)


@pytest.mark.parametrize(
    "sender_setting",
    [
        {"TWILIO_FROM_NUMBER": "+15005550006"},
        {"TWILIO_MESSAGING_SERVICE_SID": "MG" + "1" * 32},
    ],
)
def test_full_twilio_settings_mean_twilio(sender_setting):
    config = {"TWILIO_ACCOUNT_SID": "AC" + "2" * 32, "TWILIO_AUTH_TOKEN": "token", **sender_setting}

    assert isinstance(sender_from_config(config), TwilioSender)


@pytest.mark.parametrize(
    ("config", "missing"),
    [
        ({"TWILIO_ACCOUNT_SID": "AC1", "TWILIO_FROM_NUMBER": "+1"}, "TWILIO_AUTH_TOKEN"),
        ({"TWILIO_AUTH_TOKEN": "t", "TWILIO_FROM_NUMBER": "+1"}, "TWILIO_ACCOUNT_SID"),
        ({"TWILIO_ACCOUNT_SID": "AC1", "TWILIO_AUTH_TOKEN": "t"}, "TWILIO_FROM_NUMBER"),
    ],
)
def test_half_a_twilio_configuration_is_refused(config, missing):
    with pytest.raises(ValueError, match=missing):
        sender_from_config(config)


def test_configured_base_url_and_status_callback_are_used(fake_twilio):
    sender = sender_from_config(
        {
            "TWILIO_ACCOUNT_SID": DEFAULT_ACCOUNT_SID,
            "TWILIO_AUTH_TOKEN": DEFAULT_AUTH_TOKEN,
            "TWILIO_FROM_NUMBER": "+15005550006",
            "TWILIO_API_BASE_URL": fake_twilio.url,
            "SMS_STATUS_CALLBACK_URL": "https://clinic.example.org/sms/status",
        }
    )

    sender.send(PATIENT, BODY, label="P-017")

    [request] = fake_twilio.requests
    assert request.form["From"] == "+15005550006"
    assert request.form["StatusCallback"] == "https://clinic.example.org/sms/status"


def test_twilio_sender_needs_a_sender_identity():
    with pytest.raises(ValueError, match="from_number or messaging_service_sid"):
        TwilioSender("AC1", "token")


def test_twilio_sender_refuses_a_base_url_that_is_not_http():
    with pytest.raises(ValueError, match="TWILIO_API_BASE_URL"):
        TwilioSender("AC1", "token", from_number="+1", api_base_url="127.0.0.1:8080")
