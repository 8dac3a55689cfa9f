"""The patient page: header, charts with their tables, guidance and notes, event history, sessions
with both sides' answers; and the charts' data."""

from __future__ import annotations

from flask import g, jsonify, render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select

from dashboards.access import patient_view
from dashboards.access.models import PatientShare
from dashboards.access.policy import can_share_patient, share_candidates
from dashboards.speech import spoken
from dashboards.therapist.blueprint import bp
from dashboards.therapist.forms import NoteForm
from dashboards.therapist.guards import can_manage_treatment
from dashboards.therapist.operations import since_last_visit
from dashboards.therapist.record import chart_figures, patient_page
from feedback.extensions import db
from feedback.models import Patient, utcnow


def render_patient(patient: Patient, note_form: NoteForm, status: int = 200, note_error: str | None = None
                   ) -> ResponseReturnValue:
    """The page (also re-shown with a 422 when a note could not be saved, keeping its text)."""
    now = utcnow()
    login = getattr(g, "login_session", None)
    since = since_last_visit(current_user.id, login.id if login else None)
    page = patient_page(patient, current_user, now, since=since, can_manage=can_manage_treatment(current_user, patient))
    shares = db.session.scalars(select(PatientShare).where(PatientShare.patient_id == patient.id)).all()
    can_share = can_share_patient(current_user, patient)
    candidates = db.session.scalars(share_candidates(patient)).all() if can_share else []
    return render_template(
        "dashboards/patient.html",
        page=page,
        patient=patient,
        note_form=note_form,
        note_error=note_error,
        shares=shares,
        can_share=can_share,
        candidates=[c for c in candidates if c.id not in {s.user_id for s in shares}],
    ), status


@bp.get("/patients/<code>")
@patient_view("view_patient")
def patient(patient: Patient) -> ResponseReturnValue:
    return render_patient(patient, NoteForm(formdata=None))


@bp.get("/patients/<code>/charts.json")
@patient_view("view_patient_data")
def patient_charts(patient: Patient) -> ResponseReturnValue:
    return jsonify(spoken(chart_figures(patient, utcnow())))
