"""Everything the clinician side adds to the app: sign-in, security headers, blueprints, commands."""

from __future__ import annotations

from flask import Flask

from dashboards import assets, auth, digest, director, ops, pages, security
from dashboards.access import models as access_models  # noqa: F401  (tables, for Alembic)
from dashboards.admin import bp as admin_bp
from dashboards.audit import models as audit_models  # noqa: F401  (tables, for Alembic)
from dashboards.auth import account_views  # noqa: F401  (routes on the auth blueprint)
from dashboards.auth import cli as auth_cli
from dashboards.auth import models as auth_models  # noqa: F401  (tables, for Alembic)
from dashboards.auth.views import bp as auth_bp
from dashboards.importer import cli as importer_cli
from dashboards.risk import models as risk_models  # noqa: F401  (tables, for Alembic)
from dashboards.risk import refresh as risk_refresh
from dashboards.risk import signals as risk_signals
from dashboards.therapist import addressed


def register(app: Flask) -> None:
    security.init_app(app)
    auth.init_app(app)
    for blueprint in (auth_bp, pages.bp, admin_bp, director.bp):
        app.register_blueprint(blueprint)
    assets.register(app)
    ops.register(app)
    auth_cli.register(app)
    importer_cli.register(app)
    digest.register(app)
    risk_signals.connect()
    risk_refresh.register(app)
    addressed.connect()
