"""What the safety pathway adds to a running app: its pages, the banner's template helpers, the
audit row for each safety alert raised, and the worker job that e-mails and escalates."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_login import current_user

from dashboards.audit import audit
from dashboards.safety import clinic_hours
from dashboards.safety.alerts import ACTION_WORDS, acknowledged_alerts, can_acknowledge, open_alerts
from dashboards.safety.forms import NOTE_MAX
from dashboards.safety.notify import JOB, run_cycle
from dashboards.safety.views import bp
from feedback.config import ConfigError
from feedback.delivery.worker import register_job
from feedback.models import Patient, SafetyAlert
from feedback.signals import safety_alert_raised


def register(app: Flask) -> None:
    app.config.setdefault(JOB.config_key, JOB.default_seconds)
    app.config.setdefault("SAFETY_CLINIC_HOURS", clinic_hours.DEFAULT)
    try:  # at start-up, not in the middle of the night when an alert waits
        clinic_hours.parse(str(app.config["SAFETY_CLINIC_HOURS"]))
    except ValueError as exc:
        raise ConfigError(f"SAFETY_CLINIC_HOURS: {exc}") from None
    app.register_blueprint(bp)
    register_job(app, JOB, run_cycle)
    safety_alert_raised.connect(_audit_raised)
    app.jinja_env.globals.update(
        safety_alerts=lambda patient=None: open_alerts(current_user, patient),
        past_safety_alerts=acknowledged_alerts,
        can_acknowledge_safety=lambda patient: can_acknowledge(current_user, patient),
        SAFETY_ACTION_WORDS=ACTION_WORDS,
        SAFETY_NOTE_MAX=NOTE_MAX,
    )


def _audit_raised(alert: SafetyAlert, *, patient: Patient, **_: Any) -> None:
    """In the transaction that stores the answer: the alert and its audit row are committed together."""
    audit("safety_alert_raised", patient=patient, detail=f"safety alert {alert.id}")
