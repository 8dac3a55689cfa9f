"""Flags that change with time alone, refreshed by the worker.

A questionnaire link that expires unanswered, or weeks passing without a session, change a
treatment's flags (disengagement, docs/clinical-model.md) although nothing is written that would trigger the
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

from dashboards.risk.models import PatientRisk
from dashboards.risk.store import BATCH as RECOMPUTE_BATCH
from dashboards.risk.store import recompute_patients
from feedback.delivery.worker import JobSpec, register_job
from feedback.extensions import db, hold_sqlite_write_lock
from feedback.models import Patient, TherapySession, utcnow

log = logging.getLogger(__name__)

JOB = JobSpec("refresh_flags", "FLAGS_REFRESH_SECONDS", 3600, "re-evaluate flags that change with time alone")
#: Small enough that a web request waiting for one of these rows waits a fraction of a second
#: (and at most recompute_patients' own batch, so one commit ends it).
BATCH = 100
_UNEVALUATED = ~exists().where(PatientRisk.patient_id == Patient.id)  # no risk row: never evaluated


def refresh_stale(now: datetime | None = None, *, older_than: timedelta | None = None, batch: int = BATCH) -> int:
    """Re-evaluate every active treatment evaluated before `now - older_than` (or never, though
    it has sessions: its first recompute failed); how many were."""
    now = now or utcnow()
    if older_than is None:
        older_than = timedelta(seconds=float(current_app.config.get(JOB.config_key, JOB.default_seconds)))
    if older_than <= timedelta(0):
        raise ValueError(f"{JOB.config_key} must be positive")  # else a fresh evaluation would be stale again
    cutoff, done, failed = now - older_than, 0, set[int]()
    batch = min(batch, RECOMPUTE_BATCH)  # one commit per batch, or the rest would lose its locks
    db.session.rollback()  # each batch starts its own transaction
    while ids := _pick(cutoff, batch, skip=failed):
        try:
            recompute_patients(ids, now=now, lock=True)  # commits, which releases the rows
            done += len(ids)
        except Exception:
            db.session.rollback()
            # One patient's failure must not hold back the rest of the batch: one at a time,
            # each picked again (another worker may have taken it meanwhile).
            for patient_id in ids:
                done += _evaluate_one(patient_id, cutoff, now, failed)
    db.session.rollback()
    return done


def pick_stale(cutoff: datetime, limit: int, *, skip: Collection[int] = (), only: int | None = None) -> list[int]:
    """Up to `limit` stale active treatments, locked for this transaction (PostgreSQL skips the
    rows another transaction holds); the never-evaluated ones once no stale one is left. Their
    patient rows are locked then, with those of any found evaluated by another worker meanwhile:
    held until the batch commits, so an answer or a new session of one of them waits that long."""
    wanted = [Patient.status == "active", Patient.id.not_in(skip), *([] if only is None else [Patient.id == only])]
    stale = (
        select(PatientRisk.patient_id)
        .join(Patient, Patient.id == PatientRisk.patient_id)
        .where(PatientRisk.evaluated_at < cutoff, *wanted)
        .order_by(PatientRisk.evaluated_at, PatientRisk.patient_id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=PatientRisk)
    )
    ids = list(db.session.scalars(stale))
    if ids:
        return ids
    # No risk row to lock: the patient row stands in for it, so two workers take different ones.
    has_sessions = exists().where(TherapySession.patient_id == Patient.id)
    first = (
        select(Patient.id)
        .where(has_sessions, _UNEVALUATED, *wanted)
        .order_by(Patient.id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=Patient)
    )
    # When another worker evaluated every row this statement locked, look again: the next statement
    # sees them evaluated. Returning nothing would end the caller's run with the rest still to do
    # (in the organisation bench one of two processes took 700 of 48,000 first evaluations; see
    # bench/RESULTS.md, "The refresh's early stop").
    while locked := list(db.session.scalars(first)):
        if picked := _still_unevaluated(locked):
            return picked
    return []


def _still_unevaluated(locked: list[int]) -> list[int]:
    """Of the patient rows just locked, those still without a risk row: read by a new statement,
    with a new snapshot, now that the rows are held. Another worker may have evaluated and released
    some between the locking statement's snapshot and its locks, and an evaluation need not update
    their patient rows, so PostgreSQL need not re-check the condition."""
    still = set(db.session.scalars(select(Patient.id).where(Patient.id.in_(locked), _UNEVALUATED)))
    return [pid for pid in locked if pid in still]


def _pick(cutoff: datetime, limit: int, *, skip: Collection[int], only: int | None = None) -> list[int]:
    hold_sqlite_write_lock()  # for the batch's transaction: batches of different processes queue
    return pick_stale(cutoff, limit, skip=skip, only=only)


def _evaluate_one(patient_id: int, cutoff: datetime, now: datetime, failed: set[int]) -> int:
    if not _pick(cutoff, 1, skip=failed, only=patient_id):
        db.session.rollback()  # evaluated or held by someone else since
        return 0
    try:
        recompute_patients([patient_id], now=now, lock=True)
        return 1
    except Exception:
        db.session.rollback()
        failed.add(patient_id)
        log.exception("flag refresh failed for patient id %s; it is tried again at the next run", patient_id)
        return 0


def register(app: Flask) -> None:
    register_job(app, JOB, refresh_stale)
