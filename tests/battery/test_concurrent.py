"""The same outcome page sent four times at the same moment (a double tap on a slow phone, twice):
one copy is stored, with one safety alert; the others are told it was already answered."""

from __future__ import annotations

from sqlalchemy import func, select

from feedback.extensions import db
from feedback.models import OutcomeResponse, SafetyAlert
from tests.battery.helpers import PHQ9_FORM, set_clinic_battery
from tests.conftest import csrf_token_from
from tests.factories import PATIENT_FORM
from tests.threads import run_at_once


def test_concurrent_copies_of_a_page_store_one_answer_and_one_alert(app, live_server, make_session, make_patient):
    import requests  # installed with twilio

    patient = make_patient()
    set_clinic_battery(patient.clinic, [{"instrument": "phq-9", "every": "session"}])
    path = f"/s/{make_session(patient).links['patient'].token}"
    db.session.remove()  # the server threads use their own connections
    http = requests.Session()
    token = csrf_token_from(http.get(live_server + path, timeout=10).text)
    http.post(live_server + path, data={**PATIENT_FORM, "csrf_token": token}, timeout=30)
    data = {**PHQ9_FORM, "phq9_9": "1", "csrf_token": token}
    statuses = run_at_once(
        app, lambda: http.post(live_server + path + "/phq-9", data=data, allow_redirects=False, timeout=30).status_code,
        threads=4,
    )
    assert sorted(statuses) == [303, 409, 409, 409]
    assert db.session.scalar(select(func.count()).select_from(OutcomeResponse)) == 1
    assert db.session.scalar(select(func.count()).select_from(SafetyAlert)) == 1
