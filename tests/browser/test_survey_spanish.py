"""The Spanish survey on a phone (390×844) and a tablet (810×1080), in a real browser: the page, the questions and the
messages in Spanish, the PHQ-9 in its official Spanish, the thank-you page; axe finds nothing
serious; and the patient switching language from the page, without JavaScript."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from feedback.extensions import db
from feedback.models import OutcomeResponse, Patient, Response
from tests.browser_support import assert_accessible

pytestmark = pytest.mark.browser

ALLIANCE = {"bond_understood": "4", "bond_trust": "5", "task_useful": "4", "task_fit": "4", "goal_agree": "5",
            "goal_unclear": "1", "held_back": "2", "went_along": "2", "frustrated": "1"}


def _fits_the_screen(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def test_a_spanish_patient_answers_on_a_phone_or_tablet(handheld_page, make_session, make_patient):
    patient = make_patient(language="es")
    patient.clinic.outcome_battery = [{"instrument": "phq-9", "every": "session"}]
    db.session.commit()
    token = make_session(patient).links["patient"].token
    db.session.remove()
    page = handheld_page
    page.goto(f"/s/{token}")
    assert page.locator("html").get_attribute("lang") == "es"
    expect(page.get_by_role("heading", level=1)).to_have_text("Después de la sesión de hoy")
    expect(page.get_by_text("Quién ve sus respuestas:")).to_be_visible()
    expect(page.locator("#not-monitored")).to_contain_text("no se supervisan en tiempo real")
    _fits_the_screen(page)
    assert_accessible(page, "survey-es")

    page.get_by_role("button", name="Enviar y continuar").tap()  # nothing answered: the summary in Spanish
    expect(page.get_by_role("alert")).to_contain_text("Revise 10 respuestas")
    expect(page.get_by_role("alert")).to_contain_text("«Hoy me sentí comprendido(a) por mi terapeuta.»: Responda")
    _fits_the_screen(page)
    assert_accessible(page, "survey-es-errors")

    for item, value in ALLIANCE.items():
        page.locator(f'#q-{item} label:has(input[value="{value}"])').tap()
    page.locator('#q-rupture label:has(input[value="no"])').tap()
    page.get_by_role("button", name="Enviar y continuar").tap()
    page.wait_for_url("**/phq-9")
    expect(page.get_by_text("Formulario 2 de 2")).to_be_visible()
    expect(page.get_by_role("group", name="Poco interés o placer en hacer cosas")).to_be_visible()
    _fits_the_screen(page)
    assert_accessible(page, "phq9-es")
    for i in range(1, 10):
        page.locator(f'#q-phq9_{i} label:has(input[value="0"])').tap()
    page.get_by_role("button", name="Enviar mis respuestas").tap()
    page.wait_for_url("**/thanks")
    expect(page.get_by_role("heading", name="Gracias")).to_be_visible()
    assert_accessible(page, "thanks-es")

    assert db.session.scalars(select(Response.language)).one() == "es"
    assert db.session.scalars(select(OutcomeResponse.language)).one() == "es"


def test_the_patient_switches_to_spanish_without_javascript(browser, live_server, make_session, make_patient):
    patient_id = make_patient().id
    token = make_session(db.session.get(Patient, patient_id)).links["patient"].token
    db.session.remove()
    context = browser.new_context(base_url=live_server, java_script_enabled=False, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"/s/{token}")
    switch = page.get_by_role("button", name="Español")
    assert switch.get_attribute("lang") == "es"
    switch.click()
    page.wait_for_url(f"**/s/{token}")
    assert page.locator("html").get_attribute("lang") == "es"
    expect(page.get_by_role("button", name="Enviar mis respuestas")).to_be_visible()
    expect(page.get_by_role("button", name="English")).to_be_visible()  # and back again, by its own name
    context.close()
    assert db.session.get(Patient, patient_id).language == "es"
