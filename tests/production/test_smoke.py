"""The production layout end to end (docs/production.md), on PostgreSQL.

gunicorn with two workers and `flask --app app worker` run as separate processes with
APP_ENV=production and their secrets from the environment, behind a (pretend) reverse proxy: the
requests carry X-Forwarded-Proto/Host and TRUSTED_PROXY_COUNT=1. The CLI sets up a clinic and an
attended session; the worker texts the link to the fake Twilio API; the test follows the link from
the SMS, answers with an unresolved rupture the way a browser would, and sees the flag appear.
Then every form gets one hostile input (a marker and a NUL, tests/production/hostile_input.py):
none may answer 500. Logs must hold no link token, no phone number and no marker.

Runs in .ci/run's PostgreSQL pass (TEST_DATABASE_URL set); skipped on SQLite-only runs.
"""

from __future__ import annotations

import json
import re
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import create_engine, make_url, text
from twilio.request_validator import RequestValidator

from feedback.config import normalise_database_url
from tests.conftest import POSTGRES_URL, ROOT, _drop_database, create_scratch_database, csrf_token_from
from tests.fake_twilio import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN, FakeTwilio
from tests.production import hostile_input
from tests.production.stack import PUBLIC_HOST, Http, flask, free_port, production_env, referer_for, stop, wait_for

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not POSTGRES_URL, reason="the production smoke test needs PostgreSQL (TEST_DATABASE_URL)"),
]

PHONE = "+44 7911 123456"
PHONE_E164 = "+447911123456"
LINK = re.compile(rf"https://{re.escape(PUBLIC_HOST)}/s/([A-Za-z0-9_-]{{43}})")
CLINIC, THERAPIST, CODE = "Smoke Clinic", "therapist@smoke.example", "SMOKE-1"
ACCOUNTS = {"therapist": THERAPIST, "director": "director@smoke.example", "admin": "admin@smoke.example"}
FLAG_WITHIN = 10  # seconds from the answer to its flag on the therapist's home (issue 21)


@pytest.fixture
def scratch_database() -> Iterator[str]:
    base_url = normalise_database_url(POSTGRES_URL or "")
    url = create_scratch_database(base_url, "smoke")
    yield url
    _drop_database(base_url, make_url(url).database)


@pytest.fixture
def fake_twilio() -> Iterator[FakeTwilio]:
    with FakeTwilio() as fake:
        yield fake


def stored_flags(database_url: str) -> tuple[str | None, bool]:
    """The patient's stored risk level, and whether an unresolved-rupture event is stored."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            level = conn.execute(
                text("SELECT r.level FROM patient_risks r JOIN patients p ON p.id = r.patient_id WHERE p.code = :code"),
                {"code": CODE},
            ).scalar()
            codes = conn.execute(
                text("SELECT e.code FROM risk_events e JOIN patients p ON p.id = e.patient_id WHERE p.code = :code"),
                {"code": CODE},
            ).scalars()
            return level, "unresolved_rupture" in set(codes)
    finally:
        engine.dispose()


def home_shows_flag(therapist: Http) -> bool:
    """Whether the therapist's home lists the patient with the unresolved rupture's flag."""
    status, page, _ = therapist.request("/")
    assert status == 200, status
    rows = [row for row in re.findall(r"<tr\b.*?</tr>", page, re.S) if f'/patients/{CODE}"' in row]
    return any("Unresolved rupture" in re.sub(r"<[^>]+>", " ", row) for row in rows)


def test_production_layout_texts_the_link_takes_the_answer_and_flags_the_rupture(
    scratch_database: str, fake_twilio: FakeTwilio, tmp_path: Path
) -> None:
    env = production_env(scratch_database, fake_twilio.url)
    flask(env, "db", "upgrade")
    flask(env, "clinics", "add", CLINIC, "--timezone", "UTC")
    password = {"NEW_USER_PASSWORD": secrets.token_urlsafe(16)}
    for role, email in ACCOUNTS.items():
        flask(env, "users", "add", email, "--clinic", CLINIC, "--role", role, extra=password)
    flask(env, "patients", "add", CODE, "--clinic", CLINIC, "--therapist", THERAPIST, "--phone", PHONE, "--sms-consent")
    started = (datetime.now(UTC) - timedelta(hours=2)).isoformat(timespec="minutes")
    flask(env, "sessions", "add", CODE, "--status", "attended", "--start", started)

    port = free_port()
    web_log, worker_log = tmp_path / "gunicorn.log", tmp_path / "worker.log"
    with web_log.open("wb") as web_out, worker_log.open("wb") as worker_out:
        web = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}", "--timeout", "300",
             "--access-logfile", "-", "app:create_app()"],
            cwd=ROOT, env=env, stdout=web_out, stderr=subprocess.STDOUT,
        )  # fmt: skip
        worker = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "app", "worker"],
            cwd=ROOT, env=env, stdout=worker_out, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            browser = Http(f"http://127.0.0.1:{port}")

            def healthy() -> bool:
                assert web.poll() is None, f"gunicorn exited:\n{web_log.read_text()}"
                try:
                    return browser.request("/healthz")[0] == 200
                except OSError:
                    return False

            wait_for(healthy, "gunicorn to answer /healthz")
            status, body, _ = browser.request("/readyz")
            assert status == 200 and json.loads(body) == {"status": "ok"}

            # The worker plans and sends the invitation SMS: a neutral greeting and the link only.
            sms = wait_for(lambda: fake_twilio.messages, "the worker to text the link")[0]
            assert worker.poll() is None, worker_log.read_text()
            assert sms["to"] == PHONE_E164
            match = LINK.search(sms["body"])
            assert match, sms["body"]
            token, link = match.group(1), match.group(0)

            # Follow the link through the proxy to gunicorn.
            status, page, headers = browser.request(urlsplit(link).path)
            assert status == 200, page
            assert "Content-Security-Policy" in headers and "Strict-Transport-Security" in headers
            assert browser.set_cookie_headers == []  # its forms' CSRF token is the link's (feedback/link_csrf.py)
            action = re.search(r'<form method="post" action="([^"]+)"', page)
            assert action and action.group(1) == f"/s/{token}"
            answers = {
                "csrf_token": csrf_token_from(page),
                "started": str(int(time.time()) - 50),
                "bond_understood": "2", "bond_trust": "2", "task_useful": "2", "task_fit": "2",
                "goal_agree": "2", "goal_unclear": "4",
                "rupture": "yes", "rupture_tension": "5", "rupture_resolved": "1",
                "held_back": "4", "went_along": "3", "frustrated": "4", "comment": "",
            }  # fmt: skip
            # The Referer a browser would send. The survey's forms are checked by their link's token;
            # the sign-in below goes through Flask-WTF's strict check over HTTPS, which accepts a
            # POST only if its Referer matches https://<the host the app sees>: that holds only
            # when ProxyFix applied the proxy's X-Forwarded-Proto and -Host.
            referer = referer_for(page, headers.get("Referrer-Policy", ""), link)
            hostile = {**answers, "comment": hostile_input.HOSTILE}
            assert browser.request(action.group(1), hostile, referer)[0] == 422  # refused, the link still open
            therapist = Http(f"http://127.0.0.1:{port}")  # the therapist, signed in before the answer
            signed_in = hostile_input.sign_in(therapist, THERAPIST, password["NEW_USER_PASSWORD"])
            assert any(c.startswith("__Host-session=") and "Secure" in c for c in therapist.set_cookie_headers)
            assert not home_shows_flag(therapist)
            status, page, headers = browser.request(action.group(1), answers, referer)
            answered = time.monotonic()
            assert status == 303, f"{status}: {page[:500]}"
            assert urlsplit(headers["Location"]).path == "/s/thanks"

            # The answer only marked the treatment; the worker process evaluates it at its next
            # poll, and the therapist's home shows the flag within 10 s of the answer (issue 21).
            wait_for(lambda: home_shows_flag(therapist), "the flag on the therapist's home", timeout=FLAG_WITHIN)
            assert time.monotonic() - answered <= FLAG_WITHIN
            assert stored_flags(scratch_database) == ("high", True)
            report = json.dumps(json.loads(flask(env, "flags", "--format", "json", "--patient", CODE)))
            assert "unresolved_rupture" in report, report
            assert re.search(r'"(risk|level)": "high"', report), report

            # Twilio's status callback, signed for the public URL, is accepted behind the proxy.
            callback = {"MessageSid": sms["sid"], "MessageStatus": "delivered", "AccountSid": DEFAULT_ACCOUNT_SID}
            validator = RequestValidator(DEFAULT_AUTH_TOKEN)
            signature = validator.compute_signature(f"https://{PUBLIC_HOST}/sms/status", callback)
            status, body, _ = browser.request("/sms/status", callback, {"X-Twilio-Signature": signature})
            assert status in (200, 204), body
            forged = browser.request("/sms/status", callback, {"X-Twilio-Signature": "forged"})[0]
            assert forged == 403

            def new_browser() -> Http:  # a cookie jar per account
                return Http(f"http://127.0.0.1:{port}")

            statuses = hostile_input.send_everywhere(
                new_browser, ACCOUNTS, password["NEW_USER_PASSWORD"], CODE, (therapist, signed_in)
            )
            assert statuses == hostile_input.EXPECTED  # none is a 500
        finally:
            stop(worker)
            stop(web)

    logs = web_log.read_text() + worker_log.read_text()
    assert "GET /s/<token>" in logs  # the access log is on stdout, with the token redacted
    assert token not in logs
    assert hostile_input.MARKER not in logs, "hostile input reached the logs"
    for shown in (PHONE, PHONE_E164, PHONE_E164[1:], "7911 123456", "7911123456"):
        assert shown not in logs, f"a phone number ({shown}) reached the logs"
    assert worker.returncode == 0, worker_log.read_text()  # stopped cleanly by SIGTERM
