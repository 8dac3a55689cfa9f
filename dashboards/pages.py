"""The clinician pages' blueprint: the therapist's home, the patient page, its data and export, and the
forms that manage a treatment (routes in `dashboards/therapist/`, one module per page or use case).

Every patient view goes through `access` (policy, 404, audit); every change through
`dashboards/therapist/operations.py`.
"""

from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, current_app, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from dashboards.access import patient_view, protect
from feedback.extensions import db
from feedback.models import Invitation, Patient, TherapySession
from feedback.models import Response as SurveyResponse

bp = Blueprint("dashboards", __name__)
protect(bp)


@bp.app_template_global()
def has_endpoint(name: str) -> bool:
    """For navigation links to pages another part of the app may not have registered."""
    return name in current_app.view_functions


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


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    """Text as a spreadsheet will read it, never as a formula (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


@bp.get("/patients/<code>/export.csv")
@patient_view("export_patient")
def patient_export(patient: Patient) -> ResponseReturnValue:
    responses = _responses(patient)
    items = sorted({key for r in responses for key in r.answers})
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["session", "respondent", "submitted_at", *items])
    for r in responses:
        answers = [_cell(r.answers.get(item)) for item in items]
        writer.writerow([r.invitation.session.number, r.invitation.respondent, r.submitted_at.isoformat(), *answers])
    filename = f"{patient.code}-responses.csv"
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


# The therapist's pages, on this blueprint (imported last: they import `bp`).
from dashboards.therapist import home, manage, notes, patient_page, templating  # noqa: E402,F401
