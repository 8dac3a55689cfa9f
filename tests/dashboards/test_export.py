"""The clinic's answers as a long-format CSV: format, streaming, clinic filter and audit."""

from __future__ import annotations

import csv
import inspect
import io
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, select

from dashboards.audit import AuditEvent
from dashboards.csv_cells import answer_cell as format_value
from dashboards.export import export_filename, export_lines, header, score_scales, start_clinic_export
from feedback.extensions import db
from tests.dashboards.builders import CALM, add_session

SCALES = ["bond", "task", "goal", "alliance"]
LONDON = ZoneInfo("Europe/London")
# 23:30 UTC on 1 June is 00:30 on 2 June in London (summer time): the date is the clinic's.
LATE = datetime(2024, 6, 1, 23, 30, tzinfo=UTC)
NOTE = 'Talked about "the plan", then\nsilence; =maybe'
THERAPIST = {"t_connected": 3, "t_collab": 4, "t_task": 4, "t_goal": 5, "rupture": True, "rupture_tension": 3,
             "rupture_resolved": 2, "markers": ["withdrawal_away", "confrontation"], "note": NOTE}


@pytest.fixture
def clinic(make_clinic, make_user, make_patient):
    clinic = make_clinic(timezone="Europe/London")
    patient = make_patient(make_user(clinic=clinic), "P-1")
    add_session(patient, 1, starts_at=LATE, patient_form=CALM, therapist_form=THERAPIST)
    other = make_patient(make_user(), "OTHER-1")  # another clinic
    add_session(other, 1, starts_at=LATE, patient_form=CALM)
    db.session.commit()
    return clinic


def rows(clinic_id: int, **kwargs) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO("".join(export_lines(clinic_id, LONDON, SCALES, **kwargs)))))


def test_header():
    assert header(SCALES) == [
        "patient_code", "session_number", "session_date", "respondent", "instrument_id", "instrument_version",
        "language", "item_id", "value", "score_bond", "score_task", "score_goal", "score_alliance"]


def test_one_row_per_item_answer_for_a_known_response(clinic):
    found = rows(clinic.id)
    patient = [r for r in found if r["respondent"] == "patient"]
    assert [r["item_id"] for r in patient] == list(CALM)  # in the order of the form
    first = patient[0]
    assert first == {
        "patient_code": "P-1", "session_number": "1", "session_date": "2024-06-02", "respondent": "patient",
        "instrument_id": "post-session-patient", "instrument_version": "2", "language": "en", "item_id": "bond_understood",
        "value": "5", "score_bond": "5.0", "score_task": "4.0", "score_goal": "5.0", "score_alliance": "4.6667"}
    assert next(r["value"] for r in patient if r["item_id"] == "rupture") == "no"


def test_choices_yes_no_and_free_text(clinic):
    therapist = {r["item_id"]: r for r in rows(clinic.id) if r["respondent"] == "therapist"}
    assert therapist["rupture"]["value"] == "yes"
    assert therapist["markers"]["value"] == "withdrawal_away;confrontation"
    assert therapist["note"]["value"] == NOTE  # quotes, comma-free newline and all, round-trip through csv
    assert therapist["t_goal"]["score_alliance"] == "4.0"


def test_text_that_a_spreadsheet_would_run_is_neutralised():
    assert format_value("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert format_value("@SUM") == "'@SUM"
    assert format_value(3) == "3" and format_value(False) == "no" and format_value(["a", "b"]) == "a;b"


def test_another_clinics_rows_never_appear(clinic):
    assert {r["patient_code"] for r in rows(clinic.id)} == {"P-1"}


def test_lines_are_streamed(clinic, count_statements):
    chunks = []

    def options(state) -> None:  # noqa: ANN001
        chunks.append(state.execution_options.get("yield_per"))

    lines = export_lines(clinic.id, LONDON, SCALES, chunk=3)
    assert inspect.isgenerator(lines)
    event.listen(db.session, "do_orm_execute", options)
    try:
        with count_statements() as seen:
            assert next(lines).startswith("patient_code,")
            assert seen == []  # the header comes before any query
            next(lines)
            assert len(seen) == 1
    finally:
        event.remove(db.session, "do_orm_execute", options)
    assert chunks == [3]  # fetched in chunks (a server-side cursor on PostgreSQL)
    assert sum(1 for _ in lines) == len(CALM) + len(THERAPIST) - 1


def test_every_export_is_audited_before_any_data(clinic, app):
    director = clinic.users[0]
    with app.test_request_context():
        lines = start_clinic_export(clinic, director)
    db.session.rollback()  # the audit row is already committed
    [audit] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "export_clinic_responses")).all()
    assert audit.user_id == director.id and audit.clinic_id == clinic.id
    assert "P-1" not in audit.detail
    assert next(lines).startswith("patient_code,")


def test_score_columns_cover_the_known_instruments(app):
    # the outcome measures first (instruments in id order), then the alliance forms' scales
    assert score_scales() == ["gad7", "phq9", "bond", "task", "goal", "alliance"]


def test_filename_uses_the_clinic_date(clinic):
    assert export_filename(clinic, LATE) == f"responses-clinic{clinic.id}-2024-06-02.csv"
