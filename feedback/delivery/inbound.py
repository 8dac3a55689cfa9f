"""Pure logic behind Twilio's webhooks: replies (STOP/START/HELP), status callbacks, signatures.

The Flask routes only parse the request and call these; nothing here needs an app.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

Keyword = Literal["stop", "start", "help"]

# Twilio's default keywords on long codes and toll-free numbers (Advanced Opt-Out can add more;
# it then names the type in the OptOutType parameter).
STOP_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"})
START_WORDS = frozenset({"START", "YES", "UNSTOP"})
HELP_WORDS = frozenset({"HELP", "INFO"})
_VERDICTS: dict[str, Keyword] = {"STOP": "stop", "START": "start", "HELP": "help"}


def classify_keyword(body: str | None, opt_out_type: str | None = None) -> Keyword | None:
    """Which keyword a reply is, if any.

    Like Twilio, only a reply that is exactly one keyword counts ("stop please" is a message,
    not an opt-out), in any case, with surrounding whitespace. One deliberate difference: a
    stop word with trailing "." or "!" also counts as stop; we would rather stop writing to
    someone who asked than keep going because of punctuation. `opt_out_type` is Twilio's own
    verdict (the OptOutType parameter) and wins when present.
    """
    verdict = _VERDICTS.get((opt_out_type or "").strip().upper())
    if verdict:
        return verdict
    word = (body or "").strip().upper()
    if word.rstrip(".!") in STOP_WORDS:
        return "stop"
    if word in START_WORDS:
        return "start"
    if word in HELP_WORDS:
        return "help"
    return None


def twiml_message(text: str | None) -> str:
    """TwiML answering an incoming SMS with `text`, or with nothing when `text` is None."""
    response = MessagingResponse()
    if text:
        response.message(text)
    return str(response)


def is_valid_signature(auth_token: str, url: str, params: Mapping[str, Any], signature: str | None) -> bool:
    """Whether X-Twilio-Signature proves the request came from Twilio.

    `url` must be the URL Twilio requested (see `public_url`), `params` the POSTed form.
    """
    if not auth_token or not signature:
        return False
    return RequestValidator(auth_token).validate(url, params, signature)


def public_url(configured_base: str | None, request_url: str) -> str:
    """The URL Twilio signed, for a request the app received as `request_url`.

    Twilio signs the exact public URL it called, e.g. https://clinic.example.org/sms/status?x=1.
    Behind a TLS-terminating proxy the app sees http://127.0.0.1:8000/sms/status?x=1 instead,
    and every signature would fail. So the scheme and host come from the configured public base
    URL (never from X-Forwarded-* headers, which a caller could set), while path and query come
    from the request. A path prefix in the base (an app mounted under /feedback) is added when
    the proxy stripped it from the request path.
    """
    if not configured_base:
        return request_url
    base, request = urlsplit(configured_base), urlsplit(request_url)
    prefix = base.path.rstrip("/")
    path = request.path
    if prefix and path != prefix and not path.startswith(prefix + "/"):
        path = prefix + path
    return urlunsplit((base.scheme, base.netloc, path, request.query, ""))


@dataclass(frozen=True)
class CallbackStatus:
    outbox_status: str  # "sent", "delivered", "undelivered" or "failed"
    final: bool  # no later callback can change it


# Twilio's MessageStatus values for outgoing messages, in Twilio's order: accepted, scheduled,
# queued < sending < sent < delivered, undelivered, failed, read, canceled. "sent" is not final:
# the carrier's delivery receipt ("delivered"/"undelivered") usually follows.
STATUS_MAP: dict[str, CallbackStatus] = {
    "accepted": CallbackStatus("sent", False),
    "scheduled": CallbackStatus("sent", False),
    "queued": CallbackStatus("sent", False),
    "sending": CallbackStatus("sent", False),
    "sent": CallbackStatus("sent", False),
    "partially_delivered": CallbackStatus("delivered", False),
    "delivered": CallbackStatus("delivered", True),
    "read": CallbackStatus("delivered", True),
    "undelivered": CallbackStatus("undelivered", True),  # the carrier refused: the number may be wrong
    "failed": CallbackStatus("failed", True),
    "canceled": CallbackStatus("failed", True),
}
# Twilio's order as the outbox keeps it (everything before delivery is "sent"): a callback only
# ever moves a row forward. `sending` and `uncertain` rows have heard nothing from Twilio yet;
# rows never handed to Twilio (pending, claimed, cancelled) are not in it and never move.
_PROGRESS = {"sending": 0, "uncertain": 0, "sent": 1, "delivered": 2, "undelivered": 2, "failed": 2}


def status_after_callback(current: str, callback_status: str) -> str | None:
    """The outbox status after a status callback, or None if the row should not change.

    Twilio does not promise callbacks arrive in order, so a late "sent" must not undo
    "delivered", and the first final status wins. A callback for an `uncertain` row settles it:
    Twilio has the message.
    """
    mapped = STATUS_MAP.get(callback_status.strip().lower())
    progress = _PROGRESS.get(current)
    if mapped is None or progress is None or _PROGRESS[mapped.outbox_status] <= progress:
        return None
    return mapped.outbox_status
