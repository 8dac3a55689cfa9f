"""Fixtures for sign-in and access tests: signed-in clients, enrolled authenticators, a two-clinic world."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import pyotp
import pytest
from flask.testing import FlaskClient

from dashboards.auth import sessions, throttle, totp
from dashboards.auth.models import LoginSession
from feedback.extensions import db
from feedback.models import Clinic, Patient, User, utcnow
from tests.conftest import csrf_token_from
from tests.factories import TEST_PASSWORD


@pytest.fixture
def sign_in_as(app) -> Callable[..., LoginSession]:
    """Give `client` a verified server-side session for `user`, as the sign-in flow would."""

    def sign_in(client: FlaskClient, user: User, now: datetime | None = None, ip: str | None = None) -> LoginSession:
        now = now or utcnow()
        login, _ = sessions.start(user, ip or client.environ_base.get("REMOTE_ADDR", "127.0.0.1"), now)
        token = sessions.verify(login, "totp", now)
        db.session.commit()
        with client.session_transaction() as cookie:
            cookie.clear()
            cookie[sessions.COOKIE_KEY] = token
            cookie["_user_id"] = str(user.id)
            cookie["_fresh"] = True
        return login

    return sign_in


@pytest.fixture
def as_user(app, sign_in_as) -> Callable[..., FlaskClient]:  # noqa: F811
    """A test client signed in as `user` (a fresh sign-in each call), from the address `ip` if given."""

    def client_for(user: User, ip: str | None = None) -> FlaskClient:
        client = app.test_client()
        if ip:
            client.environ_base["REMOTE_ADDR"] = ip
        sign_in_as(client, user)
        return client

    return client_for


@pytest.fixture
def enrol(app) -> Callable[[User], pyotp.TOTP]:
    """Give `user` an authenticator; returns the TOTP that an app holding the secret would have."""

    def enrol_user(user: User) -> pyotp.TOTP:
        secret = totp.begin_enrolment(user)
        security = throttle.security_for(user)
        security.totp_secret, security.pending_totp_secret = security.pending_totp_secret, None
        db.session.commit()
        return pyotp.TOTP(secret)

    return enrol_user


def post_form(client: FlaskClient, page_url: str, url: str | None = None, **data: str):
    """GET a page for its CSRF token, then POST `data` with it (to `url`, default the same page)."""
    page = client.get(page_url)
    return client.post(url or page_url, data={**data, "csrf_token": csrf_token_from(page.text)})


def password_step(client: FlaskClient, email: str, password: str = TEST_PASSWORD):
    return post_form(client, "/login", email=email, password=password)


@dataclass
class World:
    """Two clinics: A with a patient of `own`, a colleague, a director, an admin and a manageable
    therapist `target`; B with its own director, therapist and patient."""

    clinic_a: Clinic
    clinic_b: Clinic
    own: User
    other: User
    director: User
    admin: User
    target: User
    director_b: User
    therapist_b: User
    patient: Patient
    patient_b: Patient


@pytest.fixture
def world(make_clinic, make_user, make_patient) -> World:
    a, b = make_clinic("Clinic A"), make_clinic("Clinic B")

    def user(role: str, clinic: Clinic, name: str) -> User:
        return make_user(role, clinic, email=f"{name}@example.org", password=None)

    own, director_b, therapist_b = user("therapist", a, "own"), user("director", b, "director-b"), user(
        "therapist", b, "therapist-b"
    )
    return World(
        clinic_a=a,
        clinic_b=b,
        own=own,
        other=user("therapist", a, "other"),
        director=user("director", a, "director"),
        admin=user("admin", a, "admin"),
        target=user("therapist", a, "target"),
        director_b=director_b,
        therapist_b=therapist_b,
        patient=make_patient(own, code="P-A1"),
        patient_b=make_patient(therapist_b, code="P-B1"),
    )
