"""/clinic/export.csv: the clinic's answers in long format, streamed, audited before the first byte."""

from __future__ import annotations

import csv
import io

from sqlalchemy import func, select

from dashboards.audit.models import AuditEvent
from dashboards.export import COLUMNS
from feedback.extensions import db


def exports() -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "export_clinic_responses")))


def test_director_downloads_the_clinics_answers_streamed_and_audited(client, clinics, sign_in_as):
    sign_in_as(client, clinics.director)
    response = client.get("/clinic/export.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.is_streamed  # produced as it is read, never built whole in memory
    assert response.headers["Content-Disposition"].startswith(f'attachment; filename="responses-clinic{clinics.north.id}-')
    # The export is on the audit trail before any of the file has been read.
    [event] = exports()
    assert (event.user_id, event.clinic_id) == (clinics.director.id, clinics.north.id)
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert tuple(rows[0])[: len(COLUMNS)] == COLUMNS
    assert {row["patient_code"] for row in rows} == {"A-HIGH", "A-CALM", "A-DROP", "B-WATCH", "B-DONE"}
    assert {row["item_id"] for row in rows if row["patient_code"] == "A-HIGH"} >= {"bond_trust", "rupture", "comment"}


def test_the_export_goes_out_in_blocks_not_a_line_at_a_time(client, clinics, sign_in_as):
    sign_in_as(client, clinics.director)
    parts = list(client.get("/clinic/export.csv").response)
    assert b"".join(parts).count(b"\n") > 20
    assert len(parts) == 1  # a small clinic's whole CSV fits in one block


def test_each_export_is_a_separate_audit_row(client, clinics, sign_in_as):
    sign_in_as(client, clinics.director)
    for _ in range(2):
        client.get("/clinic/export.csv").get_data()
    assert len(exports()) == 2


def test_another_clinics_director_never_gets_this_clinics_rows(client, clinics, sign_in_as):
    sign_in_as(client, clinics.south_director)
    text = client.get("/clinic/export.csv").get_data(as_text=True)
    assert {row["patient_code"] for row in csv.DictReader(io.StringIO(text))} == {"P-SOUTH"}
    assert "A-HIGH" not in text and "I felt dismissed" not in text


def test_a_therapist_cannot_export_the_clinic(client, clinics, sign_in_as):
    sign_in_as(client, clinics.alex)
    response = client.get("/clinic/export.csv")
    assert response.status_code == 404 and "A-CALM" not in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "export_clinic_responses")) == 0


def test_signed_out_visitors_are_sent_to_sign_in(client, clinics):
    response = client.get("/clinic/export.csv")
    assert response.status_code == 302 and response.location.startswith("/login")
    assert exports() == []
