"""Exactly once across workers: a worker owns a safety alert's e-mail before sending it (the
digest's pattern, dashboards/digest/claims.py), and gives back what it could not send."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import ColumnElement, update
from sqlalchemy.orm import InstrumentedAttribute

from feedback.extensions import db
from feedback.models import SafetyAlert


def claim(step: InstrumentedAttribute[datetime | None], alert_ids: Iterable[int], now: datetime,
          *still: ColumnElement[bool]) -> set[int]:
    """Set `step` (notified_at or escalated_at) where it is still empty and `still` holds; the
    alerts this worker now owns.

    Its own short transaction whose first statement is the UPDATE: PostgreSQL re-checks the
    condition on a row another transaction just changed, and SQLite takes its write lock at the
    start of the statement, so of two workers exactly one gets each alert.
    """
    ids = sorted(set(alert_ids))
    if not ids:
        return set()
    statement = (
        update(SafetyAlert)
        .where(SafetyAlert.id.in_(ids), step.is_(None), *still)
        .values({step.key: now})
        .returning(SafetyAlert.id)
    )
    with db.engine.begin() as conn:
        return set(conn.scalars(statement))


def release(step: InstrumentedAttribute[datetime | None], alert_ids: Iterable[int]) -> None:
    """Give back alerts whose e-mail could not be sent: the next cycle tries again."""
    ids = sorted(set(alert_ids))
    if ids:
        with db.engine.begin() as conn:
            conn.execute(update(SafetyAlert).where(SafetyAlert.id.in_(ids)).values({step.key: None}))
