"""The application factory: the one place that assembles the app.

`create_app` reads like a table of contents: configuration, logging, extensions, blueprints,
commands. It has no side effects: it does not migrate, seed, start a scheduler or touch the
network; those are explicit commands (`flask --app app db upgrade`, `... demo`, `... worker`).
Nothing in `feedback/` or `dashboards/` imports this module; only entry points do (`flask --app
app`, gunicorn's `app:create_app()`, tests, bench). The extension objects live in
`feedback/extensions.py`, configuration in `feedback/config.py`.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from flask import Flask

from dashboards import cli as dashboards_cli
from dashboards import web as dashboards_web
from feedback import alone, i18n, text_edges
from feedback import cli as feedback_cli
from feedback import web as feedback_web
from feedback.config import load_config
from feedback.extensions import csrf, db, login_manager, migrate, ping_after_idle
from feedback.instruments import registry as instruments
from feedback.log_redaction import install as install_log_redaction
from feedback.proxy import install as install_proxy


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    load_config(app, test_config)
    register_logging(app)
    register_proxy(app)
    register_extensions(app)
    register_blueprints(app)
    register_cli(app)
    return app


def register_logging(app: Flask) -> None:
    install_log_redaction("werkzeug", "gunicorn.access", "gunicorn.error")  # gunicorn's errors name the URL
    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")


def register_proxy(app: Flask) -> None:
    """Behind a reverse proxy, trust its X-Forwarded-* headers (scheme, host, client address) so
    URLs, secure cookies, Twilio's signatures, rate limits and the audit trail see what the
    outside world sees; warn once when the setting does not match the traffic."""
    install_proxy(app)


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    with app.app_context():
        ping_after_idle(db.engine)
        alone.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(__file__), "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    i18n.init_app(app)
    instruments.init_app(app)


def register_blueprints(app: Flask) -> None:
    text_edges.init_app(app)  # first: a route takes its path converters when it is added
    feedback_web.register(app)
    dashboards_web.register(app)


def register_cli(app: Flask) -> None:
    feedback_cli.register(app)
    dashboards_cli.register(app)
    text_edges.guard_commands(app.cli)
