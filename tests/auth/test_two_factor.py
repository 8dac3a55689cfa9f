"""Two-step sign-in: required for every account, codes work once, QR drawn here, recovery codes hashed."""

from __future__ import annotations

import re
from datetime import timedelta

import pyotp
import pytest
import time_machine
from sqlalchemy import select

from app import create_app
from dashboards.auth import accounts, recovery, throttle
from dashboards.auth.models import LoginSession, RecoveryCode
from feedback.config import ConfigError
from feedback.extensions import db
from tests.auth.conftest import password_step, post_form
from tests.conftest import csrf_token_from
from tests.factories import TEST_PASSWORD

START = "2026-03-02 09:00:10Z"  # 10 s into a 30-second TOTP step
SECRET = re.compile(r'<code class="secret">([A-Z2-7 ]+)</code>')


@pytest.fixture
def app_config(request) -> dict[str, object]:
    return getattr(request, "param", {})


def sign_in(client, user, code: str):
    password_step(client, user.email)
    return post_form(client, "/login/2fa", code=code)


def test_password_alone_does_not_sign_in(client, make_user, enrol):
    user = make_user()
    enrol(user)
    assert password_step(client, user.email).location == "/login/2fa"
    assert client.get("/").status_code == 302
    assert client.get("/").location.startswith("/login")


def test_a_code_is_refused_the_second_time(app, make_user, enrol):
    user = make_user()
    authenticator = enrol(user)
    with time_machine.travel(START, tick=False) as clock:
        code = authenticator.now()
        assert sign_in(app.test_client(), user, code).status_code == 303
        clock.shift(timedelta(seconds=5))  # same step: the code is still "current"
        replay = sign_in(app.test_client(), user, code)
        assert replay.status_code == 401 and "not accepted" in replay.text
        clock.shift(timedelta(seconds=30))  # the next step's code works
        assert sign_in(app.test_client(), user, authenticator.now()).status_code == 303


def test_an_older_code_is_refused_after_a_newer_one(app, make_user, enrol):
    user = make_user()
    authenticator = enrol(user)
    with time_machine.travel(START, tick=False) as clock:
        old_code = authenticator.now()
        clock.shift(timedelta(seconds=30))
        assert sign_in(app.test_client(), user, authenticator.now()).status_code == 303
        # The older code is still inside the allowed clock drift, but its step is spent.
        assert sign_in(app.test_client(), user, old_code).status_code == 401


def test_enrolment_qr_code_is_drawn_here_and_the_secret_stored_encrypted(client, make_user):
    user = make_user()
    password_step(client, user.email)
    intro = client.get("/login/enrol")
    page = post_form(client, "/login/enrol")
    assert page.status_code == 200 and intro.status_code == 200
    assert re.search(r"<svg[^>]*>.*</svg>", page.text, re.S)
    # No image, script or style from anywhere else (no external QR service).
    assert not re.search(r'(src|href)="(https?:)?//', page.text)
    secret = SECRET.search(page.text).group(1).replace(" ", "")
    pending = throttle.security_for(user).pending_totp_secret
    assert pending and secret.encode() not in pending


def test_recovery_codes_are_stored_hashed_and_shown_once(client, make_user, enrol, sign_in_as):
    user = make_user()
    enrol(user)
    codes = recovery.issue(user)
    db.session.commit()
    stored = db.session.scalars(select(RecoveryCode.code_hash)).all()
    assert len(stored) == 10
    assert not any(code.replace("-", "") in row or code in row for code in codes for row in stored)
    sign_in_as(client, user)
    assert not any(code in client.get("/account").text for code in codes)


def test_recovery_code_replaces_a_lost_phone_once(app, make_user, enrol):
    user = make_user()
    enrol(user)
    codes = recovery.issue(user)
    db.session.commit()
    assert sign_in(app.test_client(), user, codes[3].replace("-", " ")).status_code == 303
    assert sign_in(app.test_client(), user, codes[3]).status_code == 401
    assert recovery.remaining(user) == 9


@pytest.mark.parametrize("app_config", [{"APP_ENV": "development", "DEV_SKIP_2FA": "1"}], indirect=True)
def test_development_setting_lets_demo_accounts_skip_enrolment(client, make_user, enrol):
    demo = make_user()
    assert password_step(client, demo.email).location == "/"
    assert client.get("/").status_code == 200
    assert db.session.scalars(select(LoginSession.second_factor)).one() == "skipped"
    # An account that has an authenticator is still asked for its code.
    enrolled = make_user()
    enrol(enrolled)
    assert password_step(client.application.test_client(), enrolled.email).location == "/login/2fa"


@pytest.mark.parametrize("app_config", [{"DEV_SKIP_2FA": "1"}], indirect=True)
def test_development_setting_is_ignored_outside_development(client, make_user):
    assert password_step(client, make_user().email).location == "/login/enrol"


def test_development_setting_refused_in_production(database_url):
    with pytest.raises(ConfigError, match="DEV_SKIP_2FA"):
        create_app(
            {
                "APP_ENV": "production",
                "SQLALCHEMY_DATABASE_URI": database_url,
                "SECRET_KEY": "s" * 40,
                "PHONE_ENCRYPTION_KEY": "A" * 43 + "=",
                "DEV_SKIP_2FA": "true",
            }
        )


def test_new_authenticator_from_the_account_page(client, app, make_user, enrol, sign_in_as):
    user = make_user()
    old_phone = enrol(user)
    with time_machine.travel(START, tick=False) as clock:
        elsewhere = app.test_client()
        sign_in_as(elsewhere, user)
        sign_in_as(client, user)
        assert post_form(client, "/account", "/account/2fa", password="not my password").status_code == 422
        page = post_form(client, "/account", "/account/2fa", password=TEST_PASSWORD)
        new_phone = pyotp.TOTP(SECRET.search(page.text).group(1).replace(" ", ""))
        done = client.post(
            "/account/2fa/confirm", data={"code": new_phone.now(), "csrf_token": csrf_token_from(page.text)}
        )
        assert done.status_code == 200 and len(re.findall(r"<code>[A-Z2-9-]{19}</code>", done.text)) == 10
        assert client.get("/account").status_code == 200  # this session continues
        assert elsewhere.get("/").status_code == 302  # others end: the way of signing in changed
        clock.shift(timedelta(minutes=1))
        assert sign_in(app.test_client(), user, old_phone.now()).status_code == 401
        assert sign_in(app.test_client(), user, new_phone.now()).status_code == 303


def test_reset_by_a_director_means_enrolling_again(client, make_user, enrol):
    user = make_user()
    enrol(user)
    accounts.reset_two_factor(user, actor=None)
    assert password_step(client, user.email).location == "/login/enrol"


def test_the_second_step_speaks_the_accounts_language_not_the_browsers(app, make_user, enrol):
    """After the password the account is known: its own language, also on the enrolment pages."""
    spanish, english = make_user(), make_user()
    spanish.language = "es"
    db.session.commit()
    enrol(spanish)
    first, second = app.test_client(), app.test_client()
    password_step(first, spanish.email)
    page = first.get("/login/2fa", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert page.status_code == 200 and '<html lang="es"' in page.text
    password_step(second, english.email)  # not enrolled yet: the enrolment's first page
    page = second.get("/login/enrol", headers={"Accept-Language": "es-ES"})
    assert page.status_code == 200 and '<html lang="en"' in page.text
