"""What the fake Twilio API (`tests/fake_twilio.py`) records of a request and what it can be told
to do with the next ones: answer, fail with one of Twilio's error codes, hang, or drop the
connection."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    query: dict[str, str]
    auth_user: str | None
    form: dict[str, str]
    at: datetime


@dataclass(frozen=True)
class Answer:
    """Answer as Twilio would: 201 with the new message, 200 with a page of messages."""


@dataclass(frozen=True)
class Fail:
    """Answer with Twilio's JSON error shape."""

    status: int
    code: int
    message: str
    retry_after: int | None = None


@dataclass(frozen=True)
class Hang:
    """Take the request (creating the message if `create`), then answer only after `seconds`."""

    seconds: float = 60.0
    create: bool = True


@dataclass(frozen=True)
class Drop:
    """Read the request (creating the message if `create`), then close without answering."""

    create: bool = True


Behaviour = Answer | Fail | Hang | Drop
Strategy = Callable[[RecordedRequest], Behaviour]

INVALID_NUMBER = Fail(400, 21211, "The 'To' number is not a valid phone number.")
OPTED_OUT = Fail(400, 21610, "Attempt to send to unsubscribed recipient")
NOT_MOBILE = Fail(400, 21614, "'To' number is not a valid mobile number")
RATE_LIMITED = Fail(429, 20429, "Too Many Requests", retry_after=7)
SERVER_ERROR = Fail(500, 20500, "Internal Server Error")
