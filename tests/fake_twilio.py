"""A small fake of Twilio's Messages REST API, served on 127.0.0.1 for tests.

It speaks the real wire format, so the real SDK (and any other local process, over plain HTTP
at `.url`) can talk to it: `POST/GET /2010-04-01/Accounts/{sid}/Messages.json`, HTTP basic auth,
form-encoded bodies, Twilio's JSON for messages, pages and errors. Every request is recorded
(thread-safely) before it is answered, and what the next answers do can be programmed:

    with FakeTwilio() as fake:
        fake.queue(OPTED_OUT, Hang(seconds=5))   # next request: 400/21610, then one that hangs
        ...
        fake.requests[0].form["To"]

After the queue runs out, an optional `strategy(request) -> behaviour` decides, then a normal
answer. Created messages start "queued" (or "accepted" through a Messaging Service) with no
date_sent, as on Twilio; `set_status` moves them on.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import re
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

DEFAULT_ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
DEFAULT_AUTH_TOKEN = "fake-auth-token-0123456789abcdef"
API_VERSION = "2010-04-01"
_MESSAGES_PATH = re.compile(r"/2010-04-01/Accounts/([^/]+)/Messages\.json")
_SENT_STATUSES = {"sent", "delivered", "undelivered", "failed", "read"}


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


class FakeTwilio:
    def __init__(
        self,
        account_sid: str = DEFAULT_ACCOUNT_SID,
        auth_token: str = DEFAULT_AUTH_TOKEN,
        strategy: Strategy | None = None,
    ) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.strategy = strategy
        self._lock = threading.Lock()
        self._requests: list[RecordedRequest] = []
        self._messages: list[dict[str, Any]] = []
        self._queue: deque[Behaviour] = deque()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> FakeTwilio:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.fake = self
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # releases any Hang still waiting
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join()

    def __enter__(self) -> FakeTwilio:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server is not None, "start the fake first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def messages_path(self) -> str:
        return f"/{API_VERSION}/Accounts/{self.account_sid}/Messages.json"

    # -- programming and inspection --------------------------------------------------------

    def queue(self, *behaviours: Behaviour) -> None:
        """Behaviours for the next API requests, one each, in order."""
        with self._lock:
            self._queue.extend(behaviours)

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    @property
    def messages(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(m) for m in self._messages]

    def set_status(self, sid: str, status: str) -> None:
        now = _rfc2822(datetime.now(UTC))
        with self._lock:
            message = next(m for m in self._messages if m["sid"] == sid)
            message["status"] = status
            message["date_updated"] = now
            if status in _SENT_STATUSES and message["date_sent"] is None:
                message["date_sent"] = now

    # -- request handling (called on the server's threads) ---------------------------------

    def handle(self, handler: _Handler, method: str) -> None:
        parts = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        form = _flat(parse_qs(handler.rfile.read(length).decode("utf-8"), keep_blank_values=True))
        user, password = _basic_auth(handler.headers.get("Authorization"))
        record = RecordedRequest(method, parts.path, _flat(parse_qs(parts.query)), user, form, datetime.now(UTC))
        with self._lock:
            self._requests.append(record)

        if (user, password) != (self.account_sid, self.auth_token):
            challenge = {"WWW-Authenticate": 'Basic realm="Twilio API"'}
            self._error(handler, Fail(401, 20003, "Authenticate"), challenge)
            return
        match = _MESSAGES_PATH.fullmatch(parts.path)
        if not match or match.group(1) != self.account_sid:
            self._error(handler, Fail(404, 20404, f"The requested resource {parts.path} was not found"))
            return
        behaviour = self._next_behaviour(record)

        if isinstance(behaviour, Fail):
            self._error(handler, behaviour)
        elif isinstance(behaviour, Drop):
            if behaviour.create and method == "POST":
                self._create(form)
            handler.close_connection = True
        elif isinstance(behaviour, Hang):
            created = self._create(form) if behaviour.create and method == "POST" else None
            self._stopping.wait(behaviour.seconds)
            handler.close_connection = True
            with contextlib.suppress(OSError):  # the client gave up long ago
                self._answer(handler, method, form, record.query, created)
        else:
            self._answer(handler, method, form, record.query, None)

    def _next_behaviour(self, record: RecordedRequest) -> Behaviour:
        with self._lock:
            if self._queue:
                return self._queue.popleft()
        return self.strategy(record) if self.strategy else Answer()

    def _answer(
        self,
        handler: _Handler,
        method: str,
        form: dict[str, str],
        query: dict[str, str],
        created: dict[str, Any] | None,
    ) -> None:
        if method == "GET":
            _reply(handler, 200, self._page(query))
            return
        problem = _missing_field(form)
        if problem:
            self._error(handler, problem)
            return
        _reply(handler, 201, created or self._create(form))

    def _create(self, form: dict[str, str]) -> dict[str, Any]:
        now = _rfc2822(datetime.now(UTC))
        via_service = "MessagingServiceSid" in form and "From" not in form
        with self._lock:
            sid = f"SM{len(self._messages) + 1:032x}"
            uri = f"/{API_VERSION}/Accounts/{self.account_sid}/Messages/{sid}"
            message = {
                "account_sid": self.account_sid,
                "api_version": API_VERSION,
                "body": form.get("Body", ""),
                "date_created": now,
                "date_sent": None,
                "date_updated": now,
                "direction": "outbound-api",
                "error_code": None,
                "error_message": None,
                "from": form.get("From"),
                "messaging_service_sid": form.get("MessagingServiceSid"),
                "num_media": "0",
                "num_segments": "1",
                "price": None,
                "price_unit": "USD",
                "sid": sid,
                "status": "accepted" if via_service else "queued",
                "subresource_uris": {"media": f"{uri}/Media.json"},
                "to": form.get("To"),
                "uri": f"{uri}.json",
            }
            self._messages.append(message)
            return dict(message)

    def _page(self, query: dict[str, str]) -> dict[str, Any]:
        size, number = int(query.get("PageSize", 50)), int(query.get("Page", 0))
        with self._lock:
            found = [dict(m) for m in reversed(self._messages) if _wanted(m, query)]
        start = number * size
        chunk = found[start : start + size]
        filters = {k: v for k, v in query.items() if k not in ("Page", "PageSize", "PageToken")}

        def page_uri(n: int) -> str:
            return f"{self.messages_path}?{urlencode({**filters, 'PageSize': size, 'Page': n})}"

        return {
            "end": start + max(len(chunk), 1) - 1,
            "first_page_uri": page_uri(0),
            "messages": chunk,
            "next_page_uri": page_uri(number + 1) if start + size < len(found) else None,
            "page": number,
            "page_size": size,
            "previous_page_uri": page_uri(number - 1) if number > 0 else None,
            "start": start,
            "uri": page_uri(number),
        }

    def _error(self, handler: _Handler, fail: Fail, headers: dict[str, str] | None = None) -> None:
        payload = {
            "code": fail.code,
            "message": fail.message,
            "more_info": f"{self.url}/docs/errors/{fail.code}",
            "status": fail.status,
        }
        extra = dict(headers or {})
        if fail.retry_after is not None:
            extra["Retry-After"] = str(fail.retry_after)
        _reply(handler, fail.status, payload, extra)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 512  # bursts from several processes must queue, not be refused
    fake: FakeTwilio


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the SDK's pooled session expects
    # Headers and body go out in two writes; without TCP_NODELAY, Nagle's algorithm and the
    # client's delayed ACK stall every answer on a kept-alive connection by ~40 ms.
    disable_nagle_algorithm = True
    timeout = 10  # idle keep-alive connections end instead of holding a thread forever
    server: _Server

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self.server.fake.handle(self, "GET")

    def do_POST(self) -> None:  # noqa: N802
        self.server.fake.handle(self, "POST")

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass  # keep test output quiet


def _reply(
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


def _missing_field(form: dict[str, str]) -> Fail | None:
    if not form.get("To"):
        return Fail(400, 21604, "A 'To' phone number is required.")
    if not (form.get("From") or form.get("MessagingServiceSid")):
        return Fail(400, 21603, "A 'From' phone number is required.")
    if not form.get("Body"):
        return Fail(400, 21602, "Message body is required.")
    return None


def _wanted(message: dict[str, Any], query: dict[str, str]) -> bool:
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


def _basic_auth(header: str | None) -> tuple[str | None, str | None]:
    if not header or not header.startswith("Basic "):
        return None, None
    try:
        user, _, password = base64.b64decode(header[6:]).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None, None
    return user, password


def _flat(parsed: dict[str, list[str]]) -> dict[str, str]:
    return {key: values[-1] for key, values in parsed.items()}


def _rfc2822(when: datetime) -> str:
    return format_datetime(when.replace(microsecond=0))
