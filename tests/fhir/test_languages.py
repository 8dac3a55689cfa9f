"""Exports say which language each answer was given in: the CSV's `language` column, and the FHIR
QuestionnaireResponse's `language` element with each question's text as the patient read it; an
import keeps it (FHIR's element, the CSV import's optional column), and refuses one the form lacks."""

from __future__ import annotations

import csv
import io
import json
from zoneinfo import ZoneInfo

from sqlalchemy import select

from dashboards.export import export_lines, score_scales
from dashboards.fhir.export import clinic_context
from dashboards.fhir.operations import Matching, import_bundle
from feedback.extensions import db
from feedback.models import Invitation, OutcomeResponse, Patient, Response, TherapySession
from tests.battery.helpers import PHQ9_FORM, send, set_clinic_battery
from tests.factories import PATIENT_FORM
from tests.fhir.conftest import export
from tests.fhir.invariants import by_type, validate


def test_a_spanish_patients_answers_are_exported_as_spanish(client, make_clinic, make_user, make_patient,
                                                            make_session):
    clinic = make_clinic("Clínica Norte", timezone="Europe/Madrid")
    spanish = make_patient(make_user("therapist", clinic), code="P-ES", language="es")
    english = make_patient(make_user("therapist", clinic), code="P-EN")
    set_clinic_battery(clinic, [{"instrument": "phq-9", "every": "session"}])
    for patient in (spanish, english):
        path = f"/s/{make_session(patient).links['patient'].token}"
        assert send(client, path, PATIENT_FORM).status_code == 303
        assert send(client, path + "/phq-9", PHQ9_FORM).status_code == 303

    rows = list(csv.DictReader(io.StringIO("".join(export_lines(clinic.id, ZoneInfo(clinic.timezone),
                                                                    score_scales())))))
    languages = {(r["patient_code"], r["instrument_id"], r["language"]) for r in rows}
    assert languages == {("P-ES", "post-session-patient", "es"), ("P-ES", "phq-9", "es"),
                         ("P-EN", "post-session-patient", "en"), ("P-EN", "phq-9", "en")}

    answered = [r for r in by_type(export(clinic))["QuestionnaireResponse"] if r["status"] == "completed"]
    spoken = {(r["identifier"]["value"].split("/")[0], r["questionnaire"].split("/")[-1], r["language"])
              for r in answered}
    assert spoken == {("P-ES", "post-session-patient|2", "es"), ("P-ES", "phq-9|1", "es"),
                      ("P-EN", "post-session-patient|2", "en"), ("P-EN", "phq-9|1", "en")}
    phq_es = next(r for r in answered if r["identifier"]["value"].startswith("P-ES") and "phq-9" in r["questionnaire"])
    assert phq_es["item"][0]["text"] == "Poco interés o placer en hacer cosas"
    for resource in answered:
        validate(resource)

    # Into another clinic: each answer keeps its language.
    target = make_clinic("Target")
    mapped = make_user("therapist", target)
    own = clinic_context(clinic).systems
    therapists = {(own.practitioner, str(p.therapist_id)): mapped.email for p in (spanish, english)}
    result = import_bundle(json.dumps(export(clinic)).encode(), clinic_name="Target",
                           matching=Matching((own.patient,), therapists))
    assert result.problems == [] and result.written
    imported = [(code, instrument, language) for model, instrument in ((Response, "alliance"), (OutcomeResponse, "phq-9"))
                for code, language in db.session.execute(
                    select(Patient.code, model.language).join(Invitation, Invitation.id == model.invitation_id)
                    .join(TherapySession, TherapySession.id == Invitation.session_id)
                    .join(Patient, Patient.id == TherapySession.patient_id).where(Patient.clinic_id == target.id))]
    assert sorted(imported) == [("P-EN", "alliance", "en"), ("P-EN", "phq-9", "en"),
                                ("P-ES", "alliance", "es"), ("P-ES", "phq-9", "es")]
