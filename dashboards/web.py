"""Everything the clinician side adds to the app: sign-in, blueprints, request hooks."""

from __future__ import annotations

from flask import Flask

from dashboards import auth


def register(app: Flask) -> None:
    auth.init_app(app)
