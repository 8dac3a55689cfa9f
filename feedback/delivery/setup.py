"""Wiring delivery into the app: configuration checks, the webhook routes, planning on commit.

Nothing here sends or schedules: the worker (`flask --app app worker`) does that.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask

from feedback.delivery import settings
from feedback.delivery.planner import plan_session
from feedback.delivery.webhooks import bp
from feedback.extensions import csrf, db
from feedback.models import TherapySession
from feedback.signals import session_changed

log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    settings.init_app(app)
    csrf.exempt(bp)
    app.register_blueprint(bp)
    session_changed.connect(plan_after_session_change)


def plan_after_session_change(session: TherapySession, **_: Any) -> None:
    """Plan the SMS for a just-committed session's invitations.

    Best effort: if it fails, the worker's periodic planner picks the invitation up (it plans
    every SMS invitation still lacking its outbox row), so recording the session never fails
    because of delivery.
    """
    try:
        plan_session(session)
    except Exception:
        db.session.rollback()
        log.exception("planning SMS for session %s failed; the periodic planner will retry", session.id)
