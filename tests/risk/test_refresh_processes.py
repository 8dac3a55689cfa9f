"""The flag refresh shared by two real processes (bench/refresh_workers.py, as the organisation
bench runs it at 50,000 patients): every treatment evaluated, none by both (row claims with
SKIP LOCKED on PostgreSQL, the write lock on SQLite)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bench.clinic import build_clinic
from bench.refresh_workers import Refreshed, run_refresh
from dashboards.risk.models import PatientRisk
from feedback.extensions import db

pytestmark = pytest.mark.slow


def test_two_processes_evaluate_every_treatment_once(app, database_url):
    for n in range(2):
        build_clinic(f"Refresh clinic {n}", therapists=3, patients=300, sessions_per_patient=10, seed=n)
    db.session.commit()

    first = run_refresh(database_url, 2, hours_ahead=0, timeout=600)  # never evaluated: all 600
    assert first.total == 600 and not first.twice
    if db.engine.dialect.name == "postgresql":  # row locks: the processes work side by side
        assert all(first.evaluated), f"both processes take part: {[len(ids) for ids in first.evaluated]}"
    # (SQLite has one write lock: batches run one after the other, whichever process gets it.)
    assert db.session.scalar(select(func.count()).select_from(PatientRisk)) == 600
    db.session.rollback()

    hourly = run_refresh(database_url, 2, hours_ahead=2, timeout=600)  # two hours on: all stale
    assert sorted(pid for ids in hourly.evaluated for pid in ids) == sorted(pid for ids in first.evaluated
                                                                            for pid in ids)
    assert not hourly.twice

    assert run_refresh(database_url, 2, hours_ahead=0, timeout=600).total == 0  # nothing left


def test_overlap_is_reported():
    assert Refreshed(1.0, [[1, 2, 3], [3, 4]]).twice == [3]
    assert Refreshed(1.0, [[1, 2], [3, 4]]).twice == []
