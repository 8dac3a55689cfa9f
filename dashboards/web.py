"""Everything the clinician side adds to a running app: sign-in, security headers, blueprints, the
listeners that keep stored flags fresh and record patients' SMS keywords, and the worker jobs that
refresh the flags and the directors' response rates and e-mail safety alerts. Commands are in
`dashboards/cli.py`."""

from __future__ import annotations

from flask import Flask

from dashboards import assets, auth, director, fhir, health, kiosk, response_rates, security
from dashboards.access import models as access_models  # noqa: F401  (tables, for Alembic)
from dashboards.admin import bp as admin_bp
from dashboards.audit import models as audit_models  # noqa: F401  (tables, for Alembic)
from dashboards.audit import sms as audit_sms
from dashboards.auth import account_views  # noqa: F401  (routes on the auth blueprint)
from dashboards.auth import language as account_language  # noqa: F401  (the language setting's route)
from dashboards.auth import models as auth_models  # noqa: F401  (tables, for Alembic)
from dashboards.auth.views import bp as auth_bp
from dashboards.battery import views as battery_views  # noqa: F401  (routes on the director and therapist blueprints)
from dashboards.calibration import views as calibration_views  # noqa: F401  (routes on the director blueprint)
from dashboards.kiosk import models as kiosk_models  # noqa: F401  (tables, for Alembic)
from dashboards.risk import changed as risk_changed
from dashboards.risk import models as risk_models  # noqa: F401  (tables, for Alembic)
from dashboards.risk import refresh as risk_refresh
from dashboards.risk import signals as risk_signals
from dashboards.risk import store as risk_store
from dashboards.safety import setup as safety_setup
from dashboards.therapist import addressed
from dashboards.therapist import bp as therapist_bp


def register(app: Flask) -> None:
    security.init_app(app)
    auth.init_app(app)
    for blueprint in (auth_bp, therapist_bp, admin_bp, director.bp):
        app.register_blueprint(blueprint)
    fhir.register(app)
    kiosk.register(app)
    assets.register(app)
    health.register(app)
    risk_store.configure_thresholds(app)
    risk_signals.connect()
    risk_refresh.register(app)
    risk_changed.register(app)
    addressed.connect()
    audit_sms.connect()
    safety_setup.register(app)
    response_rates.register(app)
