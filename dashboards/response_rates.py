"""The director's response rates per therapist, kept precomputed.

The overview's response rate counts every patient questionnaire of the sessions a clinic held in
the last 90 days (~25,000 at 2,000 patients): computing it was most of the page's time. It moves
slowly (a few answers an hour against thousands counted), so the workers recompute it for each
clinic every `RESPONSE_RATES_SECONDS` (10 minutes) and the page reads the stored row and says when
it was computed. Every worker runs the job, but each clinic is claimed: a worker skips a clinic
whose row another worker is computing (`FOR UPDATE SKIP LOCKED` on PostgreSQL; on SQLite the check
and the count run under the write lock) or computed less than `FRESH_FOR` of an interval ago, so
each clinic is counted about once an interval however many workers run. A clinic whose row is
missing, or older than `STALE_AFTER` intervals (no worker running), has it computed in the request
and stored. The page's other figures (the high-risk list, supervision, ended treatments) are read
fresh: they must show the flags of now.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Flask, current_app
from sqlalchemy import JSON, ForeignKey, case, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from feedback.delivery.worker import JobSpec, register_job
from feedback.extensions import db, hold_sqlite_write_lock
from feedback.models import Clinic, Invitation, Patient, TherapySession, utcnow
from feedback.models.types import UTCDateTime

#: Response rates count the questionnaires of sessions held in this window.
WINDOW = timedelta(days=90)
JOB = JobSpec("response_rates", "RESPONSE_RATES_SECONDS", 600, "recompute the directors' response rates")
#: A stored row older than this many intervals is recomputed by the page itself: the worker is
#: not running (or far behind), and a figure hours old would mislead.
STALE_AFTER = 2
#: A worker skips a clinic computed less than this share of an interval ago (project choice). Below
#: 1: the worker that computed it runs again an interval later, give or take its scheduler's jitter,
#: and must not find its own row not yet due (it would then wait a whole interval more). Three
#: quarters leaves 2.5 min of slack at the default 10 min, and skips the other workers' runs between.
FRESH_FOR = 0.75

Counts = dict[int, tuple[int, int]]  # therapist id -> (answered, due)


class ResponseRates(db.Model):
    """One clinic's patient questionnaires answered of due, per therapist, over WINDOW up to computed_at."""

    __tablename__ = "response_rates"

    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"), primary_key=True)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: {"therapist id": [answered, due]} (JSON keys are strings)
    by_therapist: Mapped[dict[str, list[int]]] = mapped_column(JSON)


def interval() -> timedelta:
    return timedelta(seconds=float(current_app.config.get(JOB.config_key, JOB.default_seconds)))


def count_responses(clinic_id: int, now: datetime, window: timedelta = WINDOW) -> Counts:
    """Patient questionnaires of sessions held in [now - window, now]: answered of due (answered or expired)."""
    due = case((or_(Invitation.completed_at.is_not(None), Invitation.expires_at <= now), 1), else_=0)
    rows = db.session.execute(
        select(TherapySession.therapist_id, func.count(Invitation.completed_at), func.sum(due))
        .join(TherapySession, TherapySession.id == Invitation.session_id)
        .join(Patient, Patient.id == TherapySession.patient_id)
        .where(
            Patient.clinic_id == clinic_id,
            Invitation.respondent == "patient",
            TherapySession.starts_at >= now - window,
            TherapySession.starts_at <= now,
        )
        .group_by(TherapySession.therapist_id)
    ).all()
    return {therapist_id: (answered or 0, total or 0) for therapist_id, answered, total in rows}


def store_counts(clinic_id: int, counts: Counts, now: datetime) -> None:
    """Upsert the clinic's row (two writers at once, the worker and a page, both succeed); no commit."""
    insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    values = {"computed_at": now, "by_therapist": {str(tid): list(pair) for tid, pair in counts.items()}}
    db.session.execute(
        insert(ResponseRates).values(clinic_id=clinic_id, **values)
        .on_conflict_do_update(index_elements=[ResponseRates.clinic_id], set_=values)
    )


def current_counts(clinic_id: int, now: datetime | None = None) -> tuple[Counts, datetime]:
    """The clinic's stored counts and when they were computed; computed, stored and committed now
    if missing or older than STALE_AFTER intervals."""
    now = now or utcnow()
    row = db.session.execute(
        select(ResponseRates.by_therapist, ResponseRates.computed_at).where(ResponseRates.clinic_id == clinic_id)
    ).first()
    if row is not None and now - row.computed_at <= STALE_AFTER * interval():
        return {int(tid): (answered, due) for tid, (answered, due) in row.by_therapist.items()}, row.computed_at
    counts = count_responses(clinic_id, now)
    store_counts(clinic_id, counts, now)
    db.session.commit()
    return counts, now


def refresh_all(now: datetime | None = None) -> int:
    """The worker's job: each clinic's counts that no other worker has fresh or is computing, one
    short transaction each; how many clinics it computed."""
    now = now or utcnow()
    fresh_since = now - FRESH_FOR * interval()
    clinics = db.session.scalars(select(Clinic.id).order_by(Clinic.id)).all()
    db.session.rollback()
    done = 0
    for clinic_id in clinics:
        if _claim(clinic_id, fresh_since):
            store_counts(clinic_id, count_responses(clinic_id, now), now)
            done += 1
        db.session.commit()  # releases the row
    return done


def _claim(clinic_id: int, fresh_since: datetime) -> bool:
    """Hold the clinic's row for this transaction if it is due: False when it was computed since
    `fresh_since` or another worker holds it. A clinic without a row is due; two workers that find
    it so at once both count it, once (the upsert keeps either)."""
    hold_sqlite_write_lock()
    computed_at = db.session.scalar(
        select(ResponseRates.computed_at).where(ResponseRates.clinic_id == clinic_id).with_for_update(skip_locked=True)
    )
    if computed_at is not None:
        return computed_at < fresh_since
    exists = select(ResponseRates.clinic_id).where(ResponseRates.clinic_id == clinic_id)
    return db.session.scalar(exists) is None  # a row there was skipped: another worker holds it


def register(app: Flask) -> None:
    register_job(app, JOB, refresh_all)
