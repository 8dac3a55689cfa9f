"""The production layout's processes for the smoke test (docs/production.md): the environment file
a deployment holds, the `flask` command line, and a tiny browser that sends what the reverse proxy
in front of gunicorn would add."""

from __future__ import annotations

import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from http.cookies import SimpleCookie
from urllib.parse import urlencode

from cryptography.fernet import Fernet

from tests.conftest import ROOT, csrf_token_from
from tests.fake_twilio import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN

PUBLIC_HOST = "clinic.example.org"
PROXY_HEADERS = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": PUBLIC_HOST, "X-Forwarded-For": "203.0.113.7"}
WAIT = 60  # seconds, for anything a process must do


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_env(database_url: str, twilio_url: str) -> dict[str, str]:
    """What the deployment's environment file holds (docs/production.md), nothing more."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "DELIVERY_", "SMS_"))}
    env.update(
        APP_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(32),
        PHONE_ENCRYPTION_KEY=Fernet.generate_key().decode(),
        DATABASE_URL=database_url,
        PUBLIC_BASE_URL=f"https://{PUBLIC_HOST}",
        TRUSTED_PROXY_COUNT="1",
        TWILIO_ACCOUNT_SID=DEFAULT_ACCOUNT_SID,
        TWILIO_AUTH_TOKEN=DEFAULT_AUTH_TOKEN,
        TWILIO_FROM_NUMBER="+15005550006",
        TWILIO_API_BASE_URL=twilio_url,
        CLINIC_CONTACT="+44 20 7946 0123",
        # Any hour of the day in CI: no quiet hours. Short job intervals so the test is quick.
        DELIVERY_POLICY_JSON=json.dumps({"quiet_start": "00:00", "quiet_end": "00:00"}),
        DELIVERY_DISPATCH_SECONDS="1",
        DELIVERY_PLAN_SECONDS="1",
        PYTHONPATH=str(ROOT),
    )
    return env


def flask(env: dict[str, str], *args: str, extra: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", *args],
        cwd=ROOT,
        env={**env, **(extra or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, f"flask {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def wait_for(condition: Callable[[], object], what: str, timeout: float = WAIT) -> object:
    deadline = time.monotonic() + timeout
    while True:
        found = condition()
        if found:
            return found
        assert time.monotonic() < deadline, f"timed out after {timeout} s waiting for {what}"
        time.sleep(0.2)


class Http:
    """A tiny browser: keeps the cookie, never follows redirects, sends the proxy's headers."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.cookies: dict[str, str] = {}
        self.set_cookie_headers: list[str] = []

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args: object, **kwargs: object) -> None:
                return None

        self.opener = urllib.request.build_opener(NoRedirect)

    def request(
        self, path: str, data: dict[str, str] | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, str, dict[str, str]]:
        all_headers = {**PROXY_HEADERS, **(headers or {})}
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body, headers=all_headers)
        try:
            with self.opener.open(request, timeout=30) as answer:
                status, payload, received = answer.status, answer.read(), answer.headers
        except urllib.error.HTTPError as error:
            status, payload, received = error.code, error.read(), error.headers
        for header in received.get_all("Set-Cookie") or []:
            self.set_cookie_headers.append(header)
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return status, payload.decode("utf-8", "replace"), dict(received)

    def submit(self, page: str, data: dict[str, str], action: str | None = None) -> tuple[int, str, dict[str, str]]:
        """GET a page, then POST `data` to `action` (default: the page) as its form would be sent."""
        status, html, headers = self.request(page)
        assert status == 200, f"{page}: {status}"
        referer = referer_for(html, headers.get("Referrer-Policy", ""), f"https://{PUBLIC_HOST}{page}")
        return self.request(action or page, {**data, "csrf_token": csrf_token_from(html)}, referer)


def referer_for(page: str, header: str, page_url: str) -> dict[str, str]:
    """The Referer a browser sends with a same-origin form POST from this page: its referrer
    policy is the header's, unless a <meta name="referrer"> in the page replaces it."""
    meta = re.search(r'<meta name="referrer" content="([^"]*)"', page)
    policy = (meta.group(1) if meta else header).split(",")[-1].strip().lower()
    if policy in ("", "no-referrer"):
        return {}
    if policy in ("origin", "strict-origin"):
        return {"Referer": f"https://{PUBLIC_HOST}/"}
    return {"Referer": page_url}  # same-origin, *-when-cross-origin, unsafe-url: the page's URL


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
