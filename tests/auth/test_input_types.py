"""Sign-in inputs say what they hold: an e-mail keyboard for the address, and `autocomplete` values that
let password managers fill the sign-in, generate only new passwords, and phones offer a received code."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from dashboards.auth import accounts
from tests.auth.conftest import password_step

INPUT = re.compile(r"<input\b[^>]*>")
ATTRIBUTE = re.compile(r'([a-z-]+)="([^"]*)"')


def inputs(html: str) -> dict[str, dict[str, str]]:
    """Each named visible input of a page: name -> its attributes."""
    found = (dict(ATTRIBUTE.findall(tag)) for tag in INPUT.findall(html))
    return {attrs["name"]: attrs for attrs in found if attrs.get("type") != "hidden"}


def kinds(html: str) -> dict[str, tuple[str, str | None]]:
    return {name: (attrs["type"], attrs.get("autocomplete")) for name, attrs in inputs(html).items()}


def test_sign_in_asks_for_an_email_address_and_the_current_password(client):
    page = client.get("/login")
    assert kinds(page.text) == {"email": ("email", "username"), "password": ("password", "current-password")}
    assert 'autocomplete="None"' not in page.text


def test_second_factor_asks_for_a_one_time_code(client, make_user, enrol):
    user = make_user("therapist")
    enrol(user)
    assert password_step(client, user.email).location == "/login/2fa"
    assert kinds(client.get("/login/2fa").text) == {"code": ("text", "one-time-code")}


def test_set_password_asks_for_a_new_password_twice(client, make_user):
    link = accounts.issue_password_link(make_user("therapist", password=None), actor=None)
    page = client.get(urlsplit(link).path)
    assert page.status_code == 200
    assert kinds(page.text) == {"password": ("password", "new-password"), "confirm": ("password", "new-password")}


def test_account_page_tells_current_from_new_passwords(client, make_user, sign_in_as):
    sign_in_as(client, make_user("therapist"))
    tags = (dict(ATTRIBUTE.findall(tag)) for tag in INPUT.findall(client.get("/account").text))
    fields = [(attrs["name"], attrs.get("autocomplete")) for attrs in tags if attrs.get("type") == "password"]
    assert fields == [
        ("password", "current-password"),  # re-authentication before a new authenticator or codes
        ("current", "current-password"),
        ("password", "new-password"),
        ("confirm", "new-password"),
    ]
