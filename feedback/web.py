"""Everything the patient side adds to the app: the survey blueprint and its error pages."""

from __future__ import annotations

from flask import Flask

from feedback import (
    errors,
    models,  # noqa: F401  (tables, for Alembic)
)
from feedback.delivery import setup as delivery_setup
from feedback.language_switch import bp as language_bp
from feedback.survey import bp as survey_bp


def register(app: Flask) -> None:
    app.register_blueprint(survey_bp)
    app.register_blueprint(language_bp)
    delivery_setup.init_app(app)  # the SMS webhooks blueprint, config checks, planning on commit
    errors.register(app)
