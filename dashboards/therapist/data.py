"""One patient's answers as data: the scores as JSON and every answer as CSV."""

from __future__ import annotations

import csv
import io

from flask import Response, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from dashboards.access import patient_view
from dashboards.csv_cells import answer_cell
from dashboards.therapist.blueprint import bp
from feedback.extensions import db
from feedback.models import Invitation, Patient, TherapySession
from feedback.models import Response as SurveyResponse


def _responses(patient: Patient) -> list[SurveyResponse]:
    return list(
        db.session.scalars(
            select(SurveyResponse)
            .join(Invitation)
            .join(TherapySession)
            .where(TherapySession.patient_id == patient.id)
            .order_by(TherapySession.number, Invitation.respondent)
        )
    )


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


@bp.get("/patients/<code>/export.csv")
@patient_view("export_patient")
def patient_export(patient: Patient) -> ResponseReturnValue:
    responses = _responses(patient)
    items = sorted({key for r in responses for key in r.answers})
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["session", "respondent", "submitted_at", *items])
    for r in responses:
        answers = [answer_cell(r.answers.get(item)) for item in items]
        writer.writerow([r.invitation.session.number, r.invitation.respondent, r.submitted_at.isoformat(), *answers])
    filename = f"{patient.code}-responses.csv"
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
