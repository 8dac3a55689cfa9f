"""Fixtures for the dashboard groundwork: the assets blueprint and an SQL statement counter."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from flask import Flask
from sqlalchemy import event

from app import db
from dashboards import assets


@pytest.fixture
def assets_app(app: Flask) -> Flask:
    """The app with the assets blueprint (registered here until the app's own registration lands)."""
    if "dashboards_assets" not in app.blueprints:
        assets.register(app)
    return app


@pytest.fixture
def count_statements(app: Flask) -> Callable[[], object]:
    """`with count_statements() as seen: ...` then `len(seen)`: every SQL statement sent meanwhile."""

    @contextmanager
    def counting() -> Iterator[list[str]]:
        seen: list[str] = []

        def record(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
            seen.append(statement)

        event.listen(db.engine, "before_cursor_execute", record)
        try:
            yield seen
        finally:
            event.remove(db.engine, "before_cursor_execute", record)

    return counting
