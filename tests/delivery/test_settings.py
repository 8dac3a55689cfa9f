"""Delivery configuration is read and checked when the app is built: mistakes fail at start-up."""

from __future__ import annotations

import json
from datetime import time

import pytest
from cryptography.fernet import Fernet

from app import create_app
from feedback.delivery.schedule import Policy
from feedback.delivery.senders import ConsoleSender, TwilioSender
from feedback.delivery.settings import delivery

TWILIO = {
    "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
    "TWILIO_AUTH_TOKEN": "t" * 32,
    "TWILIO_FROM_NUMBER": "+15005550006",
    "CLINIC_CONTACT": "+44 20 7946 0123",
}


def build(**config):
    app = create_app({"APP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://", **config})
    with app.app_context():
        return delivery()


def test_the_defaults_are_the_documented_ones():
    found = build()

    assert found.settings.policy == Policy()
    assert (found.settings.policy.patient_delay_minutes, found.settings.policy.reminder_after_hours) == (30, 24)
    assert (found.settings.policy.quiet_start, found.settings.policy.quiet_end) == (time(21), time(8))
    assert found.settings.sender_name == "Your clinic"
    assert isinstance(found.sender, ConsoleSender)


def test_the_schedule_can_come_as_json_with_per_clinic_overrides():
    policy = {"quiet_start": "20:00", "clinics": {"Eastside": {"quiet_start": "22:00", "max_per_week": 2}}}

    found = build(DELIVERY_POLICY_JSON=json.dumps(policy))

    assert found.settings.policy_for("Westside").quiet_start == time(20)
    eastside = found.settings.policy_for("Eastside")
    assert (eastside.quiet_start, eastside.max_per_week) == (time(22), 2)


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"DELIVERY_POLICY_JSON": "{quiet"}, "not valid JSON"),
        ({"DELIVERY_POLICY": {"quiet_begins": "20:00"}}, "unknown delivery policy setting"),
        ({"DELIVERY_POLICY": {"reminder_after_hours": 80}}, "reminder_after_hours must be less"),
        ({"SMS_SENDER_NAME": "The Riverside Centre for Family Health Care Services " * 4}, "over the 306"),
        ({"SMS_SENDER_NAME": "St Mary’s"}, "GSM-7"),
        ({"PUBLIC_BASE_URL": "https://" + "x" * 240 + ".example.org"}, "306"),
        ({"TWILIO_ACCOUNT_SID": "AC" + "0" * 32}, "partly configured"),
        ({**TWILIO, "CLINIC_CONTACT": ""}, "CLINIC_CONTACT"),
        ({**TWILIO, "DELIVERY_CLAIM_TTL_SECONDS": 20}, "at least three times"),
        ({"DELIVERY_BATCH_SIZE": 0}, "must be positive"),
    ],
)
def test_a_bad_setting_stops_the_app_from_starting(config, message):
    with pytest.raises(ValueError, match=message):
        build(**config)


def test_twilio_is_chosen_when_configured():
    found = build(**TWILIO)

    assert isinstance(found.sender, TwilioSender)


def test_the_help_reply_may_be_left_to_twilio_without_a_contact():
    found = build(**{**TWILIO, "CLINIC_CONTACT": "", "SMS_HELP_REPLY": "false"})

    assert found.settings.help_reply is False


PRODUCTION = {"APP_ENV": "production", "SECRET_KEY": "s" * 32, "PHONE_ENCRYPTION_KEY": Fernet.generate_key().decode()}
SMTP = {"SMTP_HOST": "mail.example.org", "SMTP_FROM": "clinic@example.org"}


@pytest.mark.parametrize("channel", [TWILIO, SMTP], ids=["sms", "email"])
@pytest.mark.parametrize("base", ["", "http://clinic.example.org", "https://"])
def test_production_sending_links_needs_an_https_public_address(channel, base):
    # The worker builds the links outside any request: without the setting they would point at
    # the loopback default, and a plain-http unsubscribe link is not one RFC 8058 allows.
    with pytest.raises(ValueError, match="PUBLIC_BASE_URL must be the https:// address"):
        build(**PRODUCTION, **channel, PUBLIC_BASE_URL=base)


@pytest.mark.parametrize(
    "config",
    [{**TWILIO, **SMTP, "PUBLIC_BASE_URL": "https://clinic.example.org"}, {}],
    ids=["https address", "links handed over by the therapist"],
)
def test_production_starts_with_an_https_address_or_nothing_to_send(config):
    found = build(**PRODUCTION, **config)

    assert found.sms_enabled == found.email_enabled == bool(config)
