"""Issue 16, section 5: behind a proxy (or not), the client's own address is what counts.

With TRUSTED_PROXY_COUNT=0 a forged X-Forwarded-For changes nothing: neither the per-address
sign-in limit nor the audit trail's address. With 1, only the address the proxy appended counts.
A count set while requests arrive without X-Forwarded-For is logged, once.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from dashboards.audit import AuditEvent
from dashboards.auth.models import LoginFailure
from feedback.extensions import db
from tests.auth.conftest import password_step

ROOT = Path(__file__).resolve().parents[2]
CLIENT, OTHER_CLIENT = "198.51.100.7", "198.51.100.8"


def attempt(app, real: str, forwarded: str | None, email: str, password: str = "wrong password, sorry") -> int:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = real
    if forwarded is not None:
        client.environ_base["HTTP_X_FORWARDED_FOR"] = forwarded
    return password_step(client, email, password).status_code


def addresses() -> tuple[set[str], set[str | None]]:
    failures = set(db.session.scalars(select(LoginFailure.ip)))
    audited = set(db.session.scalars(select(AuditEvent.ip).where(AuditEvent.action == "sign_in_failed")))
    return failures, audited


@pytest.mark.parametrize("app_config", [{"TRUSTED_PROXY_COUNT": 0, "LOGIN_FAILURES_PER_IP": 3}])
def test_without_a_proxy_a_forged_forwarded_for_is_ignored(app, make_user):
    user = make_user()
    for n in range(3):  # each attempt claims to come from somewhere else
        assert attempt(app, CLIENT, f"203.0.113.{n}", "nobody@example.org") == 401
    # The limit holds for the real address whatever it claims; another client is not locked out.
    assert attempt(app, CLIENT, "203.0.113.99", user.email, password="otter-harbour-lantern-47") == 401
    assert attempt(app, OTHER_CLIENT, None, user.email, password="otter-harbour-lantern-47") == 303
    assert addresses() == ({CLIENT}, {CLIENT})


@pytest.mark.parametrize("app_config", [{"TRUSTED_PROXY_COUNT": 1, "LOGIN_FAILURES_PER_IP": 3}])
def test_behind_one_proxy_only_the_address_it_appended_counts(app, make_user):
    user = make_user()
    proxy = "10.0.0.2"
    for n in range(3):  # the client forges one entry; the proxy appends the address it saw
        assert attempt(app, proxy, f"203.0.113.{n}, {CLIENT}", "nobody@example.org") == 401
    assert attempt(app, proxy, f"203.0.113.99, {CLIENT}", user.email, password="otter-harbour-lantern-47") == 401
    assert attempt(app, proxy, OTHER_CLIENT, user.email, password="otter-harbour-lantern-47") == 303
    assert addresses() == ({CLIENT}, {CLIENT})


@pytest.mark.parametrize("app_config", [{"TRUSTED_PROXY_COUNT": 1}])
def test_a_proxy_count_without_forwarded_requests_is_warned_about_once(app, caplog):
    caplog.set_level(logging.WARNING)
    client = app.test_client()
    assert client.get("/healthz").status_code == 200  # a load balancer's probe may come straight in
    assert client.get("/login").status_code == 200
    assert client.get("/login").status_code == 200
    warnings = [r.getMessage() for r in caplog.records if "TRUSTED_PROXY_COUNT" in r.getMessage()]
    assert len(warnings) == 1 and "X-Forwarded-For" in warnings[0]


@pytest.mark.parametrize("app_config", [{"TRUSTED_PROXY_COUNT": 1}, {"TRUSTED_PROXY_COUNT": 0}])
def test_no_warning_when_the_setting_matches_the_traffic(app, caplog, app_config):
    caplog.set_level(logging.WARNING)
    client = app.test_client()
    if app_config["TRUSTED_PROXY_COUNT"]:
        client.environ_base["HTTP_X_FORWARDED_FOR"] = CLIENT
    assert client.get("/login").status_code == 200
    assert not [r for r in caplog.records if "TRUSTED_PROXY_COUNT" in r.getMessage()]


def test_the_setting_is_documented_with_the_failures_it_prevents():
    readme = (ROOT / "README.md").read_text()
    row = re.search(r"^\| `TRUSTED_PROXY_COUNT` \|.*$", readme, re.M)
    assert row, "README's settings table lost TRUSTED_PROXY_COUNT"
    production = (ROOT / "docs" / "production.md").read_text()
    for text in (row.group(0), production):
        assert "X-Forwarded-For" in text
        assert re.search(r"locks? (everyone|every client) out", text), "too low: one client locks everyone out"
        assert re.search(r"forge", text) and re.search(r"audit", text), "too high: forged addresses"
