"""Fixtures for the clinic tablet: a browser turned into a kiosk device, and a code for a patient."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from dashboards.kiosk import codes
from dashboards.kiosk.models import KioskDevice
from feedback.extensions import db
from feedback.models import User
from feedback.sessions import SessionRecorded
from tests.auth.conftest import as_user, enrol, post_form, sign_in_as  # noqa: F401  (fixtures)


@dataclass
class Tablet:
    client: FlaskClient
    opened_by: User

    @property
    def device(self) -> KioskDevice:
        db.session.expire_all()
        return db.session.scalars(select(KioskDevice).order_by(KioskDevice.id.desc())).first()

    def enter(self, code: str):
        return post_form(self.client, "/kiosk", code=code)


@pytest.fixture
def open_tablet(as_user) -> Callable[[User], Tablet]:  # noqa: F811
    """A browser where `user` signed in and opened kiosk mode, as on the clinic's tablet."""

    def open_for(user: User) -> Tablet:
        client = as_user(user)
        answer = post_form(client, "/kiosk/open")
        assert answer.status_code == 303 and answer.location.endswith("/kiosk"), answer.status_code
        return Tablet(client, user)

    return open_for


@pytest.fixture
def code_for(app) -> Callable[[SessionRecorded, User], str]:
    def issue(recorded: SessionRecorded, issuer: User) -> str:
        return codes.issue(recorded.links["patient"].invitation, issuer).code

    return issue
