"""Fixtures for the dashboard groundwork: the assets blueprint."""

from __future__ import annotations

import pytest
from flask import Flask

from dashboards import assets


@pytest.fixture
def assets_app(app: Flask) -> Flask:
    """The app with the assets blueprint (registered here until the app's own registration lands)."""
    if "dashboards_assets" not in app.blueprints:
        assets.register(app)
    return app
