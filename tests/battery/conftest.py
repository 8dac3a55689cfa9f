"""Fixtures for the battery's tests: the two-clinic world of the auth tests and signed-in clients."""

from __future__ import annotations

from tests.auth.conftest import as_user, enrol, sign_in_as, world  # noqa: F401  (fixtures)


