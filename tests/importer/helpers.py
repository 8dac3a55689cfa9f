"""Helpers for the import tests."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from sqlalchemy import func, select

from feedback.extensions import db

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "history.csv"
SESSION_COLUMNS = "patient_code,therapist_email,session_number,session_date,attendance,respondent,instrument_id"


def table_counts() -> dict[str, int]:
    """Rows in every table: equal before and after shows that nothing was written. The audit
    trail is left out: each run of the command is recorded there, whatever it wrote."""
    db.session.expire_all()
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table))
        for table in db.metadata.sorted_tables
        if table.name != "audit_events"
    }


def csv_text(header: str, *rows: str) -> str:
    return "\n".join([header, *rows]) + "\n"


def example_header() -> list[str]:
    return EXAMPLE.read_text(encoding="utf-8").splitlines()[0].split(",")


def csv_line(header: list[str], **cells: str) -> str:
    """One CSV line with the given cells under `header` (the rest empty), quoted as a spreadsheet would."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow([cells.pop(column, "") for column in header])
    assert not cells, f"columns not in the header: {sorted(cells)}"
    return buffer.getvalue()
