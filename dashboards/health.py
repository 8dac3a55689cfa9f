"""Health endpoints for load balancers and orchestrators."""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy import text

from feedback.extensions import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    """Liveness: a constant answer (also the benchmarks' baseline for what the stack can do)."""
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz() -> ResponseReturnValue:
    """Readiness: the database answers."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:
        current_app.logger.exception("readiness check failed")
        return jsonify(status="unavailable"), 503
    return jsonify(status="ok")


def register(app: Flask) -> None:
    app.register_blueprint(bp)
