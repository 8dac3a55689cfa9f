"""A faulty bundle's problems on the import page in the director's language (issue 19): each problem's
location (entry, fullUrl, FHIR path) as it is, its message translated, a row the CSV importer names
in a message re-addressed as that row's entry."""

from __future__ import annotations

import copy
import html
import io
import json

from sqlalchemy import select

from feedback.extensions import db
from feedback.models import Clinic
from tests.conftest import csrf_token_from
from tests.fhir.conftest import TARGET, item, response


def _faulty(bundle: dict) -> tuple[dict, int, int, str]:
    """The bundle with its response answered twice (the second with a 7 on a 1-5 item) and a resource it
    does not import: (bundle, index of the response, index of its twin, the twin's item path)."""
    bundle = copy.deepcopy(bundle)
    first = next(i for i, e in enumerate(bundle["entry"]) if e["resource"]["resourceType"] == "QuestionnaireResponse")
    twin = copy.deepcopy(bundle["entry"][first])
    twin["fullUrl"] = "urn:uuid:00000000-0000-4000-8000-000000000007"
    bundle["entry"].append(twin)
    position = response({"entry": [twin]})["item"].index(item({"entry": [twin]}, "bond_trust"))
    item({"entry": [twin]}, "bond_trust").update(answer=[{"valueInteger": 7}])
    bundle["entry"].append({"resource": {"resourceType": "MedicationRequest"}})
    return bundle, first, len(bundle["entry"]) - 2, f"QuestionnaireResponse.item[{position}].answer[0].valueInteger"


def _import_page(client, sign_in_as, make_user, language: str | None, source: tuple) -> str:
    bundle, matching = source
    director = make_user("director", db.session.scalar(select(Clinic).where(Clinic.name == TARGET)))
    director.language = language
    db.session.commit()
    sign_in_as(client, director)
    token = csrf_token_from(client.get("/clinic/fhir-import").text)
    mapped = "\n".join(f"{system}|{value}={email}" for (system, value), email in matching.practitioners.items())
    page = client.post("/clinic/fhir-import", data={"csrf_token": token, "dry_run": "y", "practitioners": mapped,
                                                     "accept_systems": "\n".join(matching.accept_systems),
                                                     "bundle": (io.BytesIO(json.dumps(bundle).encode()), "b.json")},
                       content_type="multipart/form-data")
    assert page.status_code == 422
    return html.unescape(page.text)


def test_a_spanish_director_reads_the_bundles_problems_in_spanish_at_their_entries(source, client, sign_in_as,
                                                                                     make_user):
    bundle, first, twin, path = _faulty(source[0])
    page = _import_page(client, sign_in_as, make_user, "es", (bundle, source[1]))
    where = f"entry[{twin}] (urn:uuid:00000000-0000-4000-8000-000000000007)"
    assert f"{where} {path}: '7' no es un número entero de 1 a 5" in page
    assert (f"{where} QuestionnaireResponse.author: la sesión 1 de P-SRC ya tiene una fila para el paciente "
            f"(entry[{first}]); una fila por cuestionario") in page
    assert (f"entry[{twin + 1}] resource.resourceType: un MedicationRequest no se importa: un bundle para importar "
            "contiene recursos EpisodeOfCare, Encounter, QuestionnaireResponse (véase docs/fhir.md, Import)") in page
    assert "3 problemas; no se ha guardado nada." in page
    listed = page.split('class="errors"')[1].split("</div>")[0]
    for english in ("is not a whole number", "already has a row", "is not imported", "row "):
        assert english not in listed


def test_an_english_director_reads_the_same_problems_in_english(source, client, sign_in_as, make_user):
    bundle, first, twin, path = _faulty(source[0])
    page = _import_page(client, sign_in_as, make_user, None, (bundle, source[1]))
    where = f"entry[{twin}] (urn:uuid:00000000-0000-4000-8000-000000000007)"
    assert f"{where} {path}: '7' is not a whole number from 1 to 5" in page
    assert (f"{where} QuestionnaireResponse.author: session 1 of P-SRC already has a row for the patient "
            f"(entry[{first}]); one row per questionnaire") in page
    assert f"entry[{twin + 1}] resource.resourceType: a MedicationRequest is not imported" in page
