"""The survey in the patient's language: its pages, messages and the instrument's wording; the
patient changing it from the page; the answers stored with the language they were given in; a
string missing from a catalog shown in English, never as a key."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from dashboards.audit.models import AuditEvent
from feedback.extensions import db
from feedback.models import OutcomeResponse, Response, utcnow
from tests.conftest import csrf_token_from
from tests.factories import PATIENT_FORM


def _spanish_link(make_patient, make_session, **patient) -> str:
    return make_session(make_patient(language="es", **patient)).links["patient"].token


def test_a_spanish_patient_reads_the_form_in_spanish(client, make_patient, make_session):
    page = client.get(f"/s/{_spanish_link(make_patient, make_session)}")
    assert page.status_code == 200
    assert '<html lang="es" dir="ltr">' in page.text
    assert "Después de la sesión de hoy" in page.text  # the instrument's own Spanish
    assert "Hoy me sentí comprendido(a) por mi terapeuta." in page.text
    assert "Quién ve sus respuestas:" in page.text and "Enviar mis respuestas" in page.text
    assert "No se supervisan en tiempo real" in page.text or "no se supervisan en tiempo real" in page.text
    assert "Who sees your answers" not in page.text and "I felt understood" not in page.text


def test_validation_messages_are_in_spanish_with_their_values(client, make_patient, make_session):
    link = f"/s/{_spanish_link(make_patient, make_session)}"
    token = csrf_token_from(client.get(link).text)
    page = client.post(link, data={**PATIENT_FORM, "bond_trust": "9", "task_fit": "", "csrf_token": token})
    assert page.status_code == 422
    assert "Revise 2 respuestas" in page.text
    assert "Elija un valor del 1 al 5." in page.text and "Responda a esta pregunta." in page.text


def test_answers_keep_the_language_they_were_given_in(client, make_patient, make_session):
    patient = make_patient(language="es")
    patient.clinic.outcome_battery = [{"instrument": "phq-9", "every": "session"}]
    db.session.commit()
    link = f"/s/{make_session(patient).links['patient'].token}"
    sent = client.post(link, data={**PATIENT_FORM, "csrf_token": csrf_token_from(client.get(link).text)})
    phq = client.get(sent.location)
    assert "Poco interés o placer en hacer cosas" in phq.text and "Ningún día" in phq.text
    client.post(sent.location, data={**{f"phq9_{i}": "0" for i in range(1, 10)},
                                     "csrf_token": csrf_token_from(phq.text)})
    assert db.session.scalars(select(Response.language)).one() == "es"
    assert db.session.scalars(select(OutcomeResponse.language)).one() == "es"


def test_the_thank_you_page_keeps_the_language(client, make_patient, make_session):
    link = f"/s/{_spanish_link(make_patient, make_session)}"
    sent = client.post(link, data={**PATIENT_FORM, "csrf_token": csrf_token_from(client.get(link).text)})
    assert sent.status_code == 303 and sent.location.endswith("/s/thanks?lang=es")
    thanks = client.get(sent.location)
    assert "Gracias" in thanks.text and '<html lang="es"' in thanks.text
    assert 'lang="en"' in client.get("/s/thanks?lang=xx").text  # not a shipped language: English


def test_the_patient_changes_the_language_from_the_page(client, make_patient, make_session):
    recorded = make_session(make_patient())
    patient, link = recorded.session.patient, f"/s/{recorded.links['patient'].token}"
    page = client.get(link)
    assert '<button type="submit" name="language" value="es" lang="es" class="link">Español</button>' in page.text
    changed = client.post(f"{link}/language", data={"language": "es", "csrf_token": csrf_token_from(page.text)})
    assert changed.status_code == 303 and changed.location.endswith(link)
    db.session.refresh(patient)
    assert patient.language == "es"
    assert "Enviar mis respuestas" in client.get(link).text
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "patient_language")).one()
    assert event.patient_id == patient.id and event.detail == "en -> es, by the patient on the survey page"


def test_a_language_that_does_not_ship_is_refused(client, make_patient, make_session):
    recorded = make_session(make_patient())
    link = f"/s/{recorded.links['patient'].token}"
    token = csrf_token_from(client.get(link).text)
    for value in ("xx", "", "es\x00"):
        refused = client.post(f"{link}/language", data={"language": value, "csrf_token": token})
        assert refused.status_code == 422, value
    db.session.refresh(recorded.session.patient)
    assert recorded.session.patient.language == "en"


def test_the_switch_reaches_no_further_than_its_token(client, make_patient, make_session):
    recorded = make_session(make_patient())
    therapist_link = f"/s/{recorded.links['therapist'].token}"
    page = client.get(therapist_link)
    assert 'name="language"' not in page.text  # a clinician's language is their account's
    token = csrf_token_from(page.text)
    assert client.post(f"{therapist_link}/language", data={"language": "es", "csrf_token": token}).status_code == 404
    assert client.post("/s/not-a-token/language", data={"language": "es", "csrf_token": token}).status_code == 404
    db.session.refresh(recorded.session.patient)
    assert recorded.session.patient.language == "en"


def test_a_therapists_form_follows_the_therapists_language(client, make_user, make_patient, make_session):
    """Not the patient's: a Spanish-speaking therapist of an English-speaking patient reads Spanish."""
    therapist = make_user()
    therapist.language = "es"
    db.session.commit()
    page = client.get(f"/s/{make_session(make_patient(therapist)).links['therapist'].token}")
    assert '<html lang="es"' in page.text and "Enviar mis respuestas" in page.text
    assert "¿Cuánta conexión sintió hoy con este paciente?" in page.text


def test_a_string_missing_from_the_catalog_falls_back_to_english(app):
    from flask_babel import gettext

    from feedback.i18n import translated, use_language
    from feedback.phrases import phrase

    with app.test_request_context():
        use_language("es")
        assert gettext("Send my answers") == "Enviar mis respuestas"
        assert gettext("A sentence no catalog has") == "A sentence no catalog has"
        assert translated(phrase("Nothing for %(n)s here", n=3)) == "Nothing for 3 here"


def test_a_broken_link_answers_in_the_browsers_language_if_it_ships(client):
    page = client.get("/s/not-a-real-token", headers={"Accept-Language": "es-ES,es;q=0.9,en;q=0.5"})
    assert page.status_code == 404 and "Este enlace no funciona" in page.text and '<html lang="es"' in page.text
    page = client.get("/s/not-a-real-token", headers={"Accept-Language": "fr-FR"})
    assert "This link doesn’t work" in page.text and '<html lang="en"' in page.text


@pytest.mark.parametrize(("browser", "language"), [
    ("es-MX,en;q=0.5", "es"),  # a regional tag counts for its language, before a less preferred exact one
    ("fr-CA,es;q=0.8,en;q=0.5", "es"),  # the first one that ships
    ("en-US,es;q=0.9", "en"),
    ("es;q=0,en;q=0.1", "en"),  # "not Spanish"
    ("*", "en"),
])
def test_the_browsers_order_of_preference_decides(client, browser, language):
    page = client.get("/s/not-a-real-token", headers={"Accept-Language": browser})
    assert f'<html lang="{language}"' in page.text


def test_a_known_links_405_and_413_pages_speak_its_patients_language(client, make_patient, make_session):
    """Refused for its method by the router, or for its size before the view: the address is the
    link's, so the page is in the patient's Spanish whatever the browser prefers."""
    english_browser = {"Accept-Language": "en-GB,en;q=0.9"}
    link = f"/s/{make_session(make_patient(language='es')).links['patient'].token}"
    wrong_method = client.put(link, headers=english_browser)
    too_large = client.post(link, data={"started": "x" * (2 * 1024 * 1024)}, headers=english_browser)
    for page, status in ((wrong_method, 405), (too_large, 413)):
        assert page.status_code == status and '<html lang="es"' in page.text, status
    unknown = client.put("/s/not-a-real-token", headers=english_browser)
    assert unknown.status_code == 405 and '<html lang="en"' in unknown.text


def test_a_known_links_error_pages_speak_its_patients_language(client, make_patient, make_session):
    """Whatever the browser prefers: an answered link (409), a form sent without its CSRF token
    (400, refused before the view) and an expired link (410), each in the patient's Spanish."""
    english_browser = {"Accept-Language": "en-GB,en;q=0.9"}
    patient = make_patient(language="es")
    link = f"/s/{make_session(patient).links['patient'].token}"
    token = csrf_token_from(client.get(link).text)
    assert client.post(link, data={**PATIENT_FORM, "csrf_token": token}).status_code == 303

    answered = client.get(link, headers=english_browser)
    assert answered.status_code == 409 and "Ya respondido, gracias" in answered.text
    unsigned = client.post(link, data=PATIENT_FORM, headers=english_browser)
    assert unsigned.status_code == 400 and "Inténtelo de nuevo" in unsigned.text
    unanswered = make_session(patient).links["patient"]  # an answered link says so even when expired
    unanswered.invitation.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    expired = client.get(f"/s/{unanswered.token}", headers=english_browser)
    assert expired.status_code == 410 and "Este enlace ha caducado" in expired.text
    assert all('<html lang="es"' in page.text for page in (answered, unsigned, expired))


def test_a_therapists_expired_link_speaks_the_therapists_language(client, make_user, make_patient, make_session):
    therapist = make_user()
    therapist.language = "es"
    db.session.commit()
    issued = make_session(make_patient(therapist)).links["therapist"]
    issued.invitation.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    page = client.get(f"/s/{issued.token}")
    assert page.status_code == 410 and "Este enlace ha caducado" in page.text
