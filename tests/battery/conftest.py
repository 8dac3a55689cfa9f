"""Fixtures for the battery's tests: the two-clinic world of the auth tests and signed-in clients."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from feedback.models import User
from tests.auth.conftest import enrol, sign_in_as, world  # noqa: F401  (fixtures)


@pytest.fixture
def as_user(app, sign_in_as) -> Callable[[User], FlaskClient]:  # noqa: F811
    """A test client signed in as `user`."""

    def client_for(user: User) -> FlaskClient:
        client = app.test_client()
        sign_in_as(client, user)
        return client

    return client_for
