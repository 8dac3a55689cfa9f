"""Passwords: argon2id at or above ASVS's floor, length rules only, and no hint that an account exists."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher, extract_parameters
from argon2.low_level import Type

from dashboards.auth import passwords, signin
from dashboards.auth.passwords import PasswordPolicyError, check_policy
from feedback.extensions import db
from tests.factories import TEST_PASSWORD


def test_stored_hash_is_argon2id_at_or_above_the_asvs_floor(make_user):
    user = make_user()
    stored = user.password_hash
    params = extract_parameters(stored)
    assert params.type is Type.ID
    assert params.memory_cost >= 19 * 1024  # KiB: 19 MiB
    assert params.time_cost >= 2
    assert params.parallelism >= 1
    # Werkzeug's default (scrypt:32768:8:1) would fail the first assertion with an InvalidHashError.
    assert stored.startswith("$argon2id$")


def test_weaker_parameters_are_rehashed_on_sign_in(client, make_user):
    user = make_user()
    user.password_hash = PasswordHasher(time_cost=1, memory_cost=8 * 1024).hash(TEST_PASSWORD)
    db.session.commit()
    assert signin.check_password(user.email, TEST_PASSWORD, "127.0.0.1") is not None
    assert extract_parameters(user.password_hash).memory_cost == 19 * 1024


@pytest.mark.parametrize(
    "password",
    [
        "a" * 11 + "b",  # exactly 12, one character class: no composition rules
        "all lower case words",
        "ünïcödé-паролі-密码密码",  # any printable Unicode
        "x" * 127 + "y",  # exactly 128
    ],
)
def test_accepted_passwords(password):
    check_policy(password)


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("elevenchars", "at least 12"),
        ("z" * 129, "at most 128"),
        ("password1234", "too common"),
        ("Password 1234", "too common"),
    ],
)
def test_refused_passwords(password, message):
    with pytest.raises(PasswordPolicyError, match=message):
        check_policy(password)


def test_password_may_not_be_the_email_name():
    with pytest.raises(PasswordPolicyError, match="e-mail"):
        check_policy("jane.doe-clinic-2026", context=("jane.doe",))


def test_unknown_email_costs_one_argon2_check_like_a_real_account(make_user, monkeypatch):
    """Timing must not tell whether an account exists: an unknown e-mail runs a real argon2 verify."""
    user = make_user()
    calls = []

    class CountingHasher(PasswordHasher):
        def verify(self, hash_, password):
            calls.append(hash_)
            return super().verify(hash_, password)

    monkeypatch.setattr(passwords, "HASHER", CountingHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1))

    signin.check_password("nobody@example.org", "some-password-123", "10.0.0.1")
    signin.check_password(user.email, "some-password-123", "10.0.0.2")
    assert len(calls) == 2
    assert all(extract_parameters(h).memory_cost == 19 * 1024 for h in calls)
