"""The flag recomputes, timed in-process: the whole clinic (first time, routine, re-walking every
history), the worker's hourly refresh, and one patient the way a new response triggers it."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import select

from bench.clinic import settle
from bench.dataset import Data
from bench.report import Measured, step
from dashboards.risk.refresh import refresh_stale
from dashboards.risk.store import recompute_clinic, recompute_patients
from feedback.extensions import db
from feedback.models import Patient, utcnow

ONE_PATIENT_SAMPLES = 50


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def timed_cpu(action: Callable[[], object]) -> tuple[float, str]:
    """Wall time, and a note of this process's CPU time: on a shared machine the wall time grows
    with the others' load, the CPU time much less (the database's own CPU is not in it on PostgreSQL)."""
    cpu = time.process_time()
    wall = timed(action)
    return wall, f"{wall:.1f} s (this process's CPU {time.process_time() - cpu:.1f} s)"


def measure_flags(data: Data, out: Measured) -> None:
    step("recomputing flags")
    recompute_clinic(data.small.clinic_id)  # first evaluations of the other clinics, not timed
    recompute_clinic(data.pool_clinic_id)
    db.session.remove()
    n = data.main.patients
    cold, cold_text = timed_cpu(lambda: recompute_clinic(data.main.clinic_id))
    db.session.remove()
    warm, warm_text = timed_cpu(lambda: recompute_clinic(data.main.clinic_id))
    db.session.remove()
    _, rewalk_text = timed_cpu(lambda: recompute_clinic(data.main.clinic_id, full_history=True))
    db.session.remove()
    # The worker's hourly refresh two hours on: every active treatment of every clinic is stale.
    started = time.perf_counter()
    refreshed = refresh_stale(utcnow() + timedelta(hours=2), older_than=timedelta(hours=1))
    refresh = time.perf_counter() - started
    db.session.remove()
    ids = db.session.scalars(select(Patient.id).where(Patient.clinic_id == data.main.clinic_id)).all()
    settle()  # the recomputes rewrote every patient's flags: let PostgreSQL catch up, as autovacuum would
    out.add(
        f"Full recompute, {n} patients, first evaluation (`recompute_clinic`, whole histories)",
        cold_text, "≤ 10 s", cold <= 10,
    )
    out.add(f"Full recompute, {n} patients, routine (`recompute_clinic`)", warm_text, "≤ 10 s", warm <= 10)
    out.add(
        f"Full recompute, {n} patients, re-walking every history (`flask recompute-flags --full-history`)",
        rewalk_text, "—", None,
    )
    out.add(
        f"Worker's flag refresh (`refresh_stale`), every active treatment stale: {refreshed:,} in all clinics",
        f"{refresh:.1f} s ({refresh / max(refreshed, 1) * 1000:.1f} ms a treatment)", "—", None,
    )
    samples = sorted(timed(lambda pid=pid: recompute_patients([pid])) * 1000 for pid in ids[:ONE_PATIENT_SAMPLES])
    p50, p95 = samples[len(samples) // 2], samples[int(len(samples) * 0.95) - 1]
    out.add(
        f"One patient (30 sessions) after one response, {len(samples)} patients",
        f"p50 {p50:.1f} ms, p95 {p95:.1f} ms, max {samples[-1]:.1f} ms",
        "≤ 20 ms",
        p95 <= 20,
    )
