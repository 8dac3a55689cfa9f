"""Who actually sends an SMS: the console (laptop default) or Twilio, behind one small interface.

A send ends in one of four ways, and the dispatcher treats each differently:
a `SendResult` (the provider took the message), `TransientSendError` (nothing was sent: retry),
`PermanentSendError` (the provider refused this recipient or message: never retry) and
`UncertainSendError` (the request may have reached the provider: resolve with `find_sent`,
never re-send blindly, or the patient gets the message twice).

Reasons carried by the errors are short and never contain the phone number, because they end up
in the outbox table and in logs.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit

import requests
from twilio.base.exceptions import TwilioException, TwilioRestException, TwilioServiceException
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client
from urllib3.exceptions import ConnectTimeoutError, MaxRetryError
from urllib3.exceptions import SSLError as TLSHandshakeError

from feedback.delivery.schedule import as_utc

log = logging.getLogger(__name__)

OPTED_OUT = 21610  # the recipient replied STOP to this sender
BAD_CREDENTIALS = 20003  # the account SID or auth token is wrong: every send fails alike

# Twilio error codes that say "this recipient cannot get this message", in words fit for a
# clinician's screen. https://www.twilio.com/docs/api/errors/<code>
REJECTION_REASONS: dict[int, str] = {
    21211: "invalid phone number",
    21408: "sending to this country is not enabled",
    21610: "recipient opted out (replied STOP)",
    21612: "number cannot receive SMS from this sender",
    21614: "not a mobile number",
    20003: "Twilio rejected the account credentials",
}

# Enough to cover any recipient's recent messages: the caps allow a few a week.
FIND_LIMIT = 50


@dataclass(frozen=True)
class SendResult:
    provider_id: str | None
    status: str  # the provider's word for it, in Twilio's vocabulary (see inbound.STATUS_MAP)


@dataclass(frozen=True)
class SentMessage:
    provider_id: str
    body: str
    status: str
    date_sent: datetime | None  # None while the provider still has it queued


class SendError(Exception):
    """A send that did not end in a `SendResult`; `reason` is short and human."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class TransientSendError(SendError):
    """Nothing was sent (no connection, provider overloaded or failing): safe to retry."""

    def __init__(self, reason: str, code: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.code = code
        self.retry_after = retry_after  # seconds the provider asked us to wait, if it said


class PermanentSendError(SendError):
    """The provider refused this message for good (bad number, opted out, landline…)."""

    def __init__(self, code: int | None, reason: str) -> None:
        super().__init__(reason)
        self.code = code


class UncertainSendError(SendError):
    """The request may or may not have reached the provider; do not re-send blindly."""

    provider_id: str | None = None  # its id there, if chosen before the send (an e-mail's Message-ID)


class Sender(Protocol):
    def send(self, to: str, body: str, *, label: str, status_callback: str | None = None) -> SendResult: ...

    def find_sent(self, to: str, since: datetime) -> list[SentMessage]: ...


@dataclass(frozen=True)
class ConsoleMessage:
    to: str
    body: str
    label: str
    status_callback: str | None
    provider_id: str
    sent_at: datetime


class ConsoleSender:
    """Sends nothing: logs each message, keeps it in `sent` and, with `echo`, prints it for the developer."""

    def __init__(self, *, echo: bool = False) -> None:
        self.sent: list[ConsoleMessage] = []
        self._lock = threading.Lock()
        self._echo = echo

    def send(self, to: str, body: str, *, label: str, status_callback: str | None = None) -> SendResult:
        with self._lock:
            sent = ConsoleMessage(to, body, label, status_callback, f"console-{len(self.sent) + 1}", as_utc(None))
            self.sent.append(sent)
        # The label (a patient code), never the number: logs travel further than the database.
        log.info("SMS for %s: %s", label, body)
        if self._echo:  # stdout, not the log: a debug server's root logger drops INFO; numbers stay out
            print(f"SMS to {to} at {sent.sent_at:%Y-%m-%d %H:%M:%S} UTC ({label}, not sent): {body}", flush=True)
        return SendResult(sent.provider_id, "sent")

    def find_sent(self, to: str, since: datetime) -> list[SentMessage]:
        since = as_utc(since)
        with self._lock:
            return [
                SentMessage(m.provider_id, m.body, "sent", m.sent_at)
                for m in self.sent
                if m.to == to and m.sent_at >= since
            ]


class TwilioSender:
    """Sends through Twilio's Messages API with the official SDK."""

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        from_number: str | None = None,
        messaging_service_sid: str | None = None,
        status_callback: str | None = None,
        api_base_url: str | None = None,
        timeout: float = 10,
    ) -> None:
        if not (from_number or messaging_service_sid):
            raise ValueError("TwilioSender needs from_number or messaging_service_sid")
        self.timeout = timeout  # seconds for one API request
        self._http = RebasingHttpClient(timeout=timeout, api_base_url=api_base_url)
        self._client = Client(account_sid, auth_token, http_client=self._http)
        self._from_number = from_number
        self._messaging_service_sid = messaging_service_sid
        self._status_callback = status_callback

    def send(self, to: str, body: str, *, label: str, status_callback: str | None = None) -> SendResult:
        try:
            message = self._client.messages.create(
                to=to,
                body=body,
                from_=self._from_number,  # the SDK drops whichever of these two is None
                messaging_service_sid=self._messaging_service_sid,
                status_callback=status_callback or self._status_callback,
            )
        except (TwilioRestException, TwilioServiceException) as exc:
            raise rest_error(exc.status, exc.code, self._http.last_retry_after()) from exc
        except requests.RequestException as exc:
            raise transport_error(exc) from exc
        log.info("SMS for %s accepted by Twilio as %s (%s)", label, message.sid, message.status)
        return SendResult(message.sid, message.status)

    def find_sent(self, to: str, since: datetime) -> list[SentMessage]:
        """Messages to `to` created at or after `since`, newest first.

        Filters by creation time on our side rather than with Twilio's DateSent filter: that
        filter works on whole days and skips messages still queued (no date_sent yet), which
        are exactly the ones an uncertain send may have left behind. Twilio's timestamps have
        whole seconds, so `since` is truncated to the second. Match on the body (it holds the
        unique link) to tell which message is yours.
        """
        since = as_utc(since).replace(microsecond=0)
        try:
            messages = self._client.messages.list(to=to, limit=FIND_LIMIT)
        except (TwilioException, requests.RequestException) as exc:
            raise TransientSendError(f"could not list messages ({type(exc).__name__})") from exc
        return [
            SentMessage(m.sid, m.body, m.status, m.date_sent)
            for m in messages
            if m.date_created is None or m.date_created >= since  # undated: let the body decide
        ]


def rest_error(status: int, code: int | None, retry_after: float | None = None) -> SendError:
    """Classify an HTTP error answer from Twilio."""
    if status == 429:
        return TransientSendError("rate limited by Twilio", code, retry_after)
    if status == 504:
        # A gateway gave up waiting for Twilio, which may still have created the message.
        return UncertainSendError("gateway timeout in front of Twilio")
    if status >= 500 or status == 408:
        return TransientSendError(f"Twilio answered HTTP {status}", code, retry_after)
    # Twilio's own message often quotes the number, so only our words go into the reason.
    reason = REJECTION_REASONS.get(code or 0, f"rejected by Twilio (error {code}, HTTP {status})")
    return PermanentSendError(code, reason)


def transport_error(exc: requests.RequestException) -> SendError:
    """Classify a failure to get any answer from Twilio."""
    kind = type(exc).__name__
    if nothing_was_sent(exc):
        return TransientSendError(f"could not connect to Twilio ({kind})")
    return UncertainSendError(f"no complete answer from Twilio ({kind})")


def nothing_was_sent(exc: requests.RequestException) -> bool:
    # urllib3 files refused, unresolvable and timed-out connections under ConnectTimeoutError
    # ("errors when we're fairly sure that the server did not receive the request"); a failed
    # TLS handshake also happens before the request is written. Anything else (read timeout,
    # connection dropped mid-response) may come after Twilio got the request.
    if isinstance(exc, requests.ConnectTimeout):
        return True
    cause = exc.args[0] if exc.args else None
    return isinstance(cause, MaxRetryError) and isinstance(cause.reason, (ConnectTimeoutError, TLSHandshakeError))


class RebasingHttpClient(TwilioHttpClient):
    """The SDK's own HTTP client, optionally aimed at another API base URL (a fake in tests).

    Scheme and host are swapped (and a base path prefixed); path, query, auth and form fields
    keep Twilio's real shape. Paging URLs the SDK builds from api.twilio.com are rebased too.
    """

    def __init__(self, timeout: float, api_base_url: str | None = None) -> None:
        super().__init__(timeout=timeout)
        self._base = urlsplit(api_base_url) if api_base_url else None
        if self._base and (self._base.scheme not in ("http", "https") or not self._base.netloc):
            raise ValueError(f"TWILIO_API_BASE_URL must be an http(s) URL, not {api_base_url!r}")
        self._last = threading.local()

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Response:
        self._last.headers = {}
        response = super().request(method, self.rebase(url), *args, **kwargs)
        self._last.headers = response.headers or {}
        return response

    def rebase(self, url: str) -> str:
        if self._base is None:
            return url
        parts = urlsplit(url)
        path = self._base.path.rstrip("/") + parts.path
        return urlunsplit((self._base.scheme, self._base.netloc, path, parts.query, ""))

    def last_retry_after(self) -> float | None:
        """The Retry-After seconds of this thread's last answer, if it gave a number."""
        value = getattr(self._last, "headers", {}).get("Retry-After")
        try:
            return max(0.0, float(value)) if value is not None else None
        except ValueError:
            return None  # an HTTP date: rare enough to fall back on our own backoff

    def log_request(self, kwargs: dict[str, Any]) -> None:
        # The SDK logs query strings, and list calls carry the recipient's number in theirs.
        self.logger.info("%s %s", kwargs["method"], urlsplit(kwargs["url"]).path)


def sender_from_config(config: Mapping[str, Any]) -> Sender:
    """Twilio when it is fully configured, the console when it is not configured at all.

    Half a Twilio configuration is refused: silently falling back to the console would let a
    production deployment "send" invitations that nobody receives.
    """
    sid = config.get("TWILIO_ACCOUNT_SID")
    token = config.get("TWILIO_AUTH_TOKEN")
    from_number = config.get("TWILIO_FROM_NUMBER")
    service_sid = config.get("TWILIO_MESSAGING_SERVICE_SID")
    if not (sid or token or from_number or service_sid):
        return ConsoleSender(echo=config.get("APP_ENV") != "production")  # where stdout is a log too
    missing = [name for name, value in (("TWILIO_ACCOUNT_SID", sid), ("TWILIO_AUTH_TOKEN", token)) if not value]
    if not (from_number or service_sid):
        missing.append("TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID")
    if missing:
        raise ValueError(f"Twilio is partly configured; also set {', '.join(missing)}")
    return TwilioSender(
        sid,
        token,
        from_number=from_number or None,
        messaging_service_sid=service_sid or None,
        status_callback=config.get("SMS_STATUS_CALLBACK_URL") or None,
        api_base_url=config.get("TWILIO_API_BASE_URL") or None,
        timeout=float(config.get("TWILIO_TIMEOUT_SECONDS") or 10),
    )
