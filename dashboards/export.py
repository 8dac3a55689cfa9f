"""A clinic's questionnaire answers as a long-format CSV for research in R or pandas.

One row per item answer, of the alliance forms and of the outcome measures (PHQ-9, GAD-7, ...);
the response's scale scores repeat on each of its rows in one column per scale (`score_bond`,
`score_phq9`, ...), so a row is complete by itself. The CSV is produced line by line from a
streamed query (`yield_per`: a server-side cursor on PostgreSQL), so memory does not grow with the
clinic. `start_clinic_export` audits the export before the first line; views call it, never
`export_lines` directly. Format and examples: docs/export.md.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, literal, select, union_all

from dashboards.audit import audit
from dashboards.csv_cells import answer_cell, safe_text
from feedback.extensions import db
from feedback.instruments.registry import registry
from feedback.models import Clinic, Invitation, OutcomeResponse, Patient, Response, TherapySession, User

COLUMNS = (
    "patient_code", "session_number", "session_date", "respondent", "instrument_id", "instrument_version",
    "language", "item_id", "value",
)
CHUNK = 500  # rows fetched per round trip


def start_clinic_export(clinic: Clinic, actor: User) -> Iterator[str]:
    """Audit the export (committed now, before any data leaves) and return its lines.

    In a view, sent in blocks (`dashboards/stream_blocks.py`):
    `Response(stream_with_context(in_blocks(start_clinic_export(clinic, current_user))),
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
    for code, number, starts_at, respondent, instrument_id, version, language, answers, scores in db.session.execute(
        _answers_of(clinic_id).execution_options(yield_per=chunk)
    ):
        day = starts_at.astimezone(zone).date().isoformat()
        fixed = [safe_text(code), number, day, respondent, instrument_id, version, language]
        score_cells = [_score((scores or {}).get(scale)) for scale in scales]
        for item_id, value in (answers or {}).items():
            if value is None:
                continue  # not answered: long format has no row for it
            yield line([*fixed, item_id, answer_cell(value), *score_cells])


def _answers_of(clinic_id: int) -> Select:
    """The alliance forms' responses and the outcome measures' answers (which belong to the
    session's patient invitation) in one ordered stream: each session's alliance form, then its
    outcome measures in the order they were answered."""

    def answers(model: type[Response] | type[OutcomeResponse], kind: int, instrument: Any, version: Any) -> Select:
        return (
            select(Patient.code.label("code"), TherapySession.number.label("number"), TherapySession.starts_at,
                   Invitation.respondent.label("respondent"), literal(kind).label("kind"), model.id.label("seq"),
                   instrument.label("instrument_id"), version.label("instrument_version"), model.language,
                   model.answers, model.scores)
            .join(Invitation, Invitation.id == model.invitation_id)
            .join(TherapySession, TherapySession.id == Invitation.session_id)
            .join(Patient, Patient.id == TherapySession.patient_id)
            .where(Patient.clinic_id == clinic_id)
        )

    both = union_all(
        answers(Response, 0, Invitation.instrument_id, Invitation.instrument_version),
        answers(OutcomeResponse, 1, OutcomeResponse.instrument_id, OutcomeResponse.instrument_version),
    ).subquery()
    return (select(both.c.code, both.c.number, both.c.starts_at, both.c.respondent, both.c.instrument_id,
                   both.c.instrument_version, both.c.language, both.c.answers, both.c.scores)
            .order_by(both.c.code, both.c.number, both.c.respondent, both.c.kind, both.c.seq))


def export_filename(clinic: Clinic, now: datetime) -> str:
    day = now.astimezone(ZoneInfo(clinic.timezone)).date().isoformat()
    return f"responses-clinic{clinic.id}-{day}.csv"


def _score(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return ""
    return repr(round(float(value), 4))

