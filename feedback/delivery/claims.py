"""Taking due rows for one dispatcher process, atomically, so no two processes send one row.

One statement does it on both databases:

    WITH picked AS (SELECT id … due … ORDER BY due_at LIMIT :n [FOR UPDATE SKIP LOCKED])
    UPDATE outbox_messages SET status='claimed', claimed_by=:me, claim_expires_at=:until
    WHERE id IN (SELECT id FROM picked)
      AND (the same "due" condition, re-checked on the locked row)
    RETURNING id

PostgreSQL: the CTE locks the rows it picks and skips rows another transaction holds,
so concurrent dispatchers take disjoint batches without waiting on each other; the repeated
condition is re-evaluated on the locked row version. SQLite has no row locks: the statement
runs inside `BEGIN IMMEDIATE`, which takes the database's write lock before reading (WAL and a
busy timeout, set for every connection in app.py, let the others queue instead of failing).
Either way a row moves from due to claimed-by-me exactly once.

"Due" includes rows whose claim expired while still `claimed`: their dispatcher died before
starting the send, so nothing went out and they are safe to take. A row left `sending` by a
dead dispatcher is not: `recover_stalled` marks it `uncertain` instead.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Connection, and_, or_, select, update

from feedback.extensions import db
from feedback.models.outbox import OutboxMessage as Row
from feedback.translatable import N_


def _due(now: datetime) -> ColumnElement[bool]:
    return or_(
        and_(Row.status == "pending", Row.due_at <= now),
        and_(Row.status == "claimed", Row.claim_expires_at <= now),
    )


def claim_due(worker: str, *, now: datetime, ttl: timedelta, limit: int) -> list[int]:
    """Claim up to `limit` due rows for `worker`; their ids, oldest due first."""
    # A CTE, not a plain IN (sub-select): PostgreSQL may run an un-materialised sub-select more
    # than once per statement, and with SKIP LOCKED each run can pick other rows, so LIMIT would
    # not hold. A CTE with FOR UPDATE is evaluated exactly once.
    picked = (
        select(Row.id)
        .where(_due(now))
        .order_by(Row.due_at, Row.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .cte("picked")
    )
    claim = (
        update(Row)
        .where(Row.id.in_(select(picked.c.id)), _due(now))
        .values(status="claimed", claimed_by=worker, claim_expires_at=now + ttl)
        .returning(Row.id, Row.due_at)
    )
    with db.engine.connect() as conn, _write_transaction(conn):
        claimed = conn.execute(claim).all()
    return [row_id for row_id, _ in sorted(claimed, key=lambda r: (r.due_at, r.id))]


@contextmanager
def _write_transaction(conn: Connection) -> Iterator[None]:
    """A transaction that holds the write lock from its first statement on SQLite (a plain one
    on PostgreSQL, where `FOR UPDATE SKIP LOCKED` does the claiming)."""
    if conn.dialect.name != "sqlite":
        with conn.begin():
            yield
        return
    # pysqlite would start a deferred transaction by itself, which takes the write lock only at
    # the first write; with the driver in autocommit mode we issue BEGIN IMMEDIATE ourselves. (The
    # session's transactions take it with feedback.extensions.hold_sqlite_write_lock; the claim
    # runs on a connection of its own so that it commits apart from whatever the session holds.)
    conn.execution_options(isolation_level="AUTOCOMMIT")
    conn.exec_driver_sql("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.exec_driver_sql("ROLLBACK")
        raise
    conn.exec_driver_sql("COMMIT")


def release(ids: Sequence[int], worker: str) -> int:
    """Give rows this worker claimed but will not send now back to the queue, unchanged."""
    if not ids:
        return 0
    released = db.session.execute(
        update(Row)
        .where(Row.id.in_(ids), Row.status == "claimed", Row.claimed_by == worker)
        .values(status="pending", claimed_by=None, claim_expires_at=None)
    ).rowcount
    db.session.commit()
    return released


def recover_stalled(now: datetime) -> int:
    """Rows whose dispatcher died during the provider call: maybe sent, so `uncertain`."""
    recovered = db.session.execute(
        update(Row)
        .where(Row.status == "sending", Row.claim_expires_at <= now)
        .values(
            status="uncertain",
            last_error=N_("the dispatcher stopped during the send"),
            claimed_by=None,
            claim_expires_at=None,
        )
    ).rowcount
    db.session.commit()
    return recovered
