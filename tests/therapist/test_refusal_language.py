"""What the app refuses, said in the reader's language: a phone number or a control character on a
Spanish therapist's form; for someone not signed in, a control character in an address's query and
a form without its CSRF token (the browser's language); the FHIR API's refusal as an
OperationOutcome. The command line stays English (tests/test_setup_cli.py)."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import OperationalError

from feedback import errors
from feedback.extensions import db
from tests.conftest import csrf_token_from
from tests.therapist.conftest import text


def add(client, code: str, mobile: str):
    form = client.get("/new-patient")
    return client.post("/new-patient", data={"code": code, "mobile": mobile, "sms_consent": "y", "language": "en",
                                             "csrf_token": csrf_token_from(form.text)})


@pytest.mark.parametrize(("mobile", "message"), [
    ("not a number", "No es un número de teléfono: escríbalo en formato internacional, p. ej., +44 7700 900123."),
    ("+44 20 7946 0000", "No es un número de móvil, así que no puede recibir SMS."),
])
def test_a_spanish_therapist_reads_the_phone_problem_in_spanish(world, as_user, mobile, message):
    world.own.language = "es"
    db.session.commit()
    response = add(as_user(world.own), "P-A9", mobile)
    assert response.status_code == 422 and message.lower() in text(response.text).lower()


def test_an_english_therapist_reads_it_in_english(world, as_user):
    response = add(as_user(world.own), "P-A9", "not a number")
    assert "not a phone number: give it in international form, e.g. +44 7700 900123" in text(response.text).lower()


def test_a_control_character_is_refused_in_the_readers_language(world, as_user):
    world.own.language = "es"
    db.session.commit()
    response = add(as_user(world.own), "P-\x01", "+44 7700 900123")
    assert response.status_code == 422
    assert "El texto contiene un carácter de control invisible (U+0001); elimínelo." in text(response.text)


@pytest.mark.parametrize(("browser", "title", "message"), [
    ("es-ES,es;q=0.9", "422 No aceptado", "La búsqueda o el filtro «q» contiene un carácter de control invisible"),
    ("en-GB", "422 Not accepted", "The search or filter “q” holds an invisible control character"),
])
def test_a_refused_query_speaks_the_browsers_language_to_someone_not_known(client, browser, title, message):
    response = client.get("/s/some-link?q=%01", headers={"Accept-Language": browser})
    assert response.status_code == 422 and title in response.text and message in text(response.text)


def test_a_refused_query_to_the_fhir_api_is_an_operation_outcome(client):
    response = client.get("/fhir/metadata?q=%01")
    assert response.status_code == 422 and response.json["resourceType"] == "OperationOutcome"
    assert "holds an invisible control character (U+0001)" in response.json["issue"][0]["diagnostics"]


def test_a_sign_in_form_without_its_token_speaks_the_browsers_language(client):
    response = client.post("/login", data={"email": "x@example.org", "password": "x"},
                           headers={"Accept-Language": "es-ES,es;q=0.9"})
    assert response.status_code == 400 and "Inténtelo de nuevo" in response.text and '<html lang="es"' in response.text


def test_the_csrf_page_of_a_link_holds_when_the_link_cannot_be_looked_up(client, monkeypatch):
    def database_down(*args, **kwargs):
        raise OperationalError("SELECT", {}, Exception("down"))

    monkeypatch.setattr(errors, "resolve", database_down)
    response = client.post("/s/" + "A" * 43, data={"x": "1"}, headers={"Accept-Language": "es-ES,es;q=0.9"})
    assert response.status_code == 400 and "Inténtelo de nuevo" in response.text
