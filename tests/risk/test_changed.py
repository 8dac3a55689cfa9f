"""The worker's short poll: an answer marks its treatment, the poll evaluates it within seconds
(dashboards/risk/changed.py); every treatment once, a failure kept for a retry."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from dashboards.risk import changed, store
from dashboards.risk.models import PatientRisk, RiskEvent
from feedback.extensions import db
from feedback.models import Patient, utcnow
from tests.factories import CALM, answer_patient_form
from tests.risk.holds import free_to_evaluate
from tests.threads import run_at_once

QUOTED = "-".join(["an", "answer", "quoted"])  # built here, so that no source line in a traceback shows it
RUPTURE = {**CALM, "rupture": True, "rupture_tension": 5, "rupture_resolved": 1, "frustrated": 4}


def _marks(*patients: Patient) -> dict[int, tuple[object, object]]:
    rows = db.session.execute(select(Patient.id, Patient.flags_stale_at, Patient.flags_claimed_until)
                              .where(Patient.id.in_([p.id for p in patients])))
    return {pid: (mark, claim) for pid, mark, claim in rows}


def _answered(make_patient, make_session, answers=RUPTURE) -> Patient:
    patient = make_patient()
    answer_patient_form(make_session(patient), answers)  # what the survey stores
    return patient


def test_an_answer_marks_its_treatment_and_the_poll_evaluates_and_clears_it(make_patient, make_session):
    patient, other = make_patient(), make_patient()
    recorded = make_session(patient)  # a session evaluates at once: the therapist recorded it
    assert db.session.get(PatientRisk, patient.id).level == "none"

    answer_patient_form(recorded, RUPTURE)

    db.session.expire_all()
    mark, claim = _marks(patient)[patient.id]
    assert mark is not None and claim is None
    assert _marks(other)[other.id] == (None, None)
    assert db.session.get(PatientRisk, patient.id).level == "none"  # not evaluated by the answer

    assert changed.evaluate_changed() == 1

    db.session.expire_all()
    assert _marks(patient)[patient.id] == (None, None)
    assert db.session.get(PatientRisk, patient.id).level == "high"
    assert "unresolved_rupture" in set(db.session.scalars(select(RiskEvent.code)))
    assert changed.evaluate_changed() == 0  # nothing left


def test_an_evaluation_holds_its_treatment_from_before_it_reads_until_it_has_stored(make_patient, make_session,
                                                                                      monkeypatch):
    patient = _answered(make_patient, make_session)
    real = store.load_histories_and_zones
    free: list[bool] = []

    def load(ids, *args, **kwargs):
        free.append(free_to_evaluate(patient.id))
        return real(ids, *args, **kwargs)

    monkeypatch.setattr(store, "load_histories_and_zones", load)
    assert changed.evaluate_changed() == 1
    assert free == [False]  # held while reading the history (SQLite too: no overlapping evaluations)
    assert free_to_evaluate(patient.id)  # and handed back


@pytest.mark.parametrize("writer", ["another request", "after the marks were read"])
def test_an_answer_arriving_during_the_evaluation_keeps_its_mark(app, make_patient, make_session, monkeypatch, writer):
    """`another request`: an answer committed while the evaluation runs (PostgreSQL: the evaluation
    holds risk rows, not the patient's, so the answer does not wait). `after the marks were read`:
    the newer mark is written in the evaluation's own transaction once it has read its marks, the
    one moment it can land on SQLite too (where a concurrent answer waits for the write lock, and
    so comes after the clear): the clear must leave a mark it did not read."""
    if writer == "another request" and db.engine.dialect.name == "sqlite":
        pytest.skip("SQLite's evaluation holds the write lock: the answer waits for it")
    patient = _answered(make_patient, make_session)
    newer = utcnow() + timedelta(seconds=1)
    real = store.load_histories_and_zones
    seen: list[object] = []
    move_mark = update(Patient).where(Patient.id == patient.id).values(flags_stale_at=newer)

    def load_meanwhile(ids, *args, **kwargs):
        if not seen and writer == "after the marks were read":
            db.session.execute(move_mark, execution_options={"synchronize_session": False})
        seen.append(_marks(patient)[patient.id])  # what this evaluation's transaction sees as it starts
        if len(seen) == 1 and writer == "another request":
            with db.engine.begin() as other_request:  # another answer commits after the mark was read
                other_request.execute(move_mark)
        return real(ids, *args, **kwargs)

    monkeypatch.setattr(store, "load_histories_and_zones", load_meanwhile)
    # The first evaluation leaves the newer mark and hands the treatment back; the same run takes
    # it again and evaluates the newer answer too.
    assert changed.evaluate_changed() == 2
    assert seen[1][0] == newer  # kept by the first evaluation, seen by the second
    db.session.expire_all()
    assert _marks(patient)[patient.id] == (None, None)


def test_a_failing_evaluation_keeps_its_mark_is_logged_without_content_and_retried(
    make_patient, make_session, monkeypatch, caplog
):
    patients = [_answered(make_patient, make_session) for _ in range(3)]
    broken = patients[1].id
    real = changed.recompute_patients

    def recompute(ids, **kwargs):
        if broken in ids:
            raise RuntimeError(f"a message that quotes data: {QUOTED}")
        return real(ids, **kwargs)

    monkeypatch.setattr(changed, "recompute_patients", recompute)
    with caplog.at_level(logging.ERROR, logger="dashboards.risk.changed"):
        assert changed.evaluate_changed() == 2  # the others are not held back

    db.session.expire_all()
    marks = _marks(*patients)
    assert marks[patients[0].id] == marks[patients[2].id] == (None, None)
    mark, claim = marks[broken]
    assert mark is not None and claim is not None  # the answer is still waiting for its evaluation
    assert f"flag evaluation failed for patient id {broken} (builtins.RuntimeError)" in caplog.text
    assert QUOTED not in caplog.text
    assert changed.evaluate_changed() == 0  # the claim holds it until the retry is due

    monkeypatch.setattr(changed, "recompute_patients", real)
    assert changed.evaluate_changed(claim + timedelta(seconds=1)) == 1  # retried once the claim lapsed
    db.session.expire_all()
    assert _marks(*patients)[broken] == (None, None)
    assert db.session.get(PatientRisk, broken).level == "high"


def test_two_claimers_at_once_never_take_the_same_treatment(app, make_patient, make_session):
    ids = {_answered(make_patient, make_session, CALM).id for _ in range(10)}
    db.session.remove()
    now = utcnow()

    claims = run_at_once(app, lambda: changed.claim_changed(now, 5))

    taken = [set(found[0]) for found in claims if found]
    assert len(taken) == 2 and not taken[0] & taken[1] and taken[0] | taken[1] == ids


def test_two_workers_polling_at_once_evaluate_each_treatment_once(app, make_patient, make_session, monkeypatch):
    ids = {_answered(make_patient, make_session, CALM).id for _ in range(8)}
    db.session.remove()
    evaluated: list[int] = []
    lock = threading.Lock()
    real = changed.recompute_patients

    def recompute(batch, **kwargs):
        with lock:
            evaluated.extend(batch)
        return real(batch, **kwargs)

    monkeypatch.setattr(changed, "recompute_patients", recompute)
    done = run_at_once(app, lambda: changed.evaluate_changed(batch=2))

    assert sum(done) == 8 and sorted(evaluated) == sorted(ids)  # every treatment once, none twice
    assert set(db.session.scalars(select(Patient.flags_stale_at).where(Patient.id.in_(ids)))) == {None}


def test_a_recompute_for_another_reason_clears_the_mark_it_saw(make_patient, make_session):
    patient = _answered(make_patient, make_session)
    store.recompute_patients([patient.id])  # e.g. the hourly refresh, an import, a recorded session
    db.session.expire_all()
    assert _marks(patient)[patient.id] == (None, None)


def test_every_worker_polls_at_its_own_short_interval(app):
    assert app.extensions["worker_jobs"]["evaluate_changed"] == (changed.JOB, changed.evaluate_changed)
    assert changed.JOB.config_key == "FLAGS_CHANGED_SECONDS" and changed.JOB.default_seconds <= 5
