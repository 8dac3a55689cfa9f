"""Claiming due rows: disjoint between workers, taken back only once a claim has lapsed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from feedback.delivery import claims
from feedback.extensions import db
from feedback.models.outbox import OutboxMessage
from tests.delivery.conftest import local, rows

TTL = timedelta(minutes=2)


@pytest.fixture
def due(clock, sms_session):
    """Five SMS due at 15:20, for five patients."""
    clock(local(2026, 1, 14, 15, 0))
    planned = [sms_session(starts_at=local(2026, 1, 14, 14, 0))[1] for _ in range(5)]
    clock(local(2026, 1, 14, 15, 20))
    return [row.id for row in planned]


def test_workers_claim_disjoint_batches_until_none_is_left(due):
    now = local(2026, 1, 14, 15, 20)

    first = claims.claim_due("a", now=now, ttl=TTL, limit=2)
    second = claims.claim_due("b", now=now, ttl=TTL, limit=2)
    third = claims.claim_due("c", now=now, ttl=TTL, limit=2)

    assert (len(first), len(second), len(third)) == (2, 2, 1)
    assert sorted(first + second + third) == sorted(due)
    assert claims.claim_due("d", now=now, ttl=TTL, limit=2) == []
    owners = {row.id: (row.status, row.claimed_by, row.claim_expires_at) for row in rows()}
    assert owners[first[0]] == ("claimed", "a", now + TTL)


def test_rows_not_yet_due_are_not_claimed(due):
    assert claims.claim_due("a", now=local(2026, 1, 14, 15, 19), ttl=TTL, limit=10) == []


def test_a_lapsed_claim_can_be_taken_by_another_worker(due):
    now = local(2026, 1, 14, 15, 20)
    taken = claims.claim_due("dead", now=now, ttl=TTL, limit=10)

    assert claims.claim_due("alive", now=now + TTL - timedelta(seconds=1), ttl=TTL, limit=10) == []
    assert sorted(claims.claim_due("alive", now=now + TTL, ttl=TTL, limit=10)) == sorted(taken)
    assert {row.claimed_by for row in rows()} == {"alive"}


def test_released_rows_go_back_to_the_queue(due):
    now = local(2026, 1, 14, 15, 20)
    taken = claims.claim_due("a", now=now, ttl=TTL, limit=10)

    assert claims.release(taken[2:], "b") == 0  # not b's to release
    assert claims.release(taken[2:], "a") == 3

    assert sorted(claims.claim_due("b", now=now, ttl=TTL, limit=10)) == sorted(taken[2:])


def test_a_row_left_sending_becomes_uncertain_only_after_its_claim_lapses(due):
    now = local(2026, 1, 14, 15, 20)
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == due[0])
        .values(status="sending", claimed_by="dead", claim_expires_at=now + TTL)
    )
    db.session.commit()

    assert claims.recover_stalled(now) == 0
    assert claims.recover_stalled(now + TTL) == 1

    [row] = rows(id=due[0])
    assert (row.status, row.claimed_by) == ("uncertain", None)
    assert row.id not in claims.claim_due("a", now=now + TTL, ttl=TTL, limit=10)


def test_the_limit_holds_while_another_transaction_has_rows_locked(due):
    # PostgreSQL may run a plain IN (sub-select … LIMIT … SKIP LOCKED) more than once per
    # statement, claiming far more than the limit; the claim's CTE is evaluated once.
    if db.engine.dialect.name != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite locks the whole database")
    now = local(2026, 1, 14, 15, 20)
    with db.engine.connect() as other:
        held = (
            other.execute(select(OutboxMessage.id).order_by(OutboxMessage.id).limit(2).with_for_update())
            .scalars()
            .all()
        )

        taken = claims.claim_due("a", now=now, ttl=TTL, limit=2)

        assert len(taken) == 2 and not set(taken) & set(held)
        other.rollback()
