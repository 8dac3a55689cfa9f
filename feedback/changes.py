"""Marking a treatment whose answers changed, so that its flags are evaluated again.

The answer's request does not evaluate flags (that is the clinician side's work, and the
patient's moment should not wait for it): it only marks the patient row, in the answer's own
transaction, so the mark exists exactly when the answer does. The worker's short poll
(`dashboards/risk/changed.py`) evaluates the marked treatments within seconds.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Update, bindparam, update

from feedback.extensions import db
from feedback.models import Patient

# Built once, in Core (no ORM bookkeeping): the survey POST runs it on every answer.
_PATIENTS = Patient.__table__
_MARK = (
    update(_PATIENTS).where(_PATIENTS.c.id == bindparam("patient_id")).values(flags_stale_at=bindparam("changed_at"))
)


def mark_flags_stale(patient_id: int, changed_at: datetime) -> None:
    """Add the mark to the caller's transaction (not committed). The latest change wins: the
    worker clears the mark only if it has not moved since it read it."""
    db.session.execute(_MARK, {"patient_id": patient_id, "changed_at": changed_at})


def stale_mark() -> Update:
    """The mark's statement, bound by `patient_id` and `changed_at`: for a caller that writes it
    within a statement of its own (the survey's answer on PostgreSQL, feedback/invitations.py)."""
    return _MARK
