"""The whole sign-in: password, forced authenticator enrolment with a QR code, recovery codes, code."""

from __future__ import annotations

import re

import pyotp
import time_machine

from dashboards.auth import throttle
from dashboards.auth.models import LoginSession
from feedback.extensions import db
from tests.auth.conftest import password_step, post_form
from tests.conftest import csrf_token_from

SECRET_TEXT = re.compile(r'<code class="secret">([A-Z2-7 ]+)</code>')


def test_first_sign_in_enrols_an_authenticator_then_signs_in_with_a_code(client, make_user):
    user = make_user("therapist")
    with time_machine.travel("2026-03-02 09:00:00Z", tick=False):
        response = password_step(client, user.email)
        assert response.status_code == 303 and response.location == "/login/enrol"
        assert client.get("/").status_code == 302  # not signed in before the second factor

        intro = client.get("/login/enrol")
        setup = client.post("/login/enrol", data={"csrf_token": csrf_token_from(intro.text)})
        assert setup.status_code == 200
        assert "<svg" in setup.text and "http" not in setup.text.split("<svg", 1)[1].split("</svg>")[0]
        secret = SECRET_TEXT.search(setup.text).group(1).replace(" ", "")
        code = pyotp.TOTP(secret).now()
        done = client.post("/login/enrol/confirm", data={"code": code, "csrf_token": csrf_token_from(setup.text)})
        assert done.status_code == 200
        codes = re.findall(r"<code>([A-Z2-9-]{19})</code>", done.text)
        assert len(codes) == 10
        assert client.get("/").status_code == 200  # signed in

    assert throttle.security_for(user).totp_secret is not None
    assert secret.encode() not in throttle.security_for(user).totp_secret  # stored encrypted

    # Next sign-in: password, then a fresh code from the app.
    with time_machine.travel("2026-03-02 10:00:00Z", tick=False):
        fresh = client.application.test_client()
        assert password_step(fresh, user.email).location == "/login/2fa"
        response = post_form(fresh, "/login/2fa", code=pyotp.TOTP(secret).now())
        assert response.status_code == 303 and response.location == "/"
        assert fresh.get("/").status_code == 200


def test_recovery_code_signs_in_once(client, make_user, enrol):
    user = make_user("therapist")
    enrol(user)
    from dashboards.auth import recovery

    codes = recovery.issue(user)
    db.session.commit()
    password_step(client, user.email)
    assert post_form(client, "/login/2fa", code=codes[0].lower()).location == "/"

    again = client.application.test_client()
    password_step(again, user.email)
    assert post_form(again, "/login/2fa", code=codes[0]).status_code == 401
    assert db.session.query(LoginSession).filter(LoginSession.verified_at.isnot(None)).count() == 1
