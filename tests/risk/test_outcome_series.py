"""Outcome answers from the database into the engine's history, and the outcome flags stored."""

from __future__ import annotations

from sqlalchemy import select

from dashboards.risk.changed import evaluate_changed
from dashboards.risk.histories import load_histories
from dashboards.risk.models import PatientRisk, RiskEvent
from dashboards.risk.outcome_series import load_outcomes
from dashboards.risk.store import recompute_patients
from feedback.battery.store import record_outcome
from feedback.extensions import db
from feedback.instruments.registry import registry
from feedback.links import session_instruments
from feedback.models import Invitation, OutcomeResponse
from tests.dashboards.builders import NOW
from tests.outcomes.records import answers_for, give_outcomes


def test_each_patients_answers_become_measures_in_session_order(make_patient):
    alice, bob = make_patient(code="AL-1"), make_patient(code="BO-1")
    sessions = give_outcomes(alice, [14, None, 9], [10, 9, None])
    give_outcomes(bob, [None, None])
    found = load_outcomes([alice.id, bob.id], {alice.id: "Europe/London", bob.id: "Europe/London"})
    assert set(found) == {alice.id}
    phq, gad = found[alice.id]["phq9"], found[alice.id]["gad7"]
    assert [(s.session_number, s.total) for s in phq.scores] == [(1, 14.0), (3, 9.0)]
    assert [(s.session_number, s.total) for s in gad.scores] == [(1, 10.0), (2, 9.0)]
    assert phq.scores[0].date == sessions[0].starts_at.date()
    assert (phq.name, phq.rules.caseness, gad.rules.reliable_change) == ("PHQ-9", 10, 4)


def test_an_answer_to_an_instrument_the_app_no_longer_has_is_left_out(make_patient):
    patient = make_patient()
    give_outcomes(patient, [14, 9])
    first = db.session.scalars(select(OutcomeResponse).order_by(OutcomeResponse.id)).first()
    first.instrument_version = "99"
    db.session.commit()
    found = load_outcomes([patient.id], {patient.id: "Europe/London"})
    assert [s.session_number for s in found[patient.id]["phq9"].scores] == [2]


def test_the_history_carries_the_outcomes_and_the_store_keeps_their_flags(make_patient):
    patient = make_patient()
    give_outcomes(patient, [9, 11, 16, 16], [6, 6, 7, 7])
    history = load_histories([patient.id], session_instruments()["patient"], NOW)[patient.id]
    assert set(history.outcomes) == {"phq9", "gad7"}
    recompute_patients([patient.id], now=NOW)
    risk = db.session.get(PatientRisk, patient.id)
    assert risk.level == "high" and risk.main_reason.startswith("PHQ-9 rose from 9 at session 1 to 16 at session 4")
    (event,) = db.session.scalars(select(RiskEvent).where(RiskEvent.code == "reliable_deterioration")).all()
    assert (event.severity, event.session_number, event.current, event.news) == ("high", 4, True, True)


def test_an_outcome_answer_marks_the_treatment_and_the_worker_evaluates_its_flags(make_patient):
    patient = make_patient()
    *_, last = give_outcomes(patient, [15] * 8 + [None])
    assert db.session.get(PatientRisk, patient.id) is None  # written straight to the database: not evaluated
    invitation = db.session.scalars(select(Invitation).where(Invitation.session_id == last.id,
                                                             Invitation.respondent == "patient")).one()
    record_outcome(invitation, registry().get("phq-9"), answers_for("phq-9", 15))  # as the survey stores it
    assert db.session.get(PatientRisk, patient.id) is None  # the answer's request evaluates nothing
    assert evaluate_changed() == 1  # the worker's next poll
    codes = {e.code: e.severity for e in db.session.scalars(select(RiskEvent))}
    assert codes.get("no_reliable_improvement") == "watch"
