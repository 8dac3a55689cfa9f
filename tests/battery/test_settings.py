"""Setting the battery: the clinic's by its directors, one patient's by the treating therapist;
checked on the server (422 with each problem named), audited, never a 500."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from dashboards.audit import AuditEvent
from dashboards.battery import operations
from feedback.battery.rules import BatteryError
from feedback.extensions import db
from feedback.models import Clinic, Patient
from tests.conftest import csrf_token_from


def _post(client, path, **data):
    page = client.get(path)
    assert page.status_code == 200
    return client.post(path, data={**data, "csrf_token": csrf_token_from(page.text)})


def _audit(action):
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def test_a_director_sets_the_clinics_battery(world, as_user):
    client = as_user(world.director)
    page = client.get("/clinic/battery")
    assert "Outcome measure 1" in page.text and "Patient Health Questionnaire (PHQ-9)" in page.text
    sent = _post(client, "/clinic/battery", measure_1="gad-7", every_1="intake_and_weeks", weeks_1="4",
                 measure_2="phq-9", every_2="nth", n_2="2", weeks_2="4")
    assert sent.status_code == 303
    clinic = db.session.get(Clinic, world.clinic_a.id)
    assert clinic.outcome_battery == [
        {"instrument": "gad-7", "every": "intake_and_weeks", "n": 2, "weeks": 4},
        {"instrument": "phq-9", "every": "nth", "n": 2, "weeks": 4},
    ]
    assert db.session.get(Clinic, world.clinic_b.id).outcome_battery == []
    (event,) = _audit("set_clinic_battery")
    assert event.user_id == world.director.id and event.clinic_id == world.clinic_a.id
    assert event.detail == "gad-7 at intake, then every 4 weeks; phq-9 every 2nd session (1, 3, …)"
    again = client.get("/clinic/battery")  # the page shows what is stored
    assert 'value="gad-7" selected' in again.text or '<option selected value="gad-7">' in again.text
    assert "saved: gad-7 at intake" in again.text
    # Every place left at None: no outcome measures.
    assert _post(client, "/clinic/battery").status_code == 303
    assert db.session.get(Clinic, world.clinic_a.id).outcome_battery == []


@pytest.mark.parametrize(("data", "message"), [
    ({"measure_1": "phq-9", "every_1": "nth", "n_1": ""}, "Say how many sessions apart"),
    ({"measure_1": "phq-9", "every_1": "nth", "n_1": "0"}, "Enter a number of sessions from 1 to 52."),
    ({"measure_1": "phq-9", "every_1": "intake_and_weeks", "weeks_1": "99"}, "Enter a number of weeks from 1 to 52."),
    ({"measure_1": "phq-9", "every_1": "intake_and_weeks", "weeks_1": ""}, "Say how many weeks apart"),
    ({"measure_1": "phq-9", "measure_3": "phq-9"}, "This measure is already number 1."),
    ({"measure_1": "core-10"}, "Not a valid choice"),
    ({"measure_1": "post-session-patient"}, "Not a valid choice"),
    ({"measure_1": "phq-9", "every_1": "monthly"}, "Not a valid choice"),
    ({"measure_1": "phq-9", "every_1": "nth", "n_1": "\uff12"}, "digits 0-9"),
])
def test_a_faulty_battery_comes_back_with_a_422_naming_the_problem(world, as_user, data, message):
    client = as_user(world.director)
    sent = _post(client, "/clinic/battery", **{"every_1": "session", **data})
    assert sent.status_code == 422 and message in sent.text
    assert db.session.get(Clinic, world.clinic_a.id).outcome_battery == []
    assert _audit("set_clinic_battery") == []


def test_the_operation_refuses_what_the_rules_refuse_and_changes_nothing(world):
    with pytest.raises(BatteryError) as refused:
        operations.set_clinic_battery(world.clinic_a, [{"instrument": "core-10", "every": "session"}], world.director)
    assert "not an outcome measure this app knows" in str(refused.value)
    db.session.rollback()
    assert db.session.get(Clinic, world.clinic_a.id).outcome_battery == []


def test_the_therapist_sets_and_clears_the_patients_own_battery(world, as_user):
    world.clinic_a.outcome_battery = [{"instrument": "phq-9", "every": "session", "n": 2, "weeks": 4}]
    db.session.commit()
    client = as_user(world.own)
    page = client.get("/patients/P-A1")
    assert "/patients/P-A1/battery" in page.text
    form = client.get("/patients/P-A1/battery")
    assert "The clinic's battery: phq-9 every session." in form.text
    sent = _post(client, "/patients/P-A1/battery", source="own", measure_1="gad-7", every_1="session")
    assert sent.status_code == 303 and sent.location.endswith("/patients/P-A1")
    patient = db.session.get(Patient, world.patient.id)
    assert patient.outcome_battery == [{"instrument": "gad-7", "every": "session", "n": 2, "weeks": 4}]
    # Own, with every place at None: this patient is asked for none.
    _post(client, "/patients/P-A1/battery", source="own")
    assert db.session.get(Patient, world.patient.id).outcome_battery == []
    # Back to the clinic's.
    _post(client, "/patients/P-A1/battery", source="clinic", measure_1="gad-7", every_1="session")
    assert db.session.get(Patient, world.patient.id).outcome_battery is None
    details = [e.detail for e in _audit("set_patient_battery")]
    assert details == ["own: gad-7 every session", "own: no outcome measures", "the clinic's battery"]
    assert all(e.patient_id == world.patient.id for e in _audit("set_patient_battery"))


def test_a_faulty_patient_battery_is_refused_and_the_page_shown_again_is_audited(world, as_user):
    client = as_user(world.own)
    sent = _post(client, "/patients/P-A1/battery", source="own", measure_1="phq-9", every_1="nth", n_1="")
    assert sent.status_code == 422 and "Say how many sessions apart" in sent.text
    assert db.session.get(Patient, world.patient.id).outcome_battery is None
    views = [e for e in _audit("view_patient") if e.detail.startswith("POST")]
    assert len(views) == 1
    assert _post(client, "/patients/P-A1/battery", source="sometimes").status_code == 422


def test_the_battery_page_says_which_translations_are_validated(world, as_user):
    page = as_user(world.director).get("/clinic/battery").text
    assert "<strong>After today&#39;s session</strong>: English (original), Español (translation not validated)" in page
    assert "Patient Health Questionnaire (PHQ-9)</strong>: English (original), Español (validated translation)" in page
