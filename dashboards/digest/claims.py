"""Exactly once: a digest run owns an event before it is sent, and gives back what it could not send."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import update

from dashboards.risk.models import RiskEvent
from feedback.extensions import db


def claim(event_ids: Iterable[int], now: datetime) -> set[int]:
    """Mark events notified, unless another run already did; returns the ones this run owns.

    Its own short transaction whose first statement is the UPDATE: PostgreSQL re-checks the
    condition on a row another transaction just changed, and SQLite takes its write lock at the
    start of the statement, so of two concurrent runs exactly one gets each event.
    """
    ids = sorted(set(event_ids))
    if not ids:
        return set()
    statement = (
        update(RiskEvent)
        .where(RiskEvent.id.in_(ids), RiskEvent.notified_at.is_(None))
        .values(notified_at=now)
        .returning(RiskEvent.id)
    )
    with db.engine.begin() as conn:
        return set(conn.scalars(statement))


def release(event_ids: Iterable[int]) -> None:
    """Give back events this run claimed but could not send, for the next run."""
    ids = sorted(set(event_ids))
    if ids:
        with db.engine.begin() as conn:
            conn.execute(update(RiskEvent).where(RiskEvent.id.in_(ids)).values(notified_at=None))
