"""Treatments whose answers changed, evaluated by the worker within seconds of the answer.

The survey stores an answer and marks its patient (`feedback/changes.py`) in the answer's own
transaction; it does not evaluate flags, so the patient's page never waits for the clinician
side's work. Every worker polls every `FLAGS_CHANGED_SECONDS` (default 2: the therapist's pages
show the new flags a few seconds after the answer, while the poll itself is one indexed
statement that finds nothing most of the time).

A claim is one statement in a short transaction of its own: it takes up to `BATCH` marked
treatments that nobody holds and writes `flags_claimed_until` (`CLAIM` ahead). On PostgreSQL the
candidates are locked with `FOR UPDATE SKIP LOCKED`, so two workers polling at once take different
treatments; SQLite has one writer. The evaluation then runs outside the claim's transaction, in
one that holds its treatments (`recompute_patients(lock=True)`: their risk rows on PostgreSQL, so
an answer, which writes only the patient's mark, is not held up, except for a treatment's first
evaluation, which holds the patient row; the write lock on SQLite, so an answer waits for the
batch): `recompute_patients` clears each mark it read before loading the histories, only if it
is still that value (a newer answer keeps its mark), and the claim is
released. An evaluation that fails keeps the mark and the claim: it is logged
(the patient's id, the error's type and where it was raised, no clinical content) and tried again
once the claim lapses; so is a batch whose worker died.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy import or_, select, update

from dashboards.risk.store import recompute_patients
from feedback.delivery.worker import JobSpec, register_job
from feedback.errors import kind_of, where
from feedback.extensions import db
from feedback.models import Patient, utcnow

log = logging.getLogger(__name__)

JOB = JobSpec("evaluate_changed", "FLAGS_CHANGED_SECONDS", 2, "evaluate treatments whose answers changed")
#: Far longer than a batch's evaluation takes (well under a second), and how long a failed
#: evaluation waits before it is tried again: often enough to catch up soon, seldom enough not to
#: fill the log with one broken treatment.
CLAIM = timedelta(seconds=60)
BATCH = 50


def evaluate_changed(now: datetime | None = None, *, batch: int = BATCH) -> int:
    """Evaluate every marked treatment that no other worker holds; how many were evaluated."""
    done = 0
    while claimed := claim_changed(now or utcnow(), batch):
        ids, until = claimed
        try:
            recompute_patients(ids, now=now, lock=True)
            evaluated = ids
        except Exception:
            db.session.rollback()
            # One treatment's failure must not hold back the rest of the batch.
            evaluated = [patient_id for patient_id in ids if _evaluate_one(patient_id, now)]
        _release(evaluated, until)
        done += len(evaluated)
    return done


def claim_changed(now: datetime, limit: int = BATCH) -> tuple[list[int], datetime] | None:
    """Claim up to `limit` marked treatments nobody holds (committed); their ids and the claim's end."""
    until = now + CLAIM
    free = (
        select(Patient.id)
        .where(Patient.flags_stale_at.is_not(None),
               or_(Patient.flags_claimed_until.is_(None), Patient.flags_claimed_until <= now))
        .order_by(Patient.flags_stale_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    db.session.rollback()  # a transaction of its own, whatever came before
    claimed = db.session.scalars(
        update(Patient).where(Patient.id.in_(free)).values(flags_claimed_until=until).returning(Patient.id),
        execution_options={"synchronize_session": False},
    ).all()
    db.session.commit()
    return (sorted(claimed), until) if claimed else None


def _evaluate_one(patient_id: int, now: datetime | None) -> bool:
    try:
        recompute_patients([patient_id], now=now, lock=True)
        return True
    except Exception as exc:
        db.session.rollback()
        log.error(
            "flag evaluation failed for patient id %s (%s); tried again in %d s\n%s",
            patient_id, kind_of(exc), CLAIM.total_seconds(), where(exc),
        )
        return False


def _release(ids: list[int], until: datetime) -> None:
    """Hand the evaluated treatments back (one marked again meanwhile is taken at the next poll);
    a claim that lapsed and was taken over is the other worker's and stays."""
    if ids:
        db.session.execute(
            update(Patient).where(Patient.id.in_(ids), Patient.flags_claimed_until == until)
            .values(flags_claimed_until=None),
            execution_options={"synchronize_session": False},
        )
        db.session.commit()


def register(app: Flask) -> None:
    register_job(app, JOB, evaluate_changed)
