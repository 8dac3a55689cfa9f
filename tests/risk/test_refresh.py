"""The worker's flag refresh: what changes with time alone (weeks without a session, links that
expire unanswered) reaches the stored flags although nothing new is written."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from dashboards.risk import refresh
from dashboards.risk.models import PatientRisk, RiskEvent
from dashboards.risk.store import recompute_patients
from feedback.delivery import worker
from feedback.extensions import db
from feedback.models import TherapySession
from tests.dashboards.builders import CALM, NOW, add_weekly, end_treatment
from tests.threads import run_at_once

HOUR = timedelta(hours=1)
LATER = NOW + timedelta(weeks=5)


def _treatment(make_patient, weeks: int = 4):
    """Weekly calm sessions up to last week, evaluated NOW: nothing flagged."""
    patient = make_patient()
    add_weekly(patient, [(CALM, None)] * weeks, first=NOW - timedelta(weeks=weeks))
    db.session.commit()
    recompute_patients([patient.id], now=NOW)
    return patient


def test_weeks_without_a_session_raise_disengagement_at_the_next_refresh(make_patient):
    patient = _treatment(make_patient)
    assert db.session.get(PatientRisk, patient.id).level == "none"

    assert refresh.refresh_stale(LATER, older_than=HOUR) == 1

    db.session.expire_all()
    risk = db.session.get(PatientRisk, patient.id)
    assert risk.level == "watch" and risk.evaluated_at == LATER and "weeks" in risk.main_reason
    gap = db.session.scalars(select(RiskEvent).where(RiskEvent.patient_id == patient.id,
                                                     RiskEvent.code == "disengagement")).one()
    assert gap.current and gap.first_seen_at == LATER


def test_recently_evaluated_and_ended_treatments_are_left_alone(make_patient):
    fresh, ended = _treatment(make_patient), _treatment(make_patient)
    recompute_patients([fresh.id], now=LATER - timedelta(minutes=10))  # e.g. an answer just arrived
    end_treatment(ended, "completed", NOW.date())
    db.session.commit()
    before = {p.id: db.session.get(PatientRisk, p.id).evaluated_at for p in (fresh, ended)}

    assert refresh.refresh_stale(LATER, older_than=HOUR) == 0

    db.session.expire_all()
    assert {p.id: db.session.get(PatientRisk, p.id).evaluated_at for p in (fresh, ended)} == before


def test_rows_another_transaction_holds_are_skipped_not_waited_for(make_patient):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("row locks are PostgreSQL's; on SQLite a batch holds the whole database")
    ids = sorted(_treatment(make_patient, weeks=1).id for _ in range(3))
    with db.engine.connect() as other:
        other.execute(select(PatientRisk).where(PatientRisk.patient_id == ids[0]).with_for_update())

        picked = refresh.pick_stale(LATER - HOUR, 10)

        assert picked == ids[1:]  # at once, without the row a web request is recomputing
        other.rollback()
    db.session.rollback()


def test_an_answer_arriving_during_a_batch_is_evaluated_after_it_on_top_of_it(app, make_patient):
    """The batch holds the patient's row and commits a new session; the answer's recompute, which
    started meanwhile, must read that session rather than overwrite it with an older history."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite runs one writer at a time")
    patient = _treatment(make_patient)
    patient_id, therapist_id = patient.id, patient.therapist_id
    db.session.remove()
    with db.engine.connect() as batch:
        batch.execute(select(PatientRisk).where(PatientRisk.patient_id == patient_id).with_for_update())
        with Session(bind=batch) as writer:
            writer.add(TherapySession(patient_id=patient_id, therapist_id=therapist_id, number=5,
                                      starts_at=LATER - timedelta(days=2), attendance="attended"))
            writer.flush()
        answer = threading.Thread(target=lambda: _in_app(app, lambda: recompute_patients([patient_id], now=LATER, lock=True)))
        answer.start()
        answer.join(timeout=0.5)
        assert answer.is_alive()  # waiting for the batch's row
        batch.commit()
        answer.join(timeout=30)
    assert not answer.is_alive()
    risk = db.session.get(PatientRisk, patient_id)
    assert risk.level == "none" and risk.evaluated_at == LATER  # the session two days ago counted: no gap


def _in_app(app, work) -> None:
    with app.app_context():
        work()


@pytest.mark.parametrize("first_evaluation_failed", [False, True])
def test_two_workers_refreshing_at_once_evaluate_each_patient_once(app, make_patient, first_evaluation_failed):
    ids = {_treatment(make_patient, weeks=1).id for _ in range(8)}
    if first_evaluation_failed:  # no risk row to lock: the patient rows stand in
        db.session.execute(delete(RiskEvent))
        db.session.execute(delete(PatientRisk))
        db.session.commit()
    db.session.remove()

    done = run_at_once(app, lambda: refresh.refresh_stale(LATER, older_than=HOUR, batch=2))

    assert len(done) == 2 and sum(done) == 8  # every patient once, none twice
    rows = db.session.execute(select(PatientRisk.level, PatientRisk.evaluated_at).where(PatientRisk.patient_id.in_(ids)))
    assert set(rows) == {("watch", LATER)}


def test_a_failing_patient_is_logged_and_holds_back_no_one(make_patient, monkeypatch, caplog):
    ids = sorted(_treatment(make_patient, weeks=1).id for _ in range(3))
    broken = ids[1]
    real = refresh.recompute_patients

    def recompute(batch, **kwargs):
        if broken in batch:
            raise RuntimeError("bad data")
        return real(batch, **kwargs)

    monkeypatch.setattr(refresh, "recompute_patients", recompute)
    with caplog.at_level(logging.ERROR, logger="dashboards.risk.refresh"):
        assert refresh.refresh_stale(LATER, older_than=HOUR) == 2  # ends, though one is still stale

    evaluated = dict(db.session.execute(select(PatientRisk.patient_id, PatientRisk.evaluated_at)).all())
    assert evaluated[ids[0]] == evaluated[ids[2]] == LATER
    assert evaluated[broken] < LATER - HOUR  # not marked as evaluated: the next run tries again
    assert f"flag refresh failed for patient id {broken}" in caplog.text


def test_a_non_positive_interval_is_refused(app):
    with pytest.raises(ValueError, match="FLAGS_REFRESH_SECONDS must be positive"):
        refresh.refresh_stale(LATER, older_than=timedelta(0))


def test_a_treatment_whose_first_evaluation_failed_is_caught_up(make_patient):
    patient = _treatment(make_patient)
    db.session.execute(delete(RiskEvent).where(RiskEvent.patient_id == patient.id))
    db.session.execute(delete(PatientRisk).where(PatientRisk.patient_id == patient.id))
    db.session.commit()

    assert refresh.refresh_stale(LATER, older_than=HOUR) == 1
    assert db.session.get(PatientRisk, patient.id).level == "watch"


def test_the_interval_comes_from_the_settings(app, make_patient):
    patient = _treatment(make_patient)
    app.config["FLAGS_REFRESH_SECONDS"] = 6 * 7 * 24 * 3600  # six weeks: the evaluation is not stale yet
    assert refresh.refresh_stale(LATER) == 0
    app.config["FLAGS_REFRESH_SECONDS"] = 3600
    assert refresh.refresh_stale(LATER) == 1
    assert db.session.get(PatientRisk, patient.id).evaluated_at == LATER


def test_every_worker_runs_the_refresh_at_its_interval(app, monkeypatch):
    assert app.extensions["worker_jobs"]["refresh_flags"] == (refresh.JOB, refresh.refresh_stale)
    app.config["FLAGS_REFRESH_SECONDS"] = 900
    ran = []
    monkeypatch.setitem(app.extensions["worker_jobs"], "refresh_flags", (refresh.JOB, lambda: ran.append(1)))
    scheduler = BackgroundScheduler()
    scheduler.start(paused=True)
    jobs = worker.DeliveryJobs(app)

    worker.add_jobs(scheduler, jobs)
    job = scheduler.get_job("refresh_flags")
    scheduler.shutdown()

    assert job is not None and job.trigger.interval.total_seconds() == 900
    jobs.runner("refresh_flags")()
    assert ran == [1]


def test_a_pick_whose_rows_another_worker_evaluated_meanwhile_looks_again(make_patient, monkeypatch):
    """The locking statement's snapshot may predate another worker's commit: every row it locked can
    turn out evaluated. The pick must then look further, not come back empty, which would end the
    worker's run with treatments never evaluated still waiting."""
    ids = sorted(_treatment(make_patient, weeks=1).id for _ in range(3))
    db.session.execute(delete(RiskEvent))
    db.session.execute(delete(PatientRisk))  # never evaluated: picked by their patient rows
    db.session.commit()
    recheck, rechecked = refresh._still_unevaluated, []

    def evaluated_meanwhile(locked: list[int]) -> list[int]:
        rechecked.append(list(locked))
        if len(rechecked) == 1:  # as if another worker had committed their evaluations after the snapshot
            db.session.add_all(PatientRisk(patient_id=pid, level="none", as_of=NOW.date()) for pid in locked)
            db.session.flush()
        return recheck(locked)

    monkeypatch.setattr(refresh, "_still_unevaluated", evaluated_meanwhile)

    assert refresh.pick_stale(LATER - HOUR, 2) == ids[2:]
    assert rechecked == [ids[:2], ids[2:]]
    db.session.rollback()
