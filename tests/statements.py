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
    """Every SQL statement sent meanwhile, in order: on the app's engine, and past the session
    (feedback/alone.py). `marked`: also COMMIT where the session's transaction ended, and ALONE
    before a statement that was a transaction of its own (checked to be in autocommit)."""
    seen: list[str] = []

    def statement(conn, cursor, sql, parameters, context, executemany) -> None:  # noqa: ANN001
        seen.append(sql)

    def commit(conn) -> None:  # noqa: ANN001
        seen.append(COMMIT)

    def sent_alone(sent: alone.Sent) -> None:
        assert sent.autocommit
        seen.append((ALONE if marked else "") + sent.sql)

    event.listen(db.engine, "before_cursor_execute", statement)
    if marked:
        event.listen(db.engine, "commit", commit)
    try:
        with alone.watched(sent_alone):
            yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", statement)
        if marked:
            event.remove(db.engine, "commit", commit)
