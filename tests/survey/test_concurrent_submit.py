"""The same form submitted twice at the same moment stores exactly one response."""

from __future__ import annotations

from sqlalchemy import func, select

from feedback.extensions import db
from feedback.models import Response
from tests.conftest import csrf_token_from
from tests.factories import PATIENT_FORM
from tests.threads import run_at_once


def test_concurrent_double_submit_stores_one_response(app, live_server, make_session):
    import requests  # installed with twilio

    path = f"/s/{make_session().links['patient'].token}"
    db.session.remove()  # the server threads use their own connections
    http = requests.Session()
    token = csrf_token_from(http.get(live_server + path, timeout=10).text)
    data = {**PATIENT_FORM, "csrf_token": token}
    statuses = run_at_once(
        app, lambda: http.post(live_server + path, data=data, allow_redirects=False, timeout=30).status_code,
        threads=4,
    )
    assert sorted(statuses) == [303, 409, 409, 409]
    assert db.session.scalar(select(func.count()).select_from(Response)) == 1
