"""The audit trail: views, exports and changes are recorded; nothing can change or remove a record."""

from __future__ import annotations

from datetime import UTC

import pytest
import time_machine
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DatabaseError

from dashboards.audit import AuditEvent, AuditTrailError, audit
from feedback.extensions import db
from tests.auth.conftest import password_step, post_form


def events(action: str | None = None) -> list[AuditEvent]:
    query = select(AuditEvent).order_by(AuditEvent.id)
    if action:
        query = query.where(AuditEvent.action == action)
    return list(db.session.scalars(query))


@pytest.mark.parametrize(
    ("path", "action"),
    [("/patients/P-A1", "view_patient"), ("/patients/P-A1/scores.json", "view_patient_data"),
     ("/patients/P-A1/export.csv", "export_patient")],
)
def test_viewing_or_exporting_a_patient_writes_a_row(app, world, sign_in_as, path, action):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "192.0.2.44"
    with time_machine.travel("2026-03-02 09:15:00Z", tick=False):
        sign_in_as(client, world.director)
        assert client.get(path).status_code == 200
    (row,) = events(action)
    assert (row.user_id, row.patient_id, row.clinic_id) == (world.director.id, world.patient.id, world.clinic_a.id)
    assert row.ip == "192.0.2.44"
    assert row.at.tzinfo is UTC and row.at.isoformat() == "2026-03-02T09:15:00+00:00"


def test_a_refused_view_records_no_view(app, world, sign_in_as):
    client = app.test_client()
    sign_in_as(client, world.other)
    assert client.get("/patients/P-A1").status_code == 404
    assert events("view_patient") == []


def test_account_changes_write_rows(app, world, sign_in_as):
    client = app.test_client()
    sign_in_as(client, world.director)
    post_form(client, "/clinic/therapists", f"/clinic/therapists/{world.target.id}/disable")
    post_form(client, "/clinic/therapists", f"/clinic/therapists/{world.target.id}/reset-2fa")
    rows = [(e.action, e.user_id, e.subject_user_id) for e in events() if e.subject_user_id]
    assert rows == [("disable_user", world.director.id, world.target.id), ("reset_2fa", world.director.id, world.target.id)]


def test_sharing_and_break_glass_write_rows(app, world, sign_in_as):
    own = app.test_client()
    sign_in_as(own, world.own)
    post_form(own, "/patients/P-A1", "/patients/P-A1/shares", user_id=str(world.other.id))
    admin = app.test_client()
    sign_in_as(admin, world.admin)
    post_form(admin, "/admin/break-glass", patient_code="P-A1", reason="Subject access request, ticket 4411")
    assert [e.action for e in events() if e.action != "view_patient"] == ["share_patient", "break_glass"]
    assert all(e.patient_id == world.patient.id for e in events())


def test_sign_in_events_are_recorded(client, make_user):
    user = make_user()
    password_step(client, user.email, "wrong password, sorry")
    password_step(client, "nobody@example.org", "wrong password, sorry")
    assert [(e.action, e.subject_user_id, e.detail) for e in events()] == [
        ("sign_in_failed", user.id, "wrong password"),
        ("sign_in_failed", None, "unknown e-mail"),
    ]


def test_rows_cannot_be_changed_or_deleted_through_the_app(app, world):
    row = audit("view_patient", patient=world.patient, actor=world.director)
    db.session.commit()
    row.detail = "edited"
    with pytest.raises(AuditTrailError):
        db.session.commit()
    db.session.rollback()
    db.session.delete(row)
    with pytest.raises(AuditTrailError):
        db.session.commit()
    db.session.rollback()
    for statement in (update(AuditEvent).values(detail="x"), delete(AuditEvent)):
        with pytest.raises(AuditTrailError):
            db.session.execute(statement)
    db.session.rollback()
    assert [e.detail for e in events()] == [""]


@pytest.mark.parametrize("statement", ["UPDATE audit_events SET detail = 'x'", "DELETE FROM audit_events"])
def test_database_refuses_changes_even_in_raw_sql(app, world, statement):
    audit("view_patient", patient=world.patient, actor=world.director)
    db.session.commit()
    with pytest.raises(DatabaseError, match="append-only"):
        db.session.execute(text(statement))
    db.session.rollback()
    assert len(events()) == 1


def test_director_reads_their_clinics_trail_only(app, world, sign_in_as):
    audit("view_patient", patient=world.patient, actor=world.director)
    audit("view_patient", patient=world.patient_b, actor=world.director_b)
    db.session.commit()
    client = app.test_client()
    sign_in_as(client, world.director)
    page = client.get("/clinic/audit").text
    assert "P-A1" in page and "P-B1" not in page and "director-b@" not in page
    filtered = client.get("/clinic/audit?patient=P-B1")
    assert filtered.status_code == 422 and "director-b@" not in filtered.text and "Nothing shown" in filtered.text
