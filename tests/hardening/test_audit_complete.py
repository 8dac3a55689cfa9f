"""Issue 16, section 4: the audit trail answers "who looked at what" completely.

Views without one patient (the trail itself, the accounts page, the ended-treatments data), every
refused attempt to reach a patient, and every command-line command that changes data leave a row;
on PostgreSQL the table refuses TRUNCATE as well as UPDATE and DELETE.
"""

from __future__ import annotations

import csv
import getpass
import io

import pytest
import time_machine
from flask_login import login_user
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError
from werkzeug.exceptions import NotFound

from dashboards.access import patient_or_404
from dashboards.audit import AuditEvent, audit
from feedback.extensions import db
from tests.conftest import POSTGRES_URL, csrf_token_from


def events(action: str | None = None) -> list[AuditEvent]:
    db.session.rollback()  # what a request's teardown does: only committed rows count
    query = select(AuditEvent).order_by(AuditEvent.id)
    if action:
        query = query.where(AuditEvent.action == action)
    return list(db.session.scalars(query))




# -- views without a patient -------------------------------------------------------------------


@pytest.mark.parametrize(("path", "action"), [
    ("/clinic/audit", "view_audit_trail"),
    ("/clinic/therapists", "view_accounts"),
    ("/clinic/ended.json", "view_ended_treatments"),
])
def test_views_of_the_trail_accounts_and_ended_treatments_are_recorded(world, as_user, path, action):
    assert as_user(world.director, ip="192.0.2.10").get(path).status_code == 200
    (row,) = events(action)
    assert (row.user_id, row.clinic_id, row.patient_id) == (world.director.id, world.clinic_a.id, None)
    assert row.ip == "192.0.2.10"


# -- refused attempts to reach a patient -------------------------------------------------------


def test_a_colleagues_patient_answers_404_and_the_attempt_is_recorded(world, as_user):
    with time_machine.travel("2026-03-02 09:15:00Z", tick=False):
        client = as_user(world.other, ip="198.51.100.23")
        assert client.get("/patients/P-A1").status_code == 404
        assert client.get("/patients/P-A1/export.csv").status_code == 404
    rows = events("deny_patient")
    assert [(r.user_id, r.clinic_id, r.patient_id, r.ip) for r in rows] == [
        (world.other.id, world.clinic_a.id, world.patient.id, "198.51.100.23")
    ] * 2
    assert all("P-A1" in r.detail for r in rows)
    assert rows[0].at.isoformat() == "2026-03-02T09:15:00+00:00"
    assert events("view_patient") == []


def test_an_unknown_or_other_clinics_code_is_recorded_without_naming_a_patient(world, as_user):
    client = as_user(world.own)
    assert client.get("/patients/NO-SUCH").status_code == 404
    assert client.get("/patients/P-B1").status_code == 404  # exists, in the other clinic: never linked
    rows = events("deny_patient")
    assert [(r.user_id, r.clinic_id, r.patient_id) for r in rows] == [(world.own.id, world.clinic_a.id, None)] * 2
    assert ["NO-SUCH" in rows[0].detail, "P-B1" in rows[1].detail] == [True, True]


def test_a_refused_change_is_recorded_and_changes_nothing(world, as_user):
    client = as_user(world.other)
    token = csrf_token_from(client.get("/").text)
    response = client.post("/patients/P-A1/notes", data={"text": "not theirs to write", "csrf_token": token})
    assert response.status_code == 404
    (row,) = events("deny_patient")
    assert (row.user_id, row.patient_id) == (world.other.id, world.patient.id)
    assert "not theirs" not in row.detail and events("add_guidance_note") == []


def test_a_long_code_is_recorded_truncated(world, as_user):
    code = '=HYPERLINK("evil.example")' + "A" * 400
    assert as_user(world.own).get(f"/patients/{code}").status_code == 404
    (row,) = events("deny_patient")
    assert row.detail.isprintable() and len(row.detail) <= 100 and "HYPERLINK" in row.detail


@pytest.mark.parametrize("code", ["\x00evil", "P-A1\u202e1A-P", "\x1b[31mred", "\x85next"])
def test_the_code_tried_is_stored_printable_whatever_it_holds(app, world, code):
    # The URL map refuses such codes before any view (input hygiene); the guard must hold on its own too.
    with app.test_request_context(f"/patients/{code}"):
        login_user(world.own)
        with pytest.raises(NotFound):
            patient_or_404(code)
    (row,) = events("deny_patient")
    assert row.detail.isprintable() and len(row.detail) <= 100 and row.patient_id is None


# -- filtering and exporting the trail ---------------------------------------------------------


@pytest.fixture
def trail(world):
    audit("view_patient", patient=world.patient, actor=world.own)
    audit("view_patient", patient=world.patient, actor=world.director)
    audit("deny_patient", actor=world.other, detail="=HYPERLINK(\"http://evil.example\")")
    audit("view_patient", patient=world.patient_b, actor=world.director_b)
    db.session.commit()


def table_rows(html: str) -> int:
    body = html.split("<tbody>", 1)[-1].split("</tbody>", 1)[0]
    return body.count("<tr>")


def test_directors_filter_by_person_action_and_patient(world, as_user, trail):
    client = as_user(world.director)
    by_person = client.get(f"/clinic/audit?person={world.own.id}")
    assert by_person.status_code == 200 and table_rows(by_person.text) == 1 and "own@example.org" in by_person.text
    by_action = client.get("/clinic/audit?action=deny_patient")
    assert table_rows(by_action.text) == 1 and "HYPERLINK" in by_action.text
    both = client.get(f"/clinic/audit?action=view_patient&patient=P-A1&person={world.director.id}")
    assert table_rows(both.text) == 1


@pytest.mark.parametrize("query", [
    "action=drop_tables", "person=999999", "person=abc", "patient=%00", "patient=P-B1", "patient=" + "x" * 500,
])
def test_a_bad_filter_is_refused_clearly(world, as_user, trail, query):
    response = as_user(world.director).get(f"/clinic/audit?{query}")
    assert response.status_code == 422 and table_rows(response.text) <= 1
    assert "director-b@" not in response.text and "P-B1</td>" not in response.text


def test_another_clinics_person_cannot_be_chosen(world, as_user, trail):
    response = as_user(world.director).get(f"/clinic/audit?person={world.director_b.id}")
    assert response.status_code == 422 and "director-b@" not in response.text


def test_the_export_is_filtered_neutralised_and_itself_recorded(world, as_user, trail):
    client = as_user(world.admin)
    response = client.get("/clinic/audit.csv?action=deny_patient")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    header, *rows = list(csv.reader(io.StringIO(response.text)))
    assert "Action" in header and len(rows) == 1
    assert rows[0][header.index("Detail")].startswith("'=HYPERLINK")
    everything = list(csv.reader(io.StringIO(client.get("/clinic/audit.csv").text)))[1:]
    assert "P-B1" not in str(everything) and "director-b@" not in str(everything)
    exports = events("export_audit_trail")
    assert [(e.user_id, e.clinic_id) for e in exports] == [(world.admin.id, world.clinic_a.id)] * 2
    assert "deny_patient" in exports[0].detail


def test_a_bad_export_filter_is_refused(world, as_user, trail):
    assert as_user(world.director).get("/clinic/audit.csv?action=nope").status_code == 422
    assert events("export_audit_trail") == []


# -- the command line --------------------------------------------------------------------------


def test_a_command_that_changes_data_is_recorded_with_the_os_user(app, runner, monkeypatch):
    monkeypatch.setenv("NEW_USER_PASSWORD", "a long enough password")
    assert runner.invoke(args=["clinics", "add", "Eastside"]).exit_code == 0
    assert runner.invoke(args=["users", "add", "t@example.org", "--clinic", "Eastside", "--role", "therapist"]
                         ).exit_code == 0
    assert runner.invoke(args=["delivery", "status"]).exit_code == 0  # reads only: no row
    rows = events("cli_command")
    assert [(r.user_id, r.ip) for r in rows] == [(None, None)] * 2
    assert [r.detail for r in rows] == [f"cli user {getpass.getuser()}: clinics add",
                                        f"cli user {getpass.getuser()}: users add"]
    assert rows[1].clinic_id is not None  # run for a named clinic: its directors see it


def test_a_failed_command_is_recorded_as_failed(app, runner):
    assert runner.invoke(args=["accounts", "disable", "nobody@example.org"]).exit_code != 0
    assert runner.invoke(args=["delivery", "send-again", "12345"]).exit_code != 0
    assert [r.detail.rsplit(": ", 1)[1] for r in events("cli_command")] == [
        "accounts disable (failed)", "delivery send-again (failed)"]


def test_every_command_is_classified_as_changing_data_or_not(app):
    from dashboards.audit import commands

    paths = {path for path, _ in commands.command_paths(app.cli)}
    unclassified = {p for p in paths if not commands.changes_data(p) and not commands.exempt(p)}
    assert unclassified == set(), "say whether these commands change data (dashboards/audit/commands.py)"
    assert commands.CHANGES_DATA - paths == set(), "classified commands that no longer exist"
    assert {"clinics add", "accounts reset-2fa", "import-csv", "delivery send-again", "demo"} <= commands.CHANGES_DATA


# -- the database itself -----------------------------------------------------------------------


@pytest.mark.skipif(not POSTGRES_URL, reason="TRUNCATE triggers are PostgreSQL's (TEST_DATABASE_URL)")
@pytest.mark.parametrize("statement", [
    "TRUNCATE audit_events", "TRUNCATE patients CASCADE", "DELETE FROM audit_events",
])
def test_postgresql_refuses_truncate_and_delete(app, world, statement):
    audit("view_patient", patient=world.patient, actor=world.director)
    db.session.commit()
    with pytest.raises(DatabaseError, match="append-only"):
        db.session.execute(text(statement))
    db.session.rollback()
    assert len(events()) == 1
