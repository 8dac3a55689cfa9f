"""Fixtures for delivery tests: a running fake Twilio API, senders and an app aimed at it."""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update
from werkzeug.test import TestResponse

from feedback.delivery import settings
from feedback.delivery.dispatcher import Dispatcher
from feedback.delivery.rendering import invitation_link
from feedback.delivery.senders import TwilioSender
from feedback.delivery.settings import delivery
from feedback.delivery.timing import Planned
from feedback.extensions import db
from feedback.models import Invitation, Patient
from feedback.models.outbox import OutboxMessage
from feedback.phrases import ENGLISH, speak
from tests.fake_twilio import FakeTwilio

SENDER_NUMBER = "+15005550006"


@pytest.fixture
def fake_twilio() -> Iterator[FakeTwilio]:
    with FakeTwilio() as fake:
        yield fake


@pytest.fixture
def make_twilio_sender(fake_twilio: FakeTwilio) -> Callable[..., TwilioSender]:
    """A real TwilioSender (real SDK) talking to the fake; keyword arguments override."""

    def make(**overrides: Any) -> TwilioSender:
        settings: dict[str, Any] = {
            "account_sid": fake_twilio.account_sid,
            "auth_token": fake_twilio.auth_token,
            "from_number": SENDER_NUMBER,
            "api_base_url": fake_twilio.url,
            "timeout": 2,
        }
        settings.update(overrides)
        return TwilioSender(**settings)

    return make


def twilio_signature(token: str, url: str, params: dict[str, str]) -> str:
    """X-Twilio-Signature by Twilio's published algorithm, written out independently of the SDK:
    base64(HMAC-SHA1(auth token, URL + each POST parameter's name and value, sorted by name))."""
    payload = url + "".join(key + params[key] for key in sorted(params))
    digest = hmac.new(token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


# -- an app whose delivery talks to the fake ---------------------------------------------------

PUBLIC_BASE_URL = "https://clinic.example.org"
CLINIC_CONTACT = "+44 20 7946 0123"


def twilio_config(fake: FakeTwilio, **overrides: Any) -> dict[str, Any]:
    """App settings that point the real Twilio SDK at the fake; keyword arguments override."""
    return {
        "TWILIO_ACCOUNT_SID": fake.account_sid,
        "TWILIO_AUTH_TOKEN": fake.auth_token,
        "TWILIO_FROM_NUMBER": SENDER_NUMBER,
        "TWILIO_API_BASE_URL": fake.url,
        "TWILIO_TIMEOUT_SECONDS": 1,
        "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
        "CLINIC_CONTACT": CLINIC_CONTACT,
        "SMS_SENDER_NAME": "Northside",
        **overrides,
    }


@pytest.fixture
def app_config(fake_twilio: FakeTwilio) -> dict[str, Any]:
    return twilio_config(fake_twilio)


def reconfigure(app: Flask, **config: Any) -> None:
    """Change delivery settings of a running test app (they are read once, at start-up)."""
    app.config.update(config)
    settings.init_app(app)


@pytest.fixture
def post(client: FlaskClient, fake_twilio: FakeTwilio) -> Callable[..., TestResponse]:
    """POST a form to a webhook, signed as Twilio signs it (or with the signature given)."""

    def send(path: str, params: dict[str, str], *, signature: str | None = "sign", url: str | None = None):
        if signature == "sign":
            signature = twilio_signature(fake_twilio.auth_token, url or PUBLIC_BASE_URL + path, params)
        headers = {"X-Twilio-Signature": signature} if signature is not None else {}
        return client.post(path, data=params, headers=headers)

    return send


def sms_from(number: str, body: str, **extra: str) -> dict[str, str]:
    """An incoming SMS as Twilio posts it; each gets its own MessageSid, as at Twilio."""
    return {
        "MessageSid": "SM" + uuid.uuid4().hex,
        "AccountSid": "AC" + "0123456789abcdef" * 2,
        "From": number,
        "To": SENDER_NUMBER,
        "Body": body,
        **extra,
    }


def replies(response: TestResponse) -> list[str | None]:
    """The texts of the TwiML answer to an incoming SMS."""
    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    root = ET.fromstring(response.get_data(as_text=True))
    assert root.tag == "Response"
    return [m.text for m in root.findall("Message")]


def settle(row: OutboxMessage, **values: Any) -> None:
    """Set columns of an outbox row, committed (as a dispatcher would have left it)."""
    db.session.execute(update(OutboxMessage).where(OutboxMessage.id == row.id).values(**values))
    db.session.commit()


def callback(row_id: int | None, status: str, sid: str = "SM" + "1" * 32, **extra: str) -> tuple[str, dict[str, str]]:
    """A status callback's path and form: per-row URL when `row_id` is given, else the shared one."""
    path = f"/sms/status/{row_id}" if row_id else "/sms/status"
    return path, {"MessageSid": sid, "MessageStatus": status, "AccountSid": "AC" + "0" * 32, **extra}


def mobile(n: int) -> str:
    """A valid UK mobile number per index (phonenumbers accepts the whole +447400 block)."""
    return f"+447400{n:06d}"


@pytest.fixture
def make_sms_patient(make_patient: Callable[..., Patient]) -> Callable[..., Patient]:
    """A patient who agreed to SMS and has a number; keyword arguments override."""
    counter = iter(range(1, 100_000))

    def make(**kwargs: Any) -> Patient:
        kwargs.setdefault("phone", mobile(next(counter)))
        kwargs.setdefault("sms_consent", True)
        return make_patient(**kwargs)

    return make


@pytest.fixture
def sms_session(make_sms_patient: Callable[..., Patient], make_session: Callable[..., Any]) -> Callable[..., Any]:
    """Record an attended session for an SMS patient; returns (session, its outbox row or None)."""

    def make(patient: Patient | None = None, **kwargs: Any) -> tuple[Any, OutboxMessage | None]:
        recorded = make_session(patient or make_sms_patient(), **kwargs)
        row = db.session.scalar(
            select(OutboxMessage)
            .join(Invitation, Invitation.id == OutboxMessage.invitation_id)
            .where(Invitation.session_id == recorded.session.id, OutboxMessage.kind == "invitation")
        )
        return recorded, row

    return make


def rows(**where: Any) -> list[OutboxMessage]:
    """Outbox rows as the database has them now."""
    db.session.expire_all()
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    for column, value in where.items():
        query = query.where(getattr(OutboxMessage, column) == value)
    return list(db.session.scalars(query))


def link_of(invitation: Invitation) -> str:
    return invitation_link(invitation)


LONDON = ZoneInfo("Europe/London")  # the test clinics' zone


def local(*args: int) -> datetime:
    """A moment given in London wall-clock time."""
    return datetime(*args, tzinfo=LONDON)


@pytest.fixture
def clock() -> Iterator[Callable[[datetime], None]]:
    """`clock(moment)` stops the clock at `moment`; call again to move it."""
    travellers: list[Any] = []

    def at(when: datetime) -> None:
        if travellers:
            travellers.pop().stop()
        traveller = time_machine.travel(when, tick=False)
        traveller.start()
        travellers.append(traveller)

    yield at
    for traveller in travellers:
        traveller.stop()


def patient_invitation(recorded: Any) -> Invitation:
    """The patient's invitation of a recorded session."""
    return recorded.links["patient"].invitation


def english(planned: Planned | None) -> Planned | None:
    """A plan with its reasons said in English (the screens say them in their reader's language)."""
    return planned and Planned(planned.when, planned.because and speak(planned.because, ENGLISH))



def mark_sent(row: OutboxMessage, when: datetime) -> None:
    row.status, row.sent_at = "sent", when
    db.session.commit()


# -- the dispatcher's tests (test_dispatcher.py, test_dispatcher_races.py, email/) ------------------

SESSION_START = local(2026, 1, 14, 14, 0)  # ends 14:50, its SMS is due 15:20
DUE = local(2026, 1, 14, 15, 20)


@pytest.fixture
def dispatcher(app) -> Dispatcher:
    found = delivery()
    return Dispatcher(found.sender, found.cipher)


@pytest.fixture
def planned(clock, sms_session):
    """An SMS patient's invitation, planned and now due; returns (recorded session, row)."""
    clock(local(2026, 1, 14, 15, 0))
    recorded, row = sms_session(starts_at=SESSION_START)
    clock(DUE)
    return recorded, row


def posts(fake) -> list:
    return [r for r in fake.requests if r.method == "POST"]


def number_of(patient: Patient) -> str:
    return delivery().cipher.decrypt(patient.phone_encrypted)
