"""Rows about the same session or patient must agree with each other (no app)."""

from __future__ import annotations

from datetime import date

from dashboards.importer.consistency import check_consistency
from dashboards.importer.rows import ImportRow


def row(number: int, code: str = "P-1", session: int = 1, day: str = "2025-03-04", attendance: str = "attended",
        respondent: str | None = "patient", email: str = "t@example.org") -> ImportRow:
    return ImportRow(number, code, email, session, date.fromisoformat(day), attendance, respondent, None)


def found(*rows: ImportRow) -> list[str]:
    return [str(p) for p in check_consistency(rows)]


def test_a_consistent_history_has_no_problems():
    assert found(row(2), row(3, respondent="therapist"), row(4, session=2, day="2025-03-11", attendance="no_show",
                                                              respondent=None), row(5, code="P-2")) == []


def test_one_row_per_questionnaire():
    assert found(row(2), row(3, respondent="therapist"), row(4)) == [
        "row 4, column respondent: session 1 of P-1 already has a row for the patient (row 2); one row per questionnaire"
    ]


def test_rows_of_one_session_agree_on_date_and_attendance():
    assert found(row(2), row(3, respondent="therapist", day="2025-03-05", attendance="no_show")) == [
        "row 3, column session_date: session 1 of P-1 is dated 2025-03-04 in row 2",
        "row 3, column attendance: session 1 of P-1 is attended in row 2",
    ]


def test_a_patient_has_one_therapist():
    assert found(row(2), row(3, session=2, day="2025-03-11", email="other@example.org")) == [
        "row 3, column therapist_email: patient P-1 is with t@example.org in row 2; "
        "all of a patient's rows name the same therapist"
    ]


def test_later_session_numbers_have_no_earlier_dates():
    assert found(row(2, session=2, day="2025-03-11"), row(3, session=1, day="2025-03-18")) == [
        "row 2, column session_date: session 2 of P-1 is dated before session 1 (2025-03-18, row 3)"
    ]
