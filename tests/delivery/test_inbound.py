"""Webhook logic: reply keywords, TwiML, signatures, the public URL, status callbacks."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from twilio.rest.api.v2010.account.message import MessageInstance
from werkzeug.datastructures import MultiDict

from feedback.delivery.inbound import (
    STATUS_MAP,
    classify_keyword,
    is_valid_signature,
    public_url,
    status_after_callback,
    twiml_message,
)
from tests.delivery.conftest import twilio_signature

AUTH_TOKEN = "12345678901234567890123456789012"
URL = "https://clinic.example.org/sms/inbound"
PARAMS = {
    "MessageSid": "SM" + "a" * 32,
    "AccountSid": "AC" + "b" * 32,
    "From": "+15555550123",
    "To": "+15005550006",
    "Body": "STOP",
}


# -- keywords ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "STOP",
        "STOPALL",
        "UNSUBSCRIBE",
        "CANCEL",
        "END",
        "QUIT",
        "REVOKE",
        "OPTOUT",
        "stop",
        "Stop",
        "  stop\n",
        "Stop.",
        "STOP!",
    ],
)
def test_opt_out_words(body):
    assert classify_keyword(body) == "stop"


@pytest.mark.parametrize("body", ["START", "YES", "UNSTOP", "start", " Yes "])
def test_opt_in_words(body):
    assert classify_keyword(body) == "start"


@pytest.mark.parametrize("body", ["HELP", "INFO", "help", " Info\t"])
def test_help_words(body):
    assert classify_keyword(body) == "help"


@pytest.mark.parametrize("body", ["stop please", "please stop", "yes.", "thanks", "STOP ALL", "", "   ", None])
def test_anything_else_is_not_a_keyword(body):
    assert classify_keyword(body) is None


def test_twilios_own_opt_out_verdict_wins():
    # Advanced Opt-Out can add words like ARRET and names the type in OptOutType.
    assert classify_keyword("ARRET", opt_out_type="STOP") == "stop"
    assert classify_keyword("ARRET", opt_out_type=None) is None


# -- TwiML -------------------------------------------------------------------------------------


def test_twiml_message_replies_with_the_text_escaped():
    xml = twiml_message("Call us & reply <STOP>")

    root = ET.fromstring(xml)
    assert root.tag == "Response"
    assert [m.text for m in root.findall("Message")] == ["Call us & reply <STOP>"]


def test_twiml_without_text_says_nothing():
    root = ET.fromstring(twiml_message(None))

    assert root.tag == "Response"
    assert list(root) == []


# -- signatures --------------------------------------------------------------------------------


def test_a_genuine_signature_is_accepted():
    assert is_valid_signature(AUTH_TOKEN, URL, PARAMS, twilio_signature(AUTH_TOKEN, URL, PARAMS))


def test_a_flask_style_form_is_accepted():
    form = MultiDict(PARAMS)

    assert is_valid_signature(AUTH_TOKEN, URL, form, twilio_signature(AUTH_TOKEN, URL, PARAMS))


def test_a_signature_made_with_another_token_is_refused():
    forged = twilio_signature("not-the-token", URL, PARAMS)

    assert not is_valid_signature(AUTH_TOKEN, URL, PARAMS, forged)


def test_tampered_parameters_are_refused():
    signature = twilio_signature(AUTH_TOKEN, URL, PARAMS)

    assert not is_valid_signature(AUTH_TOKEN, URL, {**PARAMS, "Body": "START"}, signature)


def test_a_signature_for_another_url_is_refused():
    signature = twilio_signature(AUTH_TOKEN, "https://elsewhere.example.org/sms/inbound", PARAMS)

    assert not is_valid_signature(AUTH_TOKEN, URL, PARAMS, signature)


@pytest.mark.parametrize("signature", [None, ""])
def test_a_missing_signature_is_refused(signature):
    assert not is_valid_signature(AUTH_TOKEN, URL, PARAMS, signature)


# -- public URL --------------------------------------------------------------------------------


def test_behind_a_proxy_the_signed_url_is_the_public_one():
    internal = "http://127.0.0.1:8000/sms/inbound?clinic=3"
    signature = twilio_signature(AUTH_TOKEN, "https://clinic.example.org/sms/inbound?clinic=3", PARAMS)

    assert not is_valid_signature(AUTH_TOKEN, internal, PARAMS, signature)
    assert is_valid_signature(AUTH_TOKEN, public_url("https://clinic.example.org", internal), PARAMS, signature)


@pytest.mark.parametrize(
    ("base", "request_url", "expected"),
    [
        (None, "http://127.0.0.1:8000/sms/inbound", "http://127.0.0.1:8000/sms/inbound"),
        ("", "http://127.0.0.1:8000/sms/inbound", "http://127.0.0.1:8000/sms/inbound"),
        (
            "https://clinic.example.org/",
            "http://127.0.0.1:8000/sms/x?a=1&b=2",
            "https://clinic.example.org/sms/x?a=1&b=2",
        ),
        # Mounted under a prefix the proxy strips …
        (
            "https://clinic.example.org/feedback",
            "http://127.0.0.1:8000/sms/inbound",
            "https://clinic.example.org/feedback/sms/inbound",
        ),
        # … or keeps: never doubled.
        (
            "https://clinic.example.org/feedback/",
            "http://127.0.0.1:8000/feedback/sms/inbound",
            "https://clinic.example.org/feedback/sms/inbound",
        ),
    ],
)
def test_public_url(base, request_url, expected):
    assert public_url(base, request_url) == expected


# -- status callbacks --------------------------------------------------------------------------


def test_every_outgoing_twilio_status_is_mapped():
    statuses = {value for name, value in vars(MessageInstance.Status).items() if not name.startswith("_")}
    incoming_only = {"receiving", "received"}

    assert set(STATUS_MAP) == statuses - incoming_only


@pytest.mark.parametrize(
    ("twilio_status", "outbox_status", "final"),
    [
        ("queued", "sent", False),
        ("accepted", "sent", False),
        ("sent", "sent", False),
        ("delivered", "delivered", True),
        ("read", "delivered", True),
        ("undelivered", "undelivered", True),
        ("failed", "failed", True),
    ],
)
def test_status_map(twilio_status, outbox_status, final):
    assert STATUS_MAP[twilio_status].outbox_status == outbox_status
    assert STATUS_MAP[twilio_status].final is final


@pytest.mark.parametrize(
    ("current", "callback", "expected"),
    [
        ("sent", "delivered", "delivered"),
        ("sent", "undelivered", "undelivered"),
        ("sending", "delivered", "delivered"),  # a callback may overtake the dispatcher's own record
        ("uncertain", "sent", "sent"),  # a callback proves Twilio has the message
        ("uncertain", "delivered", "delivered"),
        ("delivered", "sent", None),  # a late, out-of-order callback changes nothing
        ("failed", "delivered", None),
        ("undelivered", "delivered", None),
        ("sent", "sending", None),  # no change
        ("sent", "receiving", None),  # not an outgoing status
        ("sent", "Delivered ", "delivered"),
    ],
)
def test_status_after_callback(current, callback, expected):
    assert status_after_callback(current, callback) == expected
