"""Flags in the app: recomputed per patient when their data changes, stored for dashboards.
An answer is evaluated by the worker's poll (dashboards/risk/changed.py), which the tests run
where the worker would have run by then."""

from __future__ import annotations

import csv
import gc
import io
import json
from contextlib import contextmanager

import pytest
from sqlalchemy import select

from app import create_app
from dashboards.demo import clinic as demo
from dashboards.risk import store
from dashboards.risk.changed import evaluate_changed
from dashboards.risk.models import PatientRisk, RiskEvent
from dashboards.risk.store import recompute_patients, thresholds
from feedback import cycle_collector
from feedback.config import ConfigError
from feedback.extensions import db
from tests.factories import CALM, answer_patient_form

RUPTURE = {**CALM, "rupture": True, "rupture_tension": 4, "rupture_resolved": 1, "frustrated": 4}


def test_a_response_recomputes_only_that_patient(make_patient, make_session):
    alice, bob = make_patient(code="AL-1"), make_patient(code="BO-1")
    bob_session = make_session(bob)
    bob_risk_before = db.session.get(PatientRisk, bob.id).evaluated_at

    answer_patient_form(make_session(alice), RUPTURE)
    assert evaluate_changed() == 1  # the worker's next poll

    risk = db.session.get(PatientRisk, alice.id)
    assert risk.level == "high" and risk.ever_high
    assert "not resolved" in risk.main_reason
    events = db.session.scalars(select(RiskEvent).where(RiskEvent.patient_id == alice.id)).all()
    assert {e.code for e in events} >= {"unresolved_rupture"}
    assert db.session.get(PatientRisk, bob.id).evaluated_at == bob_risk_before  # untouched
    assert bob_session  # (bob had his own session, evaluated then)


def test_events_keep_their_first_seen_time_across_recomputes(make_patient, make_session):
    patient = make_patient()
    answer_patient_form(make_session(patient), RUPTURE)
    evaluate_changed()
    first = db.session.scalars(select(RiskEvent).where(RiskEvent.code == "unresolved_rupture")).one()
    seen_at = first.first_seen_at
    recompute_patients([patient.id])
    again = db.session.scalars(select(RiskEvent).where(RiskEvent.code == "unresolved_rupture")).one()
    assert again.id == first.id and again.first_seen_at == seen_at


def test_recompute_returns_evaluations_and_levels(make_patient, make_session):
    patient = make_patient()
    answer_patient_form(make_session(patient), CALM)
    assert recompute_patients([patient.id])[patient.id].risk == "none"
    assert db.session.get(PatientRisk, patient.id).level == "none"


def test_flags_command_json(runner, app):
    demo.seed()
    result = runner.invoke(args=["flags", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = {p["patient_code"]: p for p in json.loads(result.output)}
    assert len(data) == 14  # 8 in treatment, 6 ended
    rupture = data["NS-103"]
    assert rupture["risk"] == "high" and rupture["therapist"] == "alex@northside.example"
    event = next(e for e in rupture["events"] if e["code"] == "unresolved_rupture")
    assert {"session_number", "code", "severity", "reason", "numbers", "current"} <= set(event)
    assert event["numbers"]["tension"] >= 3 and event["severity"] == "high"
    assert data["NS-101"]["risk"] == "none"


def test_flags_command_csv_one_patient_as_of_a_date(runner, app):
    demo.seed()
    result = runner.invoke(args=["flags", "--format", "csv", "--patient", "NS-103", "--as-of", "2000-01-01"])
    rows = list(csv.DictReader(io.StringIO(result.output)))
    # Before the treatment began nothing is known: one row, risk none, no events.
    assert rows == [{"patient_code": "NS-103", "therapist": "alex@northside.example", "risk": "none",
                     "as_of": "2000-01-01", "session_number": "", "code": "", "subject": "", "severity": "", "current": "",
                     "reason": "", "numbers": ""}]
    today = list(csv.DictReader(io.StringIO(runner.invoke(args=["flags", "--format", "csv", "--patient", "NS-103"]).output)))
    assert {r["code"] for r in today} >= {"unresolved_rupture"} and all(r["risk"] == "high" for r in today)
    json.loads(today[0]["numbers"])


def test_flags_command_refuses_bad_input(runner, app):
    assert "is not a date" in runner.invoke(args=["flags", "--as-of", "tomorrow"]).output
    assert "no patient NOPE" in runner.invoke(args=["flags", "--patient", "NOPE"]).output


def test_demo_flags_are_stored_after_seeding(app):
    seeded = demo.seed()
    levels = dict(db.session.execute(select(PatientRisk.patient_id, PatientRisk.level)).all())
    assert len(levels) == 14 and "high" in levels.values() and "none" in levels.values()
    assert seeded.clinic


def test_a_quiet_full_recompute_decides_ever_high_afresh_and_marks_nothing_new(make_patient, make_session):
    ruptured, calm = make_patient(), make_patient()
    answer_patient_form(make_session(ruptured), RUPTURE)  # each answer recomputes its patient
    answer_patient_form(make_session(calm), CALM)
    # As an upgrade leaves things: events stored under the old rules' keys, an old "ever high".
    db.session.execute(RiskEvent.__table__.delete())
    db.session.get(PatientRisk, calm.id).ever_high = True
    db.session.commit()
    recompute_patients([ruptured.id, calm.id], full_history=True, announce=False)
    db.session.expire_all()
    events = db.session.scalars(select(RiskEvent).where(RiskEvent.patient_id == ruptured.id)).all()
    assert "unresolved_rupture" in {e.code for e in events} and not any(e.news for e in events)
    assert db.session.get(PatientRisk, ruptured.id).ever_high is True
    assert db.session.get(PatientRisk, calm.id).ever_high is False  # decided afresh, not kept


def test_thresholds_come_from_the_environment_and_bad_ones_stop_the_app(monkeypatch):
    monkeypatch.setenv("FLAG_THRESHOLDS_JSON", '{"cusum_h": 4.5}')
    app = create_app({"APP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with app.app_context():
        assert thresholds().cusum_h == 4.5
    for bad in ('{"cusum_hh": 4}', '{"cusum_h": "high"}', "[1, 2]", "not json"):
        monkeypatch.setenv("FLAG_THRESHOLDS_JSON", bad)
        with pytest.raises(ConfigError, match="FLAG_THRESHOLDS_JSON"):
            create_app({"APP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_each_batch_is_evaluated_with_the_cycle_collector_off_and_it_is_on_between_batches(
        make_patient, make_session, monkeypatch):
    patients = [make_patient(code=f"GC-{n}") for n in (1, 2)]
    for patient in patients:
        answer_patient_form(make_session(patient), RUPTURE)
    seen = []
    evaluate, pause = store.evaluate, cycle_collector.paused

    @contextmanager
    def watched_pause():
        seen.append(("batch", gc.isenabled()))
        with pause():
            yield

    monkeypatch.setattr(store, "BATCH", 1)
    monkeypatch.setattr(cycle_collector, "paused", watched_pause)
    monkeypatch.setattr(store, "evaluate", lambda *a, **k: seen.append(("evaluate", gc.isenabled())) or evaluate(*a, **k))

    assert gc.isenabled()
    recompute_patients([p.id for p in patients])

    # Each batch starts with it on (the first batch's end turned it back on) and evaluates with it off.
    assert seen == [("batch", True), ("evaluate", False)] * 2
    assert gc.isenabled()
    assert {db.session.get(PatientRisk, p.id).level for p in patients} == {"high"}  # evaluated and stored as ever


def test_the_cycle_collector_is_back_on_after_a_batch_fails(make_patient, make_session, monkeypatch):
    patient = make_patient(code="GC-3")
    make_session(patient)
    monkeypatch.setattr(store, "evaluate", lambda *a, **k: 1 / 0)

    with pytest.raises(ZeroDivisionError):
        recompute_patients([patient.id])
    db.session.rollback()

    assert gc.isenabled()
