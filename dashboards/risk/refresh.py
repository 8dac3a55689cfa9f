"""Flags that change with time alone, refreshed by the worker.

A questionnaire link that expires unanswered, or weeks passing without a session, change a
treatment's flags (disengagement, DOMAIN.md) although nothing is written that would trigger the
per-patient recompute. So every worker re-evaluates, every `FLAGS_REFRESH_SECONDS`, the active
treatments whose stored evaluation is older than that, a batch per transaction.

Each batch is picked and evaluated in one transaction that holds its rows: on PostgreSQL
`FOR UPDATE SKIP LOCKED` (another worker takes other patients; a web request recomputing one of
them waits for the batch and then evaluates on top of it, see `recompute_patients`), on SQLite
`BEGIN IMMEDIATE` (the database's write lock, so batches of different processes run one after
the other). Nothing is marked before it is evaluated: a batch that fails is retried patient by
patient, and a patient that fails is logged and left for the next run.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from datetime import datetime, timedelta

from flask import Flask, current_app
from sqlalchemy import exists, select

from app import db
from dashboards.risk.models import PatientRisk
from dashboards.risk.operations import recompute_patients
from feedback.delivery.worker import JobSpec, register_job
from feedback.models import Patient, TherapySession, utcnow

log = logging.getLogger(__name__)

JOB = JobSpec("refresh_flags", "FLAGS_REFRESH_SECONDS", 3600, "re-evaluate flags that change with time alone")
#: Small enough that a web request waiting for one of these rows waits a fraction of a second.
BATCH = 100


def refresh_stale(now: datetime | None = None, *, older_than: timedelta | None = None, batch: int = BATCH) -> int:
    """Re-evaluate every active treatment evaluated before `now - older_than` (or never, though
    it has sessions: its first recompute failed); how many were."""
    now = now or utcnow()
    if older_than is None:
        older_than = timedelta(seconds=float(current_app.config.get(JOB.config_key, JOB.default_seconds)))
    if older_than <= timedelta(0):
        raise ValueError(f"{JOB.config_key} must be positive")  # else a fresh evaluation would be stale again
    cutoff, done, failed = now - older_than, 0, set[int]()
    db.session.rollback()  # each batch starts its own transaction
    while True:
        _lock_database()
        ids = pick_stale(cutoff, batch, skip=failed)
        if not ids:
            db.session.rollback()
            return done
        done += _evaluate(ids, now, failed)


def pick_stale(cutoff: datetime, limit: int, *, skip: Collection[int] = ()) -> list[int]:
    """Up to `limit` stale active treatments, locked for this transaction (PostgreSQL skips the
    rows another transaction holds); the never-evaluated ones once no stale one is left."""
    stale = (
        select(PatientRisk.patient_id)
        .join(Patient, Patient.id == PatientRisk.patient_id)
        .where(Patient.status == "active", PatientRisk.evaluated_at < cutoff, PatientRisk.patient_id.not_in(skip))
        .order_by(PatientRisk.evaluated_at, PatientRisk.patient_id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=PatientRisk)
    )
    ids = list(db.session.scalars(stale))
    if ids:
        return ids
    has_sessions = exists().where(TherapySession.patient_id == Patient.id)
    unevaluated = ~exists().where(PatientRisk.patient_id == Patient.id)
    first = select(Patient.id).where(Patient.status == "active", has_sessions, unevaluated, Patient.id.not_in(skip))
    return list(db.session.scalars(first.order_by(Patient.id).limit(limit)))


def _evaluate(ids: list[int], now: datetime, failed: set[int]) -> int:
    try:
        recompute_patients(ids, now=now)  # commits, which releases the rows
        return len(ids)
    except Exception:
        db.session.rollback()
        if len(ids) == 1:
            failed.add(ids[0])
            log.exception("flag refresh failed for patient id %s; it is tried again at the next run", ids[0])
            return 0
    # One patient's failure must not hold back the rest of the batch.
    done = 0
    for patient_id in ids:
        _lock_database()
        done += _evaluate([patient_id], now, failed)
    return done


def _lock_database() -> None:
    """SQLite has no row locks: take its write lock for the batch's transaction (WAL readers go
    on; other writers queue for up to the busy timeout, a fraction of a second per batch)."""
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.connection().exec_driver_sql("BEGIN IMMEDIATE")


def register(app: Flask) -> None:
    register_job(app, JOB, refresh_stale)
