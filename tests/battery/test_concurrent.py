"""The same outcome page sent four times at the same moment (a double tap on a slow phone, twice):
one copy is stored, with one safety alert; the others are told it was already answered."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select
from werkzeug.serving import make_server

from feedback.extensions import db
from feedback.models import OutcomeResponse, SafetyAlert
from tests.battery.helpers import PHQ9_FORM, set_clinic_battery
from tests.conftest import csrf_token_from
from tests.factories import PATIENT_FORM


@pytest.fixture
def live_url(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_concurrent_copies_of_a_page_store_one_answer_and_one_alert(app, live_url, make_session, make_patient):
    import requests  # installed with twilio

    patient = make_patient()
    set_clinic_battery(patient.clinic, [{"instrument": "phq-9", "every": "session"}])
    path = f"/s/{make_session(patient).links['patient'].token}"
    db.session.remove()  # the server threads use their own connections
    http = requests.Session()
    token = csrf_token_from(http.get(live_url + path, timeout=10).text)
    http.post(live_url + path, data={**PATIENT_FORM, "csrf_token": token}, timeout=30)
    data = {**PHQ9_FORM, "phq9_9": "1", "csrf_token": token}
    barrier = threading.Barrier(4)
    statuses: list[int] = []

    def submit() -> None:
        barrier.wait()
        response = http.post(live_url + path + "/phq-9", data=data, allow_redirects=False, timeout=30)
        statuses.append(response.status_code)

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [303, 409, 409, 409]
    assert db.session.scalar(select(func.count()).select_from(OutcomeResponse)) == 1
    assert db.session.scalar(select(func.count()).select_from(SafetyAlert)) == 1
