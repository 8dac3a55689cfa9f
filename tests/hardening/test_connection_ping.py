"""The pool pings a connection that sat idle before handing it out, and replaces one found dead
(feedback/extensions.py ping_after_idle); one back from a request a moment ago goes out unpinged."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from feedback import extensions
from feedback.extensions import db


@pytest.fixture
def pings(app, monkeypatch) -> list[object]:
    seen: list[object] = []
    real = db.engine.dialect.do_ping

    def counting(dbapi_connection: object) -> bool:
        seen.append(dbapi_connection)
        return real(dbapi_connection)

    monkeypatch.setattr(db.engine.dialect, "do_ping", counting)
    return seen


def _borrowed() -> object:
    """Take a connection from the pool and give it back, as a request does; the DBAPI connection."""
    pooled = db.engine.raw_connection()
    try:
        return pooled.dbapi_connection
    finally:
        pooled.close()


def test_a_connection_in_use_a_moment_ago_is_not_pinged(app, pings):
    assert _borrowed() is _borrowed()  # the same connection, reused
    assert pings == []


def test_an_idle_connection_is_pinged_and_a_dead_one_replaced(app, pings, monkeypatch):
    first = _borrowed()
    monkeypatch.setattr(extensions, "PING_AFTER_IDLE_SECONDS", 0.0)  # every connection counts as idle
    assert _borrowed() is first
    assert pings == [first]

    first.close()  # the database restarted meanwhile: the pooled connection is dead
    replacement = _borrowed()  # pinged, found dead, replaced before it is handed out
    assert pings[1] is first and replacement is not first
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT 1")).scalar() == 1
