"""Recompute one patient's flags when their answers or sessions change (not the whole clinic)."""

from __future__ import annotations

import logging
from typing import Any

from dashboards.risk.store import recompute_patients
from feedback.extensions import db
from feedback.models import OutcomeResponse, Response, TherapySession
from feedback.signals import outcome_recorded, response_recorded, session_changed

log = logging.getLogger(__name__)


def _recompute(patient_id: int) -> None:
    # The answer or session is already committed; a failure here must never lose it, so it is
    # logged and the next change (or, for an active treatment, the worker's hourly refresh) catches up.
    try:
        recompute_patients([patient_id], lock=True)  # after a worker's batch holding it, on top of it
    except Exception:
        db.session.rollback()
        log.exception("flag recompute failed for patient id %s", patient_id)


def on_response(sender: Response | OutcomeResponse, *, patient_id: int, **_: Any) -> None:
    """An alliance form's answer, or an outcome form's (PHQ-9, GAD-7): the outcome flags read those."""
    _recompute(patient_id)


def on_session(sender: TherapySession, **_: Any) -> None:
    _recompute(sender.patient_id)


def connect() -> None:
    response_recorded.connect(on_response)
    outcome_recorded.connect(on_response)
    session_changed.connect(on_session)
