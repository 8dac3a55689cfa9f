"""Flags that change with time alone, refreshed by the worker.

A questionnaire link that expires unanswered, or weeks passing without a session, change a
treatment's flags (disengagement, DOMAIN.md) although nothing is written that would trigger the
per-patient recompute. So every worker re-evaluates, every `FLAGS_REFRESH_SECONDS`, the active
treatments whose stored evaluation is older than that, in claimed batches: two workers never
evaluate the same patient at once, and a patient just evaluated by a new answer is skipped.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Flask, current_app
from sqlalchemy import exists, select, update

from app import db
from dashboards.risk.models import PatientRisk
from dashboards.risk.operations import BATCH, recompute_patients
from feedback.delivery.claims import write_transaction
from feedback.delivery.worker import JobSpec, register_job
from feedback.models import Patient, TherapySession, utcnow

JOB = JobSpec("refresh_flags", "FLAGS_REFRESH_SECONDS", 3600, "re-evaluate flags that change with time alone")


def refresh_stale(now: datetime | None = None, *, older_than: timedelta | None = None, batch: int = BATCH) -> int:
    """Re-evaluate every active treatment evaluated before `now - older_than`; how many were."""
    now = now or utcnow()
    if older_than is None:
        older_than = timedelta(seconds=float(current_app.config.get(JOB.config_key, JOB.default_seconds)))
    cutoff, done = now - older_than, 0
    while ids := claim_stale(cutoff, now, batch) or never_evaluated(batch):
        recompute_patients(ids, now=now)
        done += len(ids)
    return done


def claim_stale(cutoff: datetime, now: datetime, limit: int) -> list[int]:
    """Mark up to `limit` stale active treatments as evaluated now, for this process alone; their ids.

    The same single statement as the SMS claims (feedback.delivery.claims): a CTE that locks and
    skips rows on PostgreSQL, under SQLite's write lock there."""
    picked = (
        select(PatientRisk.patient_id)
        .join(Patient, Patient.id == PatientRisk.patient_id)
        .where(Patient.status == "active", PatientRisk.evaluated_at < cutoff)
        .order_by(PatientRisk.evaluated_at, PatientRisk.patient_id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=PatientRisk)
        .cte("picked")
    )
    claim = (
        update(PatientRisk)
        .where(PatientRisk.patient_id.in_(select(picked.c.patient_id)), PatientRisk.evaluated_at < cutoff)
        .values(evaluated_at=now)
        .returning(PatientRisk.patient_id)
    )
    with db.engine.connect() as conn, write_transaction(conn):
        return sorted(conn.scalars(claim).all())


def never_evaluated(limit: int) -> list[int]:
    """Active treatments with sessions but no stored evaluation: their first recompute failed
    (it is logged and never loses the answer), so this catches up."""
    has_sessions = exists().where(TherapySession.patient_id == Patient.id)
    unevaluated = ~exists().where(PatientRisk.patient_id == Patient.id)
    query = select(Patient.id).where(Patient.status == "active", has_sessions, unevaluated).order_by(Patient.id)
    return list(db.session.scalars(query.limit(limit)))


def register(app: Flask) -> None:
    register_job(app, JOB, refresh_stale)
