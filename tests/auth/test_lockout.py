"""Guessing is slowed down per account and per address, and the answer never tells accounts apart."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine

from dashboards.auth import accounts, throttle
from dashboards.auth.throttle import lock_duration
from feedback.extensions import db
from feedback.models import utcnow
from tests.auth.conftest import password_step, post_form
from tests.factories import TEST_PASSWORD

START = "2026-03-02 09:00:00Z"


def fail(client, email: str, times: int = 1) -> None:
    for _ in range(times):
        assert password_step(client, email, "wrong password, sorry").status_code == 401


def test_lock_grows_1_2_4_minutes_up_to_an_hour():
    assert [lock_duration(n) for n in range(1, 5)] == [None] * 4
    assert [lock_duration(n) for n in (5, 6, 7, 8)] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert lock_duration(50) == timedelta(hours=1)


def test_account_locks_after_five_failures_then_opens_again(client, make_user):
    user = make_user()
    with time_machine.travel(START, tick=False) as clock:
        fail(client, user.email, 5)
        # Locked: even the right password is refused, with the same answer as a wrong one.
        assert password_step(client, user.email).status_code == 401
        clock.shift(timedelta(seconds=59))
        assert password_step(client, user.email).status_code == 401
        clock.shift(timedelta(seconds=2))
        assert password_step(client, user.email).status_code == 303


def test_each_further_failure_doubles_the_wait(client, make_user):
    user = make_user()
    with time_machine.travel(START, tick=False) as clock:
        fail(client, user.email, 5)  # locked 1 minute
        clock.shift(timedelta(minutes=1, seconds=1))
        fail(client, user.email)  # 6th failure: locked 2 minutes
        clock.shift(timedelta(minutes=1, seconds=30))
        assert password_step(client, user.email).status_code == 401
        clock.shift(timedelta(minutes=1))
        assert password_step(client, user.email).status_code == 303


def test_attempts_during_a_lock_do_not_count_or_extend_it(client, make_user):
    user = make_user()
    with time_machine.travel(START, tick=False) as clock:
        fail(client, user.email, 5)
        fail(client, user.email, 3)  # refused without being checked
        assert throttle.security_for(user).failed_attempts == 5
        clock.shift(timedelta(minutes=1, seconds=1))
        assert password_step(client, user.email).status_code == 303


def _answer(response) -> str:
    """The page without what legitimately differs: the CSRF token and the e-mail typed."""
    text = re.sub(r'name="csrf_token" value="[^"]+"', "", response.get_data(as_text=True))
    return re.sub(r'name="email"[^>]*value="[^"]*"', "", text)


def test_answer_is_identical_for_unknown_locked_disabled_and_wrong(client, make_user):
    known, locked, disabled = make_user(), make_user(), make_user()
    accounts.disable(disabled, actor=None)
    for _ in range(5):
        password_step(client, locked.email, "wrong password, sorry")

    answers = [
        password_step(client, "nobody@example.org"),
        password_step(client, known.email, "wrong password, sorry"),
        password_step(client, locked.email),  # right password, but locked
        password_step(client, disabled.email),  # right password, but disabled
    ]
    assert {r.status_code for r in answers} == {401}
    assert len({_answer(r) for r in answers}) == 1
    assert "Sign-in failed" in answers[0].text


def test_failures_per_address_are_limited(app, make_user):
    user = make_user()
    attacker = app.test_client()
    attacker.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    colleague = app.test_client()
    colleague.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    with time_machine.travel(START, tick=False) as clock:
        for n in range(20):  # spread over many e-mails, so no single account locks
            assert password_step(attacker, f"guess{n}@example.org", "wrong password").status_code == 401
        assert password_step(attacker, user.email).status_code == 401  # right password, blocked address
        assert password_step(colleague, user.email).status_code == 303  # the account itself is fine
        clock.shift(timedelta(minutes=15, seconds=1))
        assert password_step(attacker, user.email).status_code == 303


def test_wrong_authenticator_codes_lock_the_account_too(client, make_user, enrol):
    user = make_user()
    app_code = enrol(user)
    with time_machine.travel(START, tick=False):
        password_step(client, user.email)
        for _ in range(5):
            assert post_form(client, "/login/2fa", code="000000").status_code == 401
        assert post_form(client, "/login/2fa", code=app_code.now()).status_code == 401  # locked
        assert throttle.is_locked(throttle.security_for(user), utcnow())


@pytest.mark.parametrize("field", ["failed_attempts", "locked_until"])
def test_completed_sign_in_clears_the_failures(client, make_user, enrol, field):
    user = make_user()
    app_code = enrol(user)
    with time_machine.travel(START, tick=False):
        fail(client, user.email, 4)
        password_step(client, user.email)
        assert post_form(client, "/login/2fa", code=app_code.now()).status_code == 303
    db.session.expire_all()
    assert getattr(throttle.security_for(user), field) in (0, None)


def test_password_is_still_checked_with_the_right_password(client, make_user):
    """Control: the right password signs in when nothing blocks it (so the refusals above are the lock)."""
    user = make_user()
    assert password_step(client, user.email, TEST_PASSWORD).status_code == 303
