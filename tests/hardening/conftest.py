"""Fixtures for the hardening tests: the two-clinic world and signed-in clients of the auth tests."""

from __future__ import annotations

from tests.auth.conftest import as_user, sign_in_as, world  # noqa: F401  (fixtures)
