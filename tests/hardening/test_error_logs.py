"""Issue 16 §2, the logs: a database error never puts the request's text (a note, an answer, an
e-mail address) into a log. The page shows a reference; the log has the reference, the route and
the exception's type."""

from __future__ import annotations

import logging
import re

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from app import create_app
from feedback.extensions import db
from tests.conftest import csrf_token_from
from tests.factories import CALM, answer_patient_form

NOTE = "Patient disclosed MARKER-NOTE-5521 at work"
EMAIL = "marker-5521@example.org"


def fail_with(value: str) -> None:
    """A statement the database refuses, carrying `value` as a bound parameter."""
    db.session.execute(text("SELECT no_such_column FROM users WHERE email = :value"), {"value": value})


def everything_logged(records: list[logging.LogRecord]) -> str:
    formatter = logging.Formatter()
    parts = []
    for record in records:
        parts += [record.getMessage(), repr(record.args), record.exc_text or "", record.stack_info or ""]
        if record.exc_info:
            parts.append(formatter.formatException(record.exc_info))
    return "\n".join(parts)


def test_a_database_error_while_saving_a_note_logs_no_note_text(client, world, make_session, sign_in_as, caplog,
                                                                monkeypatch):
    answer_patient_form(make_session(world.patient), {**CALM, "rupture": True, "rupture_tension": 4,
                                                      "rupture_resolved": 1})  # a flag: the page has a note form
    sign_in_as(client, world.own)
    page = client.get("/patients/P-A1")
    monkeypatch.setattr("dashboards.therapist.notes.add_note", lambda patient, user, guidance, note, **_: fail_with(note))
    caplog.set_level(logging.DEBUG)
    response = client.post("/patients/P-A1/notes", data={"text": NOTE, "csrf_token": csrf_token_from(page.text)})
    assert response.status_code == 500
    reference = re.search(r"reference <strong>([0-9A-F]{8})</strong>", response.text).group(1)
    logged = everything_logged(caplog.records)
    assert "MARKER-NOTE-5521" not in logged and "P-A1" not in logged
    entry = next(record.getMessage() for record in caplog.records if f"ref={reference}" in record.getMessage())
    assert "POST /patients/<code>/notes" in entry and "sqlalchemy.exc." in entry  # the route and the type
    assert client.get("/patients/P-A1").status_code == 200  # the next request is served: nothing was left broken


def test_no_database_error_prints_its_bound_values(app):
    assert db.engine.hide_parameters
    with pytest.raises(DBAPIError) as raised:
        fail_with(EMAIL)
    db.session.rollback()
    assert EMAIL not in str(raised.value)


def test_a_deployment_cannot_turn_the_bound_values_back_on():
    app = create_app({"APP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://",
                      "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": False}})
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["hide_parameters"] is True
