"""The outcome measures (PHQ-9, GAD-7) in FHIR: each answered measure a QuestionnaireResponse of its
instrument's Questionnaire beside the session's alliance form, with its score Observation; read back
into the CSV import's outcome rows, stored as a CSV file's are (no safety alert for history), once."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from dashboards.fhir import systems
from dashboards.fhir.export import clinic_context
from dashboards.fhir.operations import Matching, import_bundle
from dashboards.fhir.responses import utc
from feedback.extensions import db
from feedback.models import Clinic, Invitation, OutcomeResponse, Patient, Response, SafetyAlert, TherapySession
from tests.battery.helpers import BOTH_EVERY_SESSION, GAD7_FORM, PHQ9_FORM, send, set_clinic_battery
from tests.factories import PATIENT_FORM
from tests.fhir.conftest import export
from tests.fhir.invariants import by_type, canonical_index, response_problems, validate

TARGET = "Target clinic"
PHQ9 = systems.questionnaire_url("phq-9") + "|1"
GAD7 = systems.questionnaire_url("gad-7") + "|1"


@pytest.fixture
def source(client, make_clinic, make_user, make_patient, make_session):
    """P-OUT answered the alliance form, the PHQ-9 and the GAD-7 at two sessions, the second PHQ-9
    with item 9 above 'Not at all' (a safety alert in this clinic); an empty clinic to import into."""
    clinic = make_clinic("Source clinic")
    therapist = make_user("therapist", clinic)
    patient = make_patient(therapist, code="P-OUT")
    set_clinic_battery(clinic, BOTH_EVERY_SESSION)
    now = datetime.now(UTC)
    for starts_at, item9 in ((now - timedelta(days=7), "0"), (now - timedelta(hours=1), "2")):
        path = f"/s/{make_session(patient, starts_at=starts_at).links['patient'].token}"
        for page, form in (("", PATIENT_FORM), ("/phq-9", {**PHQ9_FORM, "phq9_9": item9}), ("/gad-7", GAD7_FORM)):
            assert send(client, path + page, form).status_code in (302, 303)
    assert db.session.scalar(select(func.count()).select_from(SafetyAlert)) == 1
    target = make_clinic(TARGET)
    mapped = make_user("therapist", target)
    own = clinic_context(clinic).systems
    return clinic, Matching((own.patient,), {(own.practitioner, str(therapist.id)): mapped.email})


def outcome_responses(bundle: dict) -> list[tuple[int, dict]]:
    return [(k, e["resource"]) for k, e in enumerate(bundle["entry"])
            if e["resource"]["resourceType"] == "QuestionnaireResponse" and e["resource"]["questionnaire"] in (PHQ9, GAD7)]


def test_each_outcome_answer_is_a_questionnaire_response_of_its_instrument_beside_its_alliance_form(source):
    clinic, _ = source
    bundle = export(clinic, observations=True)
    resources = by_type(bundle)
    index = canonical_index(resources["Questionnaire"])
    found = [r for _, r in outcome_responses(bundle)]
    assert [(r["identifier"]["value"], r["questionnaire"]) for r in found] == [
        ("P-OUT/1/patient/phq-9", PHQ9), ("P-OUT/1/patient/gad-7", GAD7),
        ("P-OUT/2/patient/phq-9", PHQ9), ("P-OUT/2/patient/gad-7", GAD7)]
    identifiers = [r["identifier"]["value"] for r in resources["QuestionnaireResponse"]]
    assert len(identifiers) == len(set(identifiers))
    alliance = {r["identifier"]["value"]: r for r in resources["QuestionnaireResponse"] if r not in found}
    stored = db.session.scalars(select(OutcomeResponse).order_by(OutcomeResponse.id)).all()
    for response, answer in zip(found, stored, strict=True):
        validate(response)
        assert response_problems(index[response["questionnaire"]], response) == []
        beside = alliance[response["identifier"]["value"].rsplit("/", 1)[0]]  # the session's patient form
        for key in ("subject", "author", "encounter", "extension"):
            assert response[key] == beside[key], key
        assert response["status"] == "completed" and response["author"]["type"] == "Patient"
        assert response["authored"] == utc(answer.submitted_at)
        answers = {i["linkId"]: i["answer"][0] for i in response["item"]}
        assert answers["phq9_4" if answer.instrument_id == "phq-9" else "gad7_1"] == {
            "valueInteger": answer.answers["phq9_4" if answer.instrument_id == "phq-9" else "gad7_1"]}
    assert {"valueCoding": {"system": systems.option_system("phq-9", "phq9_difficulty"), "code": "somewhat",
                            "display": "Somewhat difficult"}} in [i["answer"][0] for i in found[0]["item"]]
    urls = {e["resource"]["identifier"]["value"]: e["fullUrl"] for e in bundle["entry"]
            if e["resource"]["resourceType"] == "QuestionnaireResponse"}
    totals = {o["identifier"][0]["value"]: (o["valueQuantity"]["value"], o["derivedFrom"][0]["reference"])
              for o in resources["Observation"] if o["code"]["coding"][0]["code"] in ("phq9", "gad7")}
    assert totals == {"P-OUT/1/patient/phq-9/phq9": (9.0, urls["P-OUT/1/patient/phq-9"]),
                      "P-OUT/1/patient/gad-7/gad7": (7.0, urls["P-OUT/1/patient/gad-7"]),
                      "P-OUT/2/patient/phq-9/phq9": (11.0, urls["P-OUT/2/patient/phq-9"]),
                      "P-OUT/2/patient/gad-7/gad7": (7.0, urls["P-OUT/2/patient/gad-7"])}


def target_outcomes() -> list[tuple]:
    return db.session.execute(
        select(TherapySession.number, Invitation.respondent, OutcomeResponse.instrument_id, OutcomeResponse.answers,
               OutcomeResponse.scores, OutcomeResponse.submitted_at == Invitation.completed_at)
        .join(Invitation, Invitation.id == OutcomeResponse.invitation_id)
        .join(TherapySession, TherapySession.id == Invitation.session_id)
        .join(Patient, Patient.id == TherapySession.patient_id).join(Clinic, Clinic.id == Patient.clinic_id)
        .where(Clinic.name == TARGET).order_by(OutcomeResponse.id)
    ).all()


def test_outcome_answers_import_as_a_csv_files_do_with_no_safety_alert_and_a_second_import_changes_nothing(source):
    clinic, matching = source
    data = json.dumps(export(clinic, observations=True)).encode()
    result = import_bundle(data, clinic_name=TARGET, matching=matching)
    assert result.problems == [] and result.written and len(result.outcome.plan.outcomes) == 4
    stored = db.session.scalars(select(OutcomeResponse).order_by(OutcomeResponse.id)).all()[:4]
    assert [row[:5] for row in target_outcomes()] == [
        (r.invitation.session.number, "patient", r.instrument_id, r.answers, r.scores) for r in stored]
    assert all(row[5] for row in target_outcomes())  # given with the alliance form, at the session's end
    assert db.session.scalar(select(func.count()).select_from(SafetyAlert)) == 1  # the source's own, no other
    counts = [db.session.scalar(select(func.count()).select_from(t)) for t in (OutcomeResponse, Response, Invitation)]
    again = import_bundle(data, clinic_name=TARGET, matching=matching)
    assert again.problems == [] and again.outcome.plan.outcomes == []
    assert counts == [db.session.scalar(select(func.count()).select_from(t))
                      for t in (OutcomeResponse, Response, Invitation)]


def _answer(response: dict, link_id: str) -> dict:
    return next(i for i in response["item"] if i["linkId"] == link_id)["answer"][0]


def _without_the_first_alliance_form(bundle: dict) -> None:
    bundle["entry"] = [e for e in bundle["entry"] if not (e["resource"]["resourceType"] == "QuestionnaireResponse"
                                                          and e["resource"]["identifier"]["value"] == "P-OUT/1/patient")]


def _twice(bundle: dict) -> None:
    first = copy.deepcopy(bundle["entry"][outcome_responses(bundle)[0][0]])
    bundle["entry"].append({**first, "fullUrl": "urn:uuid:00000000-0000-0000-0000-000000000001"})


OUTCOME_PROBLEMS = {
    "an answer out of range": (lambda b: _answer(outcome_responses(b)[0][1], "phq9_1").update(valueInteger=4),
                               "QuestionnaireResponse.item[0].answer[0].valueInteger: '4' is not a whole number "
                               "from 0 to 3"),
    "no patient form for its session": (_without_the_first_alliance_form,
                                        "QuestionnaireResponse.questionnaire: session 1 of P-OUT has no patient "
                                        "questionnaire"),
    "the same measure twice": (_twice, "QuestionnaireResponse.author: session 1 of P-OUT already has a row for the "
                                       "patient's phq-9 (entry["),
    "sent without answers": (lambda b: outcome_responses(b)[0][1].update(status="in-progress", item=[]),
                             "QuestionnaireResponse.questionnaire: phq-9 is an outcome measure: a row of it holds "
                             "answers; this one has none"),
}


@pytest.mark.parametrize("case", sorted(OUTCOME_PROBLEMS))
def test_an_outcome_response_with_a_problem_is_named_by_entry_and_path_and_nothing_is_written(case, source):
    clinic, matching = source
    bundle = export(clinic)
    change, expected = OUTCOME_PROBLEMS[case]
    change(bundle)
    before = db.session.scalar(select(func.count()).select_from(OutcomeResponse))
    result = import_bundle(json.dumps(bundle).encode(), clinic_name=TARGET, matching=matching)
    messages = "\n".join(map(str, result.problems))
    assert not result.written and expected in messages, messages
    assert all(str(p).startswith("entry[") for p in result.problems)
    assert db.session.scalar(select(func.count()).select_from(OutcomeResponse)) == before


def test_a_different_outcome_answer_than_the_one_stored_is_a_problem_at_its_item(source):
    clinic, matching = source
    bundle = export(clinic)
    assert import_bundle(json.dumps(bundle).encode(), clinic_name=TARGET, matching=matching).written
    k, response = outcome_responses(bundle)[2]  # session 2's PHQ-9
    _answer(response, "phq9_9").update(valueInteger=0)
    position = [i["linkId"] for i in response["item"]].index("phq9_9")
    [problem] = import_bundle(json.dumps(bundle).encode(), clinic_name=TARGET, matching=matching).problems
    assert (problem.entry, problem.full_url) == (k, bundle["entry"][k]["fullUrl"])
    assert problem.path == f"QuestionnaireResponse.item[{position}].answer[0].valueInteger"
    assert problem.message == "the database already holds 2 for session 2 of P-OUT; the file says 0"
