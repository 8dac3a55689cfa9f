"""The guidance panel's note: what the therapist plans, or what happened when they raised it."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from dashboards.therapist.blueprint import bp
from dashboards.therapist.forms import NoteForm
from dashboards.therapist.guards import audit_view, managed_patient
from dashboards.therapist.operations import TreatmentError, add_note
from dashboards.therapist.patient_page import render_patient
from dashboards.therapist.record import current_guidance
from feedback.i18n import gettext as _
from feedback.models import Patient, utcnow


@bp.post("/patients/<code>/notes")
@managed_patient
def add_guidance_note(patient: Patient) -> ResponseReturnValue:
    form = NoteForm()
    now = utcnow()
    try:
        if not form.validate():
            raise TreatmentError("")
        add_note(patient, current_user, current_guidance(patient, now), form.text.data or "", now=now)
    except TreatmentError as exc:
        audit_view(patient)  # the page is shown again, with the note kept
        return render_patient(patient, form, 422, note_error=str(exc) or None)
    flash(_("Your note was saved."))
    return redirect(url_for("dashboards.patient", code=patient.code, _anchor="guidance"), code=303)
