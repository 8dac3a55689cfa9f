"""Clinician pages, minimal for now: the caseload and one patient's answers, their data and export.

Placeholders for the dashboards issue, which will replace the content; the routes show how every
patient view goes through `access` (policy, 404, audit) and keep their endpoint names.
"""

from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, jsonify, render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select

from app import db
from dashboards.access import patient_view, protect, visible_patients
from dashboards.access.models import PatientShare
from dashboards.access.policy import can_share_patient, share_candidates
from feedback.models import Invitation, Patient, TherapySession
from feedback.models import Response as SurveyResponse

bp = Blueprint("dashboards", __name__)
protect(bp)


@bp.get("/")
def home() -> ResponseReturnValue:
    patients = db.session.scalars(visible_patients(current_user).order_by(Patient.code)).all()
    return render_template("dashboards/home.html", patients=patients)


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


@bp.get("/patients/<code>")
@patient_view("view_patient")
def patient(patient: Patient) -> ResponseReturnValue:
    shares = db.session.scalars(select(PatientShare).where(PatientShare.patient_id == patient.id)).all()
    can_share = can_share_patient(current_user, patient)
    candidates = db.session.scalars(share_candidates(patient)).all() if can_share else []
    return render_template(
        "dashboards/patient.html",
        patient=patient,
        responses=_responses(patient),
        shares=shares,
        can_share=can_share,
        candidates=[c for c in candidates if c.id not in {s.user_id for s in shares}],
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
