"""One patient's answers as data: the scores as JSON and every answer as CSV."""

from __future__ import annotations

import csv
import io
from typing import Any

from flask import Response, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from dashboards.access import patient_view
from dashboards.csv_cells import answer_cell
from dashboards.therapist.blueprint import bp
from feedback.extensions import db
from feedback.models import Invitation, OutcomeResponse, Patient, TherapySession
from feedback.models import Response as SurveyResponse


def _answers_of(model: type, patient: Patient, *order: Any) -> list[Any]:
    """The patient's stored answers of one kind (alliance forms or outcome measures), by session."""
    query = (
        select(model).join(Invitation).join(TherapySession)
        .where(TherapySession.patient_id == patient.id).order_by(TherapySession.number, *order)
    )
    return list(db.session.scalars(query))


def _responses(patient: Patient) -> list[SurveyResponse]:
    return _answers_of(SurveyResponse, patient, Invitation.respondent)


@bp.get("/patients/<code>/scores.json")
@patient_view("view_patient_data")
def patient_scores(patient: Patient) -> ResponseReturnValue:
    return jsonify(
        patient=patient.code,
        responses=[
            {
                "session": r.invitation.session.number,
                "respondent": r.invitation.respondent,
                "submitted_at": r.submitted_at.isoformat(),
                "scores": r.scores,
            }
            for r in _responses(patient)
        ],
    )


def _outcome_answers(patient: Patient) -> list[OutcomeResponse]:
    return _answers_of(OutcomeResponse, patient, OutcomeResponse.id)


@bp.get("/patients/<code>/export.csv")
@patient_view("export_patient")
def patient_export(patient: Patient) -> ResponseReturnValue:
    """One row per form: the alliance forms (instrument as the invitation names it) and, after each
    session's, the outcome measures answered on the same link."""
    rows = [(r.invitation.session.number, r.invitation.respondent, 0, r.invitation.instrument_id,
             r.invitation.instrument_version, r) for r in _responses(patient)]
    rows += [(r.invitation.session.number, r.invitation.respondent, 1, r.instrument_id, r.instrument_version, r)
             for r in _outcome_answers(patient)]
    rows.sort(key=lambda row: row[:3])  # stable: each kind keeps its query's order
    items = sorted({key for *_, r in rows for key in r.answers})
    out = io.StringIO()
    writer = csv.writer(out)
    # The version and language name the wording answered, as in the clinic's export (dashboards/export.py).
    writer.writerow(["session", "respondent", "instrument_id", "instrument_version", "language", "submitted_at",
                     *items])
    for number, respondent, _, instrument_id, version, r in rows:
        answers = [answer_cell(r.answers.get(item)) for item in items]
        writer.writerow([number, respondent, instrument_id, version, r.language, r.submitted_at.isoformat(),
                         *answers])
    filename = f"{patient.code}-responses.csv"
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
