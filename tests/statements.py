"""Watching the SQL the app sends: on the app's engine, and past it (feedback/alone.py), whose
statements SQLAlchemy's events do not see."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from feedback import alone
from feedback.extensions import db

COMMIT = "COMMIT"
ALONE = "ALONE "


@contextmanager
def sent_statements(*, marked: bool = False) -> Iterator[list[str]]:
    """Every SQL statement the app sends meanwhile, in order (feedback/alone.py `watched`). `marked`:
    also COMMIT where the session's transaction ended, and ALONE before a statement that was a
    transaction of its own (checked to be in autocommit)."""
    seen: list[str] = []

    def sent(statement: alone.Sent) -> None:
        assert statement.autocommit or not statement.alone
        seen.append((ALONE if marked and statement.alone else "") + statement.sql)

    def commit(conn) -> None:  # noqa: ANN001
        seen.append(COMMIT)

    if marked:
        event.listen(db.engine, "commit", commit)
    try:
        with alone.watched(sent):
            yield seen
    finally:
        if marked:
            event.remove(db.engine, "commit", commit)
