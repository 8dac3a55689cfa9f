"""A clinic's questionnaire answers as a long-format CSV for research in R or pandas.

One row per item answer; the response's scale scores repeat on each of its rows in one column per
scale (`score_bond`, ...), so a row is complete by itself. The CSV is produced line by line from a
streamed query (`yield_per`: a server-side cursor on PostgreSQL), so memory does not grow with the
clinic. `start_clinic_export` audits the export before the first line; views call it, never
`export_lines` directly. Format and examples: docs/export.md.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from dashboards.audit import audit
from dashboards.csv_cells import answer_cell, safe_text
from feedback.extensions import db
from feedback.instruments.registry import registry
from feedback.models import Clinic, Invitation, Patient, Response, TherapySession, User

COLUMNS = (
    "patient_code", "session_number", "session_date", "respondent", "instrument_id", "instrument_version",
    "item_id", "value",
)
CHUNK = 500  # rows fetched per round trip


def start_clinic_export(clinic: Clinic, actor: User) -> Iterator[str]:
    """Audit the export (committed now, before any data leaves) and return its lines.

    In a view: `Response(stream_with_context(start_clinic_export(clinic, current_user)),
    mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{export_filename(clinic, now)}"'})`.
    """
    scales = score_scales()
    audit("export_clinic_responses", actor=actor, detail=f"long-format CSV, scales {','.join(scales)}")
    db.session.commit()
    return export_lines(clinic.id, ZoneInfo(clinic.timezone), scales)


def score_scales() -> list[str]:
    """Every scale id of the instruments the app knows, in a stable order: the score columns."""
    found: dict[str, None] = {}
    for instrument in registry().all():
        found.update(dict.fromkeys(instrument.scales))
    return list(found)


def header(scales: Sequence[str]) -> list[str]:
    return [*COLUMNS, *(f"score_{scale}" for scale in scales)]


def export_lines(clinic_id: int, zone: ZoneInfo, scales: Sequence[str], *, chunk: int = CHUNK) -> Iterator[str]:
    """The CSV, header first, one line (with its line ending) at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")

    def line(cells: Iterable[object]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(cells)
        return buffer.getvalue()

    yield line(header(scales))
    query = (
        select(
            Patient.code, TherapySession.number, TherapySession.starts_at, Invitation.respondent,
            Invitation.instrument_id, Invitation.instrument_version, Response.answers, Response.scores,
        )
        .join(Invitation, Invitation.id == Response.invitation_id)
        .join(TherapySession, TherapySession.id == Invitation.session_id)
        .join(Patient, Patient.id == TherapySession.patient_id)
        .where(Patient.clinic_id == clinic_id)
        .order_by(Patient.code, TherapySession.number, Invitation.respondent)
        .execution_options(yield_per=chunk)
    )
    for code, number, starts_at, respondent, instrument_id, version, answers, scores in db.session.execute(query):
        day = starts_at.astimezone(zone).date().isoformat()
        fixed = [safe_text(code), number, day, respondent, instrument_id, version]
        score_cells = [_score((scores or {}).get(scale)) for scale in scales]
        for item_id, value in (answers or {}).items():
            if value is None:
                continue  # not answered: long format has no row for it
            yield line([*fixed, item_id, answer_cell(value), *score_cells])


def export_filename(clinic: Clinic, now: datetime) -> str:
    day = now.astimezone(ZoneInfo(clinic.timezone)).date().isoformat()
    return f"responses-clinic{clinic.id}-{day}.csv"


def _score(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return ""
    return repr(round(float(value), 4))

