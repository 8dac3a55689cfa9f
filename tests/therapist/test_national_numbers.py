"""The add-patient page reads a national mobile number as the clinic's country's (Clinic A is in
Europe/London) and stores it in E.164."""

from __future__ import annotations

from sqlalchemy import select

from dashboards.setup.operations import phone_cipher
from feedback.extensions import db
from feedback.models import Patient
from tests.conftest import csrf_token_from
from tests.therapist.conftest import text


def add(client, mobile: str):
    form = client.get("/new-patient")
    return client.post("/new-patient", data={"code": "P-A9", "mobile": mobile, "sms_consent": "y", "language": "en",
                                             "csrf_token": csrf_token_from(form.text)})


def test_a_uk_national_number_is_accepted_for_a_london_clinic(world, as_user):
    assert world.clinic_a.timezone == "Europe/London"

    response = add(as_user(world.own), "07911 123456")

    assert response.status_code == 303, text(response.text)
    patient = db.session.scalars(select(Patient).where(Patient.code == "P-A9")).one()
    assert phone_cipher().decrypt(patient.phone_encrypted) == "+447911123456"


def test_a_clinic_without_a_country_asks_for_the_international_form(world, as_user):
    world.clinic_a.timezone = "UTC"
    db.session.commit()

    response = add(as_user(world.own), "07911 123456")

    assert response.status_code == 422
    assert "Not a phone number: give it in international form" in text(response.text)
    assert db.session.scalars(select(Patient).where(Patient.code == "P-A9")).all() == []
