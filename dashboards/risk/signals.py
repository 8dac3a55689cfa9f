"""A session recorded or changed (a therapist's form, a command, the demo) re-evaluates that one
patient at once: the clinician who recorded it reads the result on the next page.

An answer does not: the survey only marks the treatment (`feedback/changes.py`) and the worker
evaluates it within seconds (`dashboards/risk/changed.py`), so the patient never waits for it.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from dashboards.risk.store import recompute_patients
from feedback.changes import mark_flags_stale
from feedback.errors import kind_of
from feedback.extensions import db
from feedback.models import TherapySession, utcnow
from feedback.signals import session_changed

log = logging.getLogger(__name__)


def on_session(sender: TherapySession, **_: Any) -> None:
    patient_id = sender.patient_id
    # The session is already committed; a failure here must never lose it: the treatment is
    # marked instead, and the worker's poll evaluates it again.
    try:
        recompute_patients([patient_id], lock=True)  # after a worker's batch holding it, on top of it
    except Exception as exc:
        db.session.rollback()
        log.error("flag recompute failed for patient id %s (%s); the worker tries again", patient_id, kind_of(exc))
        with contextlib.suppress(Exception):  # else the hourly refresh catches up
            mark_flags_stale(patient_id, utcnow())
            db.session.commit()
        db.session.rollback()


def connect() -> None:
    session_changed.connect(on_session)
