"""The same form submitted twice at the same moment stores exactly one response."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select
from werkzeug.serving import make_server

from feedback.extensions import db
from feedback.models import Response
from tests.conftest import csrf_token_from
from tests.factories import PATIENT_FORM


@pytest.fixture
def live_url(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_concurrent_double_submit_stores_one_response(app, live_url, make_session):
    import requests  # installed with twilio

    path = f"/s/{make_session().links['patient'].token}"
    db.session.remove()  # the server threads use their own connections
    http = requests.Session()
    token = csrf_token_from(http.get(live_url + path, timeout=10).text)
    data = {**PATIENT_FORM, "csrf_token": token}
    barrier = threading.Barrier(4)
    statuses: list[int] = []

    def submit() -> None:
        barrier.wait()
        response = http.post(live_url + path, data=data, allow_redirects=False, timeout=30)
        statuses.append(response.status_code)

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [303, 409, 409, 409]
    assert db.session.scalar(select(func.count()).select_from(Response)) == 1
