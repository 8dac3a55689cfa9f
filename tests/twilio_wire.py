"""The fake Twilio API's wire format (`tests/fake_twilio.py`): JSON answers, the checks Twilio makes
of a new message's fields, the list filters of GET Messages.json, basic auth and RFC 2822 dates."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import date, datetime
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.twilio_behaviours import Fail


def reply(
    handler: BaseHTTPRequestHandler,
    status: int,
    payload: dict[str, Any],
    headers: dict[str, str] | None = None,
) -> None:
    body = json.dumps(payload).encode("utf-8")
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json; charset=utf-8")
    handler.send_header("Content-Length", str(len(body)))
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.write(body)


def missing_field(form: dict[str, str]) -> Fail | None:
    if not form.get("To"):
        return Fail(400, 21604, "A 'To' phone number is required.")
    if not (form.get("From") or form.get("MessagingServiceSid")):
        return Fail(400, 21603, "A 'From' phone number is required.")
    if not form.get("Body"):
        return Fail(400, 21602, "Message body is required.")
    return None


def wanted(message: dict[str, Any], query: dict[str, str]) -> bool:
    if "To" in query and message["to"] != query["To"]:
        return False
    if "From" in query and message["from"] != query["From"]:
        return False
    bounds = {key: query[key] for key in ("DateSent", "DateSent>", "DateSent<") if key in query}
    if not bounds:
        return True
    if message["date_sent"] is None:
        return False  # a queued message has not been sent on any date yet
    sent = parsedate_to_datetime(message["date_sent"])
    for key, raw in bounds.items():
        value, whole_day = _when(raw)
        here = sent.date() if whole_day else sent
        if key == "DateSent" and here != value:
            return False
        if key == "DateSent>" and here < value:
            return False
        if key == "DateSent<" and here > value:
            return False
    return True


def _when(raw: str) -> tuple[Any, bool]:
    """A DateSent filter value: a whole GMT day (YYYY-MM-DD) or a timestamp."""
    if len(raw) == 10:
        return date.fromisoformat(raw), True
    return datetime.fromisoformat(raw.replace("Z", "+00:00")), False


def basic_auth(header: str | None) -> tuple[str | None, str | None]:
    if not header or not header.startswith("Basic "):
        return None, None
    try:
        user, _, password = base64.b64decode(header[6:]).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None, None
    return user, password


def flat(parsed: dict[str, list[str]]) -> dict[str, str]:
    return {key: values[-1] for key, values in parsed.items()}


def rfc2822(when: datetime) -> str:
    return format_datetime(when.replace(microsecond=0))
