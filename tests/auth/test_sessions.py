"""Sessions live on the server: logout, disabling and timeouts end them, and a copied cookie dies with them."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from flask.sessions import SecureCookieSessionInterface
from sqlalchemy import select

from app import create_app
from dashboards.auth import accounts, sessions
from dashboards.auth.models import LoginSession
from feedback.extensions import db
from tests.auth.conftest import password_step, post_form
from tests.factories import TEST_PASSWORD

START = "2026-03-02 09:00:10Z"


@pytest.fixture
def app_config(request) -> dict[str, object]:
    return getattr(request, "param", {})


def copy_cookie(source, target) -> None:
    target.set_cookie("session", source.get_cookie("session").value)


def signed_in_pair(app, user, enrol):
    """Sign in through the real pages, then copy the cookie to a second client (an attacker's)."""
    authenticator = enrol(user)
    victim = app.test_client()
    password_step(victim, user.email)
    assert post_form(victim, "/login/2fa", code=authenticator.now()).status_code == 303
    thief = app.test_client()
    copy_cookie(victim, thief)
    assert thief.get("/").status_code == 200  # the copy works while the session lives
    return victim, thief


def test_copied_cookie_stops_working_after_logout(app, make_user, enrol):
    victim, thief = signed_in_pair(app, make_user(), enrol)
    assert post_form(victim, "/account", "/logout").status_code == 303
    assert victim.get("/").status_code == 302
    refused = thief.get("/")
    assert refused.status_code == 302 and refused.location.startswith("/login")
    assert db.session.scalars(select(LoginSession.end_reason)).one() == "logout"


def test_copied_cookie_stops_working_when_the_account_is_disabled(app, make_user, enrol):
    user = make_user()
    victim, thief = signed_in_pair(app, user, enrol)
    accounts.disable(user, actor=None)
    assert thief.get("/").status_code == 302
    assert victim.get("/").status_code == 302
    accounts.enable(user, actor=None)
    assert thief.get("/").status_code == 302  # enabling again does not revive old sessions


def test_inactive_account_is_refused_even_if_its_sessions_were_not_ended(app, make_user, sign_in_as):
    """Defence in depth: code elsewhere that only clears `User.active` still locks the account out."""
    user = make_user()
    client = app.test_client()
    sign_in_as(client, user)
    user.active = False
    db.session.commit()
    assert client.get("/").status_code == 302
    assert db.session.scalars(select(LoginSession.end_reason)).one() == "disabled"


def test_password_change_renews_this_session_and_ends_the_others(app, make_user, enrol, sign_in_as):
    user = make_user()
    victim, thief = signed_in_pair(app, user, enrol)
    elsewhere = app.test_client()
    sign_in_as(elsewhere, user)
    changed = post_form(
        victim, "/account", "/account/password", current=TEST_PASSWORD,
        password="a brand new passphrase", confirm="a brand new passphrase",
    )
    assert changed.status_code == 303
    assert victim.get("/account").status_code == 200  # the session that changed it continues, with a new id
    assert thief.get("/").status_code == 302  # the copy of its old cookie does not
    assert elsewhere.get("/").status_code == 302  # nor does any other session


def test_user_sees_their_sessions_and_ends_the_others(app, make_user, enrol, sign_in_as):
    user = make_user()
    laptop = app.test_client()
    laptop.environ_base["REMOTE_ADDR"] = "198.51.100.23"
    sign_in_as(laptop, user)
    phone = app.test_client()
    sign_in_as(phone, user)
    assert "198.51.100.23" in phone.get("/account").text
    assert post_form(phone, "/account", "/account/sessions/end-others", password="wrong").status_code == 422
    assert laptop.get("/").status_code == 200
    done = post_form(phone, "/account", "/account/sessions/end-others", password=TEST_PASSWORD)
    assert done.status_code == 303
    assert laptop.get("/").status_code == 302 and phone.get("/").status_code == 200


def test_idle_session_ends_after_15_minutes(app, make_user, sign_in_as):
    user = make_user()
    with time_machine.travel(START, tick=False) as clock:
        client = app.test_client()
        sign_in_as(client, user)
        clock.shift(timedelta(minutes=14, seconds=59))
        assert client.get("/").status_code == 200  # activity resets the idle clock
        clock.shift(timedelta(minutes=14, seconds=59))
        assert client.get("/").status_code == 200
        stolen = app.test_client()
        copy_cookie(client, stolen)
        clock.shift(timedelta(minutes=15))
        assert stolen.get("/").status_code == 302
        assert client.get("/").status_code == 302
    assert db.session.scalars(select(LoginSession.end_reason)).one() == "idle"


@pytest.mark.parametrize("app_config", [{"IDLE_LOGOUT_MINUTES": "5"}], indirect=True)
def test_idle_limit_is_configurable(app, make_user, sign_in_as):
    with time_machine.travel(START, tick=False) as clock:
        client = app.test_client()
        sign_in_as(client, make_user())
        clock.shift(timedelta(minutes=5))
        assert client.get("/").status_code == 302


def test_session_ends_12_hours_after_sign_in_however_active(app, make_user, sign_in_as):
    with time_machine.travel(START, tick=False) as clock:
        client = app.test_client()
        sign_in_as(client, make_user())
        for _ in range(71):  # every 10 minutes for 11 h 50 min
            clock.shift(timedelta(minutes=10))
            assert client.get("/").status_code == 200
        clock.shift(timedelta(minutes=10))
        assert client.get("/").status_code == 302
    assert db.session.scalars(select(LoginSession.end_reason)).one() == "expired"


def test_session_id_is_renewed_at_each_sign_in_step(app, make_user, enrol):
    """Session fixation: a cookie planted before sign-in, or taken between the two steps, never gets in."""
    user = make_user()
    authenticator = enrol(user)
    client = app.test_client()
    client.get("/login")
    before = client.get_cookie("session").value
    password_step(client, user.email)
    between = client.get_cookie("session").value
    assert post_form(client, "/login/2fa", code=authenticator.now()).status_code == 303
    after = client.get_cookie("session").value
    assert len({before, between, after}) == 3
    for planted in (before, between):
        other = app.test_client()
        other.set_cookie("session", planted)
        assert other.get("/").status_code == 302
    with client.session_transaction() as cookie:
        assert set(cookie) <= {sessions.COOKIE_KEY, "_user_id", "_fresh", "_id", "csrf_token", "_flashes"}


def test_user_id_in_the_cookie_alone_proves_nothing(app, make_user):
    """Flask-Login's `_user_id` without a live server-side session is not a sign-in."""
    user = make_user()
    client = app.test_client()
    with client.session_transaction() as cookie:
        cookie["_user_id"] = str(user.id)
        cookie["_fresh"] = True
    assert client.get("/").status_code == 302


def test_logout_is_post_only(client, make_user, sign_in_as):
    sign_in_as(client, make_user())
    assert client.get("/logout").status_code == 405
    assert client.get("/").status_code == 200


def test_cookie_is_httponly_and_samesite_lax(client):
    cookie = client.get("/login").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_cookie_is_secure_in_production(database_url):
    app = create_app(
        {
            "APP_ENV": "production",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "s" * 40,
            "PHONE_ENCRYPTION_KEY": "A" * 43 + "=",
        }
    )
    response = app.test_client().get("/login", base_url="https://clinic.example")
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_session_cookie_signature_is_checked(app, make_user, sign_in_as):
    """A cookie re-signed with another key is ignored (the id inside is only trusted under our key)."""
    client = app.test_client()
    sign_in_as(client, make_user())
    with client.session_transaction() as cookie:
        payload = dict(cookie)
    forger = app.test_client()
    other_key = create_app.__globals__["Flask"]("forger")
    other_key.secret_key = "not the app's key"
    forged = SecureCookieSessionInterface().get_signing_serializer(other_key).dumps(payload)
    forger.set_cookie("session", forged)
    assert forger.get("/").status_code == 302


def test_the_sign_in_page_and_its_session_ended_message_follow_the_browser(app, make_user, sign_in_as):
    """Before anyone signs in, no account says a language: the browser's preferred one, if it ships."""
    spanish = {"Accept-Language": "es-ES,es;q=0.9,en;q=0.5"}
    with time_machine.travel(START, tick=False) as clock:
        client = app.test_client()
        assert '<html lang="en"' in client.get("/login").text  # no preference: English
        assert "Iniciar sesión" in client.get("/login", headers=spanish).text
        sign_in_as(client, make_user())
        clock.shift(timedelta(minutes=16))
        assert client.get("/", headers=spanish).status_code == 302
        page = client.get("/login", headers=spanish)
    assert '<html lang="es"' in page.text and "Su sesión ha finalizado. Vuelva a iniciar sesión." in page.text
