"""Fixtures for delivery tests: a running fake Twilio API and senders aimed at it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from feedback.delivery.senders import TwilioSender
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
