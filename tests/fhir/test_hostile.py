"""Hostile and broken bundles: each answered with a clear problem naming the entry and FHIR path,
nothing written, never a 500 (the command, the operation and the web page alike)."""

from __future__ import annotations

import copy
import io
import json

import pytest
from sqlalchemy import func, select

from dashboards.fhir import systems
from dashboards.fhir.operations import import_bundle
from feedback.extensions import db
from feedback.models import Clinic, Invitation, Patient, Response, TherapySession
from tests.conftest import csrf_token_from
from tests.fhir.conftest import TARGET, item, response


def counts() -> tuple[int, ...]:
    return tuple(db.session.scalar(select(func.count()).select_from(t)) for t in (Patient, TherapySession,
                                                                                  Invitation, Response))


def _nested(depth: int) -> dict:
    inner: dict = {"linkId": "deep", "answer": [{"valueInteger": 1}]}
    for _ in range(depth):
        inner = {"linkId": "deep", "item": [inner]}
    return inner


HOSTILE = {
    "wrong resource type": (lambda b: b["entry"].append({"resource": {"resourceType": "MedicationRequest"}}),
                            "resource.resourceType: a MedicationRequest is not imported"),
    "unknown questionnaire": (lambda b: response(b).update(questionnaire=response(b)["questionnaire"].replace(
        "post-session-patient|2", "post-session-patient|99")), "QuestionnaireResponse.questionnaire: unknown"),
    "wrong linkId": (lambda b: item(b, "held_back").update(linkId="held_back_a_lot"),
                     ".linkId: 'held_back_a_lot' is not an item of post-session-patient version 2"),
    "answer of the wrong type": (lambda b: item(b, "bond_trust").update(answer=[{"valueString": "5"}]),
                                 ".answer[0]: valueString does not answer bond_trust, a integer item"),
    "answer above the maximum": (lambda b: item(b, "bond_trust").update(answer=[{"valueInteger": 7}]),
                                 "answer[0].valueInteger: '7' is not a whole number from 1 to 5"),
    "empty answer": (lambda b: item(b, "comment").update(answer=[{"valueString": ""}]), "an empty answer"),
    "required item missing": (lambda b: response(b).update(item=[i for i in response(b)["item"]
                                                                  if i["linkId"] != "task_fit"]),
                              "QuestionnaireResponse.item.where(linkId='task_fit'): is empty"),
    "follow-up without its condition": (lambda b: item(b, "rupture").update(answer=[{"valueBoolean": False}]),
                                        "is only asked when rupture is yes"),
    "deeply nested items": (lambda b: response(b)["item"].append(_nested(200)), "nested items are not imported"),
    "a reference by id, not identifier": (lambda b: response(b).update(subject={"reference": "Patient/12"}),
                                          "subject.identifier: a Patient is referenced by its identifier"),
    "not a bundle": (lambda b: b.update(resourceType="Patient"), "Bundle: the file is not a FHIR Bundle"),
    # The input-hygiene rule on every string of the bundle, imported or read over, values and names alike.
    "a NUL inside an answer's text": (lambda b: item(b, "comment").update(answer=[{"valueString": "ok\x00"}]),
                                      ".answer[0].valueString: holds an invisible control character (U+0000)"),
    "a bidi override in a read-over Questionnaire": (
        lambda b: _first(b, "Questionnaire").update(title="\u202eevil"),
        "Questionnaire.title: holds an invisible control character (U+202E); remove it"),
    "an escape character in a property name": (
        lambda b: response(b)["extension"][0].update({"url\x1b": "x"}),
        "QuestionnaireResponse.extension[0].url?: the property name holds an invisible control character (U+001B)"),
    "a lone surrogate": (lambda b: response(b).update(status="completed\ud800"),
                         "QuestionnaireResponse.status: holds a byte that is not UTF-8 text (U+D800)"),
    "a NUL in a treatment's patient code": (
        lambda b: _first(b, "EpisodeOfCare")["patient"]["identifier"].update(value="P-SRC\x00"),
        "EpisodeOfCare.patient.identifier.value: holds an invisible control character (U+0000)"),
    # A slip of the year (0001 for 2001), refused as the CSV import refuses it.
    "a session dated in year 1": (lambda b: _session_dates(b, "0001-03-04"),
                                  "0001-03-04 is before 1900; check the year"),
    "a treatment ended in year 1": (lambda b: _first(b, "EpisodeOfCare").update(
        status="finished", period={"end": "0001-03-04"},
        extension=[{"url": systems.END_REASON, "valueCoding": {"system": systems.CODE_SYSTEM, "code": "completed"}}]),
        "EpisodeOfCare.period.end: 0001-03-04 is before 1900; check the year"),
}


def _session_dates(bundle: dict, day: str) -> None:
    """Every resource's session date (the session extension's "date") set to `day`."""
    for entry in bundle["entry"]:
        for extension in entry["resource"].get("extension", []):
            for part in extension.get("extension", []) if extension.get("url") == systems.SESSION else []:
                if part["url"] == "date":
                    part["valueDate"] = day


def _first(bundle: dict, kind: str) -> dict:
    return next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind)


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_each_hostile_bundle_gets_a_clear_problem_and_no_write(case, source):
    bundle, matching = copy.deepcopy(source[0]), source[1]
    change, expected = HOSTILE[case]
    change(bundle)
    before = counts()
    result = import_bundle(json.dumps(bundle).encode(), clinic_name=TARGET, matching=matching)
    assert not result.written and counts() == before
    messages = "\n".join(str(p) for p in result.problems)
    assert expected in messages, messages


def test_the_same_bundle_unchanged_is_imported(source):
    bundle, matching = source
    result = import_bundle(json.dumps(bundle).encode(), clinic_name=TARGET, matching=matching)
    assert result.problems == [] and result.written
    assert db.session.scalar(select(func.count()).select_from(Response)) == 2


def test_problems_name_the_entry_its_full_url_and_the_path(source):
    bundle, matching = copy.deepcopy(source[0]), source[1]
    item(bundle, "bond_trust").update(answer=[{"valueInteger": 7}])
    index = next(i for i, e in enumerate(bundle["entry"]) if e["resource"]["resourceType"] == "QuestionnaireResponse")
    position = response(bundle)["item"].index(item(bundle, "bond_trust"))
    [problem] = import_bundle(json.dumps(bundle).encode(), clinic_name=TARGET, matching=matching).problems
    assert (problem.entry, problem.full_url) == (index, bundle["entry"][index]["fullUrl"])
    assert problem.path == f"QuestionnaireResponse.item[{position}].answer[0].valueInteger"
    assert str(problem).startswith(f"entry[{index}] (urn:uuid:")


def test_a_refused_character_is_named_by_entry_full_url_and_path_and_a_flood_of_them_is_counted(source):
    bundle, matching = copy.deepcopy(source[0]), source[1]
    item(bundle, "comment").update(answer=[{"valueString": "fine\u2066"}])
    index = next(i for i, e in enumerate(bundle["entry"]) if e["resource"]["resourceType"] == "QuestionnaireResponse")
    position = response(bundle)["item"].index(item(bundle, "comment"))
    [problem] = import_bundle(json.dumps(bundle).encode(), clinic_name=TARGET, matching=matching).problems
    assert (problem.entry, problem.full_url) == (index, bundle["entry"][index]["fullUrl"])
    assert problem.path == f"QuestionnaireResponse.item[{position}].answer[0].valueString"
    assert problem.message == "holds an invisible control character (U+2066); remove it"
    response(bundle)["contained"] = ["\x00"] * 150
    problems = import_bundle(json.dumps(bundle).encode(), clinic_name=TARGET, matching=matching).problems
    assert len(problems) == 101 and str(problems[-1]) == ("Bundle: 51 more strings hold characters the input rule "
                                                          "refuses; the first 100 are listed")
    assert counts() == (1, 1, 2, 1)  # the source clinic's own


def test_a_patient_of_another_clinic_is_refused(source):
    bundle, _ = source
    result = import_bundle(json.dumps(bundle).encode(), clinic_name=TARGET)
    assert "is not this clinic's patient system" in "\n".join(map(str, result.problems)) and not result.written


def test_json_nested_beyond_reason_and_text_that_is_not_json(source):
    deep = b'{"resourceType": "Bundle", "entry": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    for data, expected in ((deep, "nested too deeply"), (b"\xff\xfe not json", "not JSON")):
        [problem] = import_bundle(data, clinic_name=TARGET).problems
        assert expected in str(problem)


def test_a_50_mb_bundle_is_refused_by_its_size_by_the_command_and_the_page(source, run, client, sign_in_as, make_user):
    big = b'{"resourceType": "Bundle", "type": "collection", "entry": []' + b" " * (50 * 1024 * 1024) + b"}"
    result = run("import-fhir", big, "--clinic", TARGET)
    assert result.exit_code == 1 and "is 50.0 MB; an import takes at most 20 MB (FHIR_IMPORT_MAX_MB)" in result.output
    director = make_user("director", db.session.scalar(select(Clinic).where(Clinic.name == TARGET)))
    sign_in_as(client, director)
    token = csrf_token_from(client.get("/clinic/fhir-import").text)
    page = client.post("/clinic/fhir-import", data={"csrf_token": token, "bundle": (io.BytesIO(big), "big.json")},
                       content_type="multipart/form-data")
    assert page.status_code == 413 and "an import takes at most 20 MB" in page.text


@pytest.mark.parametrize("case", ["wrong linkId", "not a bundle", "deeply nested items",
                                  "a NUL inside an answer's text"])
def test_the_web_page_lists_the_problems_with_422_and_writes_nothing(case, source, client, sign_in_as, make_user):
    bundle = copy.deepcopy(source[0])
    HOSTILE[case][0](bundle)
    director = make_user("director", db.session.scalar(select(Patient).limit(1)).clinic)
    sign_in_as(client, director)
    token = csrf_token_from(client.get("/clinic/fhir-import").text)
    before = counts()
    page = client.post("/clinic/fhir-import", data={"csrf_token": token, "practitioners": "not a mapping",
                                                     "bundle": (io.BytesIO(json.dumps(bundle).encode()), "b.json")},
                       content_type="multipart/form-data")
    assert page.status_code == 422 and "is not system|value=e-mail" in page.text
    page = client.post("/clinic/fhir-import", data={"csrf_token": token,
                                                     "bundle": (io.BytesIO(json.dumps(bundle).encode()), "b.json")},
                       content_type="multipart/form-data")
    assert page.status_code == 422 and "nothing was written" in page.text and counts() == before
