"""Wiring delivery into the app: configuration checks, the webhook and unsubscribe routes, planning on commit.

Nothing here sends or schedules: the worker (`flask --app app worker`) does that.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask

from feedback.delivery import bounces, settings, unsubscribe
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
    # Posted by a mail provider's servers with a shared secret, never by a browser holding a session.
    csrf.exempt(bounces.bp)
    app.register_blueprint(bounces.bp)
    app.register_blueprint(unsubscribe.bp)  # its POST is exempt from CSRF on its own (see there)
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
