"""Exports say which language each answer was given in: the CSV's `language` column, and the FHIR
QuestionnaireResponse's `language` element with each question's text as the patient read it."""

from __future__ import annotations

import csv
import io
from zoneinfo import ZoneInfo

from dashboards.export import export_lines, score_scales
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
    assert spoken == {("P-ES", "post-session-patient|1", "es"), ("P-ES", "phq-9|1", "es"),
                      ("P-EN", "post-session-patient|1", "en"), ("P-EN", "phq-9|1", "en")}
    phq_es = next(r for r in answered if r["identifier"]["value"].startswith("P-ES") and "phq-9" in r["questionnaire"])
    assert phq_es["item"][0]["text"] == "Poco interés o placer en hacer cosas"
    for resource in answered:
        validate(resource)
