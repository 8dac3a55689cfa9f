"""The read-only API under /fhir: the same sign-in and access policy as the dashboards."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select

from dashboards.audit.models import AuditEvent
from feedback.extensions import db
from feedback.models import utcnow
from tests.battery.helpers import BOTH_EVERY_SESSION, GAD7_FORM, PHQ9_FORM, send, set_clinic_battery
from tests.factories import CALM, PATIENT_FORM, answer_patient_form
from tests.fhir.invariants import validate

FHIR = "application/fhir+json"


def bundle_of(response) -> dict:
    assert response.status_code == 200 and response.mimetype == FHIR, response.text
    found = json.loads(response.text)
    validate(found)
    return found


def codes(bundle: dict) -> set[str]:
    return {e["resource"]["subject"]["identifier"]["value"] for e in bundle.get("entry", [])}


def test_metadata_and_questionnaires_for_any_signed_in_clinician(client, world, sign_in_as):
    assert client.get("/fhir/metadata").status_code == 401  # an API never redirects to a page
    assert client.get("/fhir/metadata").mimetype == FHIR
    sign_in_as(client, world.admin)
    statement = json.loads(client.get("/fhir/metadata").text)
    validate(statement)
    assert statement["fhirVersion"] == "4.0.1"
    everything = bundle_of(client.get("/fhir/Questionnaire"))
    assert everything["type"] == "searchset" and len(everything["entry"]) >= 3
    url = everything["entry"][0]["resource"]["url"]
    one = bundle_of(client.get("/fhir/Questionnaire", query_string={"url": url, "version": "1"}))
    assert [e["resource"]["url"] for e in one["entry"]] == [url]
    read = client.get("/fhir/Questionnaire/post-session-patient-1")
    assert read.status_code == 200 and json.loads(read.text)["version"] == "1"
    missing = client.get("/fhir/Questionnaire/nothing-1")
    assert missing.status_code == 404 and json.loads(missing.text)["resourceType"] == "OperationOutcome"
    assert client.get("/fhir/Questionnaire?title=x").status_code == 400


def test_responses_follow_the_access_policy(client, world, sign_in_as, make_session, make_patient):
    answer_patient_form(make_session(world.patient), CALM)
    answer_patient_form(make_session(make_patient(world.other, code="P-A2")), CALM)
    answer_patient_form(make_session(world.patient_b), CALM)
    sign_in_as(client, world.own)
    assert codes(bundle_of(client.get("/fhir/QuestionnaireResponse"))) == {"P-A1"}
    sign_in_as(client, world.director)
    assert codes(bundle_of(client.get("/fhir/QuestionnaireResponse"))) == {"P-A1", "P-A2"}
    assert codes(bundle_of(client.get("/fhir/QuestionnaireResponse?subject=P-A2"))) == {"P-A2"}
    sign_in_as(client, world.other)
    for subject in ("P-A1", "P-B1", "NOBODY"):  # not theirs, another clinic's, nobody's: the same 404
        refused = client.get(f"/fhir/QuestionnaireResponse?subject={subject}")
        assert refused.status_code == 404 and refused.mimetype == FHIR and subject not in refused.text
    sign_in_as(client, world.admin)
    assert codes(bundle_of(client.get("/fhir/QuestionnaireResponse"))) == set()
    denied = db.session.scalars(select(AuditEvent.action).where(AuditEvent.action == "deny_patient")).all()
    assert len(denied) == 3


def test_authored_and_identifier_search(client, world, sign_in_as, make_session):
    answer_patient_form(make_session(world.patient), CALM)
    sign_in_as(client, world.own)
    today = utcnow().date()
    system = bundle_of(client.get("/fhir/QuestionnaireResponse"))["entry"][0]["resource"]["subject"]["identifier"]
    found = client.get("/fhir/QuestionnaireResponse", query_string={
        "subject:identifier": f"{system['system']}|P-A1", "authored": f"ge{today - timedelta(days=1)}"})
    assert codes(bundle_of(found)) == {"P-A1"}
    later = client.get("/fhir/QuestionnaireResponse", query_string={"authored": f"gt{today}"})
    assert codes(bundle_of(later)) == set()
    for bad in ({"authored": "yesterday"}, {"authored": "ne2024-01-01"}, {"_count": "5"},
                {"subject": ["P-A1", "P-A1"]}):
        answer = client.get("/fhir/QuestionnaireResponse", query_string=bad)
        assert answer.status_code == 400 and json.loads(answer.text)["resourceType"] == "OperationOutcome"
    assert db.session.scalars(select(AuditEvent).where(AuditEvent.action == "search_responses_fhir")).all()


def test_a_search_finds_the_outcome_measures_beside_the_alliance_forms_by_when_they_were_answered(
        client, world, sign_in_as, make_session):
    set_clinic_battery(world.patient.clinic, BOTH_EVERY_SESSION)
    path = f"/s/{make_session(world.patient).links['patient'].token}"
    for page, form in (("", PATIENT_FORM), ("/phq-9", PHQ9_FORM), ("/gad-7", GAD7_FORM)):
        send(client, path + page, form)
    sign_in_as(client, world.own)
    today = utcnow().date()

    def answered(query: dict) -> set[str]:
        found = bundle_of(client.get("/fhir/QuestionnaireResponse", query_string=query)).get("entry", [])
        return {e["resource"]["identifier"]["value"] for e in found if e["resource"]["status"] == "completed"}

    assert answered({}) == answered({"authored": f"ge{today - timedelta(days=1)}"}) == {
        "P-A1/1/patient", "P-A1/1/patient/phq-9", "P-A1/1/patient/gad-7"}
    assert answered({"authored": f"gt{today}"}) == set()
