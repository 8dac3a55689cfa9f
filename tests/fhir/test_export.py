"""The export: every resource valid R4 (fhir.resources' R4B models), every QuestionnaireResponse
agreeing with its Questionnaire, names stable across runs, nothing but pseudonyms, streamed."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select

from dashboards.audit.models import AuditEvent
from dashboards.fhir import systems
from feedback.extensions import db
from feedback.instruments.registry import registry
from feedback.models import Invitation, OutcomeResponse, Response, TherapySession, User
from tests.fhir.conftest import export
from tests.fhir.invariants import by_type, canonical_index, response_problems, validate


def test_every_exported_resource_is_valid_r4_and_every_response_agrees_with_its_questionnaire(demo_clinic):
    bundle = export(demo_clinic, observations=True)
    validate(bundle)
    for entry in bundle["entry"]:
        validate(entry["resource"])
    resources = by_type(bundle)
    assert {kind: len(found) > 0 for kind, found in resources.items()} == dict.fromkeys(
        ["CodeSystem", "Questionnaire", "EpisodeOfCare", "Encounter", "QuestionnaireResponse", "Observation"], True)
    index = canonical_index(resources["Questionnaire"])
    responses = resources["QuestionnaireResponse"]
    # One per questionnaire sent (alliance forms), and one per outcome measure answered (PHQ-9, GAD-7).
    outcome_urls = {systems.questionnaire_url(i.id) for i in registry().all() if i.purpose == "outcome"}
    outcomes = [r for r in responses if r["questionnaire"].partition("|")[0] in outcome_urls]
    assert len(responses) - len(outcomes) == db.session.scalar(select(func.count()).select_from(Invitation))
    assert len(outcomes) == db.session.scalar(select(func.count()).select_from(OutcomeResponse)) > 100
    assert {r["questionnaire"] for r in outcomes} == {f"{url}|1" for url in outcome_urls}
    assert all(r["status"] == "completed" and r["author"]["type"] == "Patient" for r in outcomes)
    completed = [r for r in responses if r["status"] == "completed"]
    assert len(completed) - len(outcomes) == db.session.scalar(select(func.count()).select_from(Response))
    assert len({r["identifier"]["value"] for r in responses}) == len(responses)  # per session, respondent, measure
    for response in responses:  # every one, the outcome measures' included, valid R4 (above) and consistent
        assert response["questionnaire"] in index
        assert response_problems(index[response["questionnaire"]], response) == [], response["identifier"]
    # Every completed one says when, in UTC, and who answered (a patient by code, a therapist by account).
    assert all(r["authored"].endswith("Z") for r in completed)
    assert {r["author"]["type"] for r in completed} == {"Patient", "Practitioner"}
    # Unanswered questionnaires are there too: the disengagement flags read them.
    assert {r["status"] for r in responses} >= {"completed", "stopped"}


def test_the_invariant_checks_catch_what_they_check(demo_clinic):
    bundle = by_type(export(demo_clinic))
    index = canonical_index(bundle["Questionnaire"])
    response = next(r for r in bundle["QuestionnaireResponse"]
                    if r["status"] == "completed" and r["questionnaire"].endswith("post-session-patient|2"))
    questionnaire = index[response["questionnaire"]]
    broken = json.loads(json.dumps(response))
    broken["item"][0]["answer"] = [{"valueInteger": 9}]
    broken["item"][1]["answer"] = [{"valueString": "5"}]
    broken["item"][2]["linkId"] = "no_such_item"
    broken["item"].append({"linkId": "rupture_tension", "answer": [{"valueInteger": 3}]})
    broken["item"] = [i for i in broken["item"] if i["linkId"] != "rupture"]
    broken["item"][3]["answer"] = [{}]
    problems = "\n".join(response_problems(questionnaire, broken))
    for expected in ("outside 1..5", "valueInteger with a value", "not an item", "enableWhen does not hold",
                     "required and enabled"):
        assert expected in problems
    # And an outcome measure's: its range is 0..3, its nine items required; R4 dates are checked too.
    phq = next(r for r in bundle["QuestionnaireResponse"] if r["questionnaire"].endswith("/phq-9|1"))
    broken = json.loads(json.dumps(phq))
    broken["item"][0]["answer"] = [{"valueInteger": 4}]
    broken["item"] = [i for i in broken["item"] if i["linkId"] != "phq9_9"]
    problems = "\n".join(response_problems(index[phq["questionnaire"]], broken))
    assert "phq9_1: 4 outside 0..3" in problems and "phq9_9: required and enabled, but not answered" in problems
    with pytest.raises(ValidationError):
        validate({**phq, "authored": "last Tuesday"})


def test_names_are_stable_across_runs_and_per_clinic(demo_clinic):
    first, second = export(demo_clinic), export(demo_clinic)
    assert [e["fullUrl"] for e in first["entry"]] == [e["fullUrl"] for e in second["entry"]]
    assert len({e["fullUrl"] for e in first["entry"]}) == len(first["entry"])
    questionnaire = by_type(first)["Questionnaire"][0]
    assert questionnaire["url"].startswith(systems.CANONICAL + "/Questionnaire/")
    response = by_type(first)["QuestionnaireResponse"][0]
    clinic_base = f"http://127.0.0.1:5000/fhir/clinics/{demo_clinic.id}"
    assert response["subject"]["identifier"]["system"] == clinic_base + "/patients"
    assert response["identifier"]["system"] == clinic_base + "/questionnaire-responses"


def test_identifier_systems_follow_the_configured_installation(app, demo_clinic):
    app.config["FHIR_IDENTIFIER_BASE"] = "https://feedback.example.org"
    response = by_type(export(demo_clinic))["QuestionnaireResponse"][0]
    assert response["subject"]["identifier"]["system"].startswith("https://feedback.example.org/fhir/clinics/")


def test_no_email_leaves_unless_the_clinic_opts_in(demo_clinic):
    emails = [u.email for u in db.session.scalars(select(User).where(User.clinic_id == demo_clinic.id))]
    text = json.dumps(export(demo_clinic, observations=True))
    assert not any(email in text for email in emails) and "@" not in text
    opted_in = json.dumps(export(demo_clinic, practitioner_emails=True))
    assert all(email in opted_in for email in emails if not email.startswith("director"))
    assert systems.EMAIL_SYSTEM in opted_in


def test_one_patient_and_a_date_range(demo_clinic):
    one = by_type(export(demo_clinic, patient_code="NS-103"))
    assert {e["patient"]["identifier"]["value"] for e in one["EpisodeOfCare"]} == {"NS-103"}
    assert {r["subject"]["identifier"]["value"] for r in one["QuestionnaireResponse"]} == {"NS-103"}
    first = db.session.scalar(select(func.min(TherapySession.starts_at)))
    day = first.astimezone(demo_clinic.zone).date()
    dated = by_type(export(demo_clinic, since=day, until=day))
    dates = {r["extension"][0]["extension"][1]["valueDate"] for r in dated["Encounter"]}
    assert dates == {day.isoformat()}


def test_scores_and_flags_are_observations_named_by_the_codesystem(demo_clinic):
    bundle = by_type(export(demo_clinic, observations=True))
    [code_system] = bundle["CodeSystem"]
    codes = {c["code"] for group in code_system["concept"] for c in group["concept"]}
    assert len(codes) == sum(len(group["concept"]) for group in code_system["concept"])  # unique
    observations = bundle["Observation"]
    scores = [o for o in observations if o["category"][0]["coding"][0]["code"] == "survey"]
    flags = [o for o in observations if o["category"][0]["coding"][0]["code"] == "flag"]
    assert {o["code"]["coding"][0]["code"] for o in scores} >= {"bond", "task", "goal", "alliance", "phq9", "gad7"}
    assert {o["code"]["coding"][0]["code"] for o in observations} <= codes
    assert flags and all(o["note"][0]["text"] for o in flags)  # each flag with its reason
    assert "Observation" not in by_type(export(demo_clinic))  # optional per export


def test_the_command_streams_to_a_file_or_stdout_and_is_audited(demo_clinic, run, tmp_path):
    out = tmp_path / "clinic.json"
    result = run("export-fhir", "--clinic", demo_clinic.name, "--output", out)
    assert result.exit_code == 0, result.output
    validate(json.loads(out.read_text()))
    result = run("export-fhir", "--clinic", demo_clinic.name, "--patient", "NS-101", "--since", "2000-01-01")
    assert result.exit_code == 0 and json.loads(result.output)["resourceType"] == "Bundle"
    details = db.session.scalars(select(AuditEvent.detail).where(AuditEvent.action == "export_clinic_fhir")).all()
    assert len(details) == 2 and "patient NS-101" in details[1] and details[0].startswith("cli user ")
    assert run("export-fhir", "--clinic", "No such clinic").exit_code != 0


def test_the_directors_download_is_streamed_and_audited_before_the_first_byte(client, demo_clinic, sign_in_as):
    director = db.session.scalar(select(User).where(User.clinic_id == demo_clinic.id, User.role == "director"))
    sign_in_as(client, director)
    response = client.get("/clinic/fhir-export?observations=1")
    assert response.status_code == 200 and response.mimetype == "application/fhir+json"
    assert response.is_streamed
    assert response.headers["Content-Disposition"].startswith(f'attachment; filename="fhir-clinic{demo_clinic.id}-')
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "export_clinic_fhir")).all()
    assert event.user_id == director.id and "with observations" in event.detail
    validate(json.loads(response.get_data(as_text=True)))
    assert client.get("/clinic/fhir-export?since=yesterday").status_code == 422
