"""Logs carry no survey or password-link tokens and no answers (redaction: feedback/log_redaction.py)."""

from __future__ import annotations

import logging
import threading
import urllib.request
from urllib.parse import urlsplit

from werkzeug.serving import make_server

from dashboards.auth import accounts
from tests.conftest import csrf_token_from
from tests.factories import PATIENT_FORM


def served_log_lines(app, caplog, path: str) -> list[str]:
    """Request `path` from a real development server and return its access-log lines."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with caplog.at_level(logging.INFO, logger="werkzeug"):
            urllib.request.urlopen(f"http://127.0.0.1:{server.server_port}{path}").read()
    finally:
        server.shutdown()
        thread.join(timeout=5)
    return [record.getMessage() for record in caplog.records if record.name == "werkzeug"]


def test_access_log_has_no_survey_token(app, make_session, caplog):
    token = make_session().links["patient"].token
    lines = served_log_lines(app, caplog, f"/s/{token}")
    assert lines and not any(token in line for line in lines)


def test_access_log_has_no_password_link_token(app, make_user, caplog):
    path = urlsplit(accounts.issue_password_link(make_user(password=None), actor=None)).path
    token = path.rsplit("/", 1)[1]
    lines = served_log_lines(app, caplog, path)
    assert lines and not any(token in line for line in lines)


def test_a_crash_while_answering_logs_neither_token_nor_answers(client, make_session, caplog, monkeypatch):
    token = make_session().links["patient"].token
    page = client.get(f"/s/{token}")

    def crash(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr("feedback.survey.invitations.record_response", crash)
    form = {**PATIENT_FORM, "comment": "MY-PRIVATE-ANSWER", "csrf_token": csrf_token_from(page.text)}
    with caplog.at_level(logging.INFO):
        response = client.post(f"/s/{token}", data=form)
    assert response.status_code == 500 and "reference" in response.text
    assert "unhandled error ref=" in caplog.text
    assert token not in caplog.text and "MY-PRIVATE-ANSWER" not in caplog.text
