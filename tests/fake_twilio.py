"""A small fake of Twilio's Messages REST API, served on 127.0.0.1 for tests.

It speaks the real wire format, so the real SDK (and any other local process, over plain HTTP
at `.url`) can talk to it: `POST/GET /2010-04-01/Accounts/{sid}/Messages.json`, HTTP basic auth,
form-encoded bodies, Twilio's JSON for messages, pages and errors. Every request is recorded
(thread-safely) before it is answered, and what the next answers do can be programmed:

    with FakeTwilio() as fake:
        fake.queue(OPTED_OUT, Hang(seconds=5))   # next request: 400/21610, then one that hangs
        ...
        fake.requests[0].form["To"]

The behaviours and the named failures (`OPTED_OUT`, ...) are in `tests/twilio_behaviours.py`, the
wire format's details in `tests/twilio_wire.py`. After the queue runs out, an optional
`strategy(request) -> behaviour` decides, then a normal answer. Created messages start "queued" (or "accepted" through a Messaging Service) with no
date_sent, as on Twilio; `set_status` moves them on.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections import deque
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from tests.twilio_behaviours import Answer, Behaviour, Drop, Fail, Hang, RecordedRequest, Strategy
from tests.twilio_wire import basic_auth, flat, missing_field, reply, rfc2822, wanted

DEFAULT_ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
DEFAULT_AUTH_TOKEN = "fake-auth-token-0123456789abcdef"
API_VERSION = "2010-04-01"
_MESSAGES_PATH = re.compile(r"/2010-04-01/Accounts/([^/]+)/Messages\.json")
_SENT_STATUSES = {"sent", "delivered", "undelivered", "failed", "read"}


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
        now = rfc2822(datetime.now(UTC))
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
        form = flat(parse_qs(handler.rfile.read(length).decode("utf-8"), keep_blank_values=True))
        user, password = basic_auth(handler.headers.get("Authorization"))
        record = RecordedRequest(method, parts.path, flat(parse_qs(parts.query)), user, form, datetime.now(UTC))
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
            reply(handler, 200, self._page(query))
            return
        problem = missing_field(form)
        if problem:
            self._error(handler, problem)
            return
        reply(handler, 201, created or self._create(form))

    def _create(self, form: dict[str, str]) -> dict[str, Any]:
        now = rfc2822(datetime.now(UTC))
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
            found = [dict(m) for m in reversed(self._messages) if wanted(m, query)]
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
        reply(handler, fail.status, payload, extra)


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
