"""Security headers on every response of every route, signed in or not, errors included."""

from __future__ import annotations

import re

import pytest

from app import create_app
from dashboards.security import set_headers

URL_ARGUMENTS = {"token": "A" * 43, "code": "P-A1", "user_id": "1", "filename": "base.css", "outbox_id": "1",
                 "number": "1", "alert_id": "1", "instrument_id": "phq-9", "resource_id": "post-session-patient"}
REQUIRED = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
CSP_DIRECTIVES = {
    "default-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
}


def every_request(app) -> list[tuple[str, str, str]]:
    requests = []
    for rule in app.url_map.iter_rules():
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: URL_ARGUMENTS[m.group(1)], rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            requests.append((rule.endpoint, method, path))
    return requests


def check_headers(response, endpoint: str) -> None:
    headers, endpoint = response.headers, f"{endpoint} ({response.status_code})"
    for name, value in REQUIRED.items():
        assert headers.get(name) == value, f"{endpoint}: {name}"
    directives = {part.strip() for part in headers["Content-Security-Policy"].split(";")}
    assert directives >= CSP_DIRECTIVES, f"{endpoint}: CSP {directives}"
    script = next(d for d in directives if d.startswith("script-src"))
    assert re.fullmatch(r"script-src 'self' 'nonce-[A-Za-z0-9_-]{20,}'", script)
    assert "unsafe-inline" not in headers["Content-Security-Policy"]
    if not re.match(r"(\w+\.)?static ", endpoint):
        assert headers.get("Cache-Control") == "no-store", f"{endpoint}: Cache-Control"


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "director"])
def test_every_route_sends_the_security_headers(app, client, make_user, sign_in_as, signed_in):
    if signed_in:
        sign_in_as(client, make_user("director"))
    for endpoint, method, path in every_request(app):
        response = client.open(path, method=method)
        check_headers(response, f"{endpoint} {method}")
        response.close()  # a streamed answer (an export) ends its request context only when closed


def test_errors_carry_the_headers_too(app, client):
    app.add_url_rule("/boom", "boom", lambda: 1 / 0)
    for path in ("/boom", "/no/such/page"):
        response = client.get(path)
        assert response.status_code in (404, 500)
        check_headers(response, path)
    assert "ZeroDivisionError" not in client.get("/boom").text


def test_static_files_may_be_cached(client):
    response = client.get("/static/feedback/base.css")
    assert response.status_code == 200 and "no-store" not in response.headers.get("Cache-Control", "")


def test_each_response_has_its_own_nonce(client):
    policies = {client.get("/login").headers["Content-Security-Policy"] for _ in range(3)}
    assert len(policies) == 3


def test_hsts_only_in_production(client, database_url):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    production = create_app(
        {"APP_ENV": "production", "SQLALCHEMY_DATABASE_URI": database_url,
         "SECRET_KEY": "s" * 40, "PHONE_ENCRYPTION_KEY": "A" * 43 + "="}
    )
    hsts = production.test_client().get("/login", base_url="https://clinic.example").headers["Strict-Transport-Security"]
    assert int(re.search(r"max-age=(\d+)", hsts).group(1)) >= 31536000


def test_pages_use_no_inline_script_or_style(app, client, make_user, sign_in_as, make_session):
    """Under this CSP an inline script or style would silently not run; none is written."""
    sign_in_as(client, make_user("director"))
    token = make_session().links["patient"].token
    for path in ("/login", "/", "/account", "/clinic/therapists", "/clinic/audit", f"/s/{token}"):
        text = client.get(path).text
        scripts = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", text)
        assert all("nonce=" in tag for tag in scripts), f"{path}: inline script without nonce"
        assert "<style" not in text, f"{path}: inline <style>"
        if not path.startswith("/s/"):  # the survey's one style attribute: see the report to the lead
            assert not re.search(r"\sstyle=", text), f"{path}: style attribute"


def test_header_function_is_what_sets_them(app):
    """Control: without the after_request hook a response has none of these headers."""
    with app.test_request_context("/login"):
        from flask import Response

        bare = Response("x")
        assert "Content-Security-Policy" not in bare.headers
        assert set_headers(bare).headers["X-Content-Type-Options"] == "nosniff"
