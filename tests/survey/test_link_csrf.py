"""A link's forms carry a CSRF token bound to the link (feedback/link_csrf.py), not to a cookie:
a phone that refuses cookies can answer, and one link's token is refused on another link."""

from __future__ import annotations

from sqlalchemy import func, select

from feedback.extensions import db
from feedback.models import Response
from tests.battery.helpers import BOTH_EVERY_SESSION, PHQ9_FORM, send, set_clinic_battery
from tests.conftest import csrf_token_from
from tests.factories import PATIENT_FORM


def _responses() -> int:
    return db.session.scalar(select(func.count()).select_from(Response))


def test_a_phone_without_cookies_sends_its_answers(app, make_session):
    link = f"/s/{make_session().links['patient'].token}"
    phone = app.test_client(use_cookies=False)
    page = phone.get(link)
    assert page.status_code == 200 and "Set-Cookie" not in page.headers
    sent = phone.post(link, data={**PATIENT_FORM, "csrf_token": csrf_token_from(page.text)})
    assert sent.status_code == 303 and _responses() == 1


def test_one_links_token_is_refused_on_another(client, make_session):
    mine, other = (f"/s/{make_session().links['patient'].token}" for _ in range(2))
    mine_token = csrf_token_from(client.get(mine).text)
    assert csrf_token_from(client.get(other).text) != mine_token
    refused = client.post(other, data={**PATIENT_FORM, "csrf_token": mine_token})
    assert refused.status_code == 400 and "Please try again" in refused.text
    assert client.post(other, data={**PATIENT_FORM, "csrf_token": ""}).status_code == 400
    assert _responses() == 0
    assert client.post(f"{other}/language", data={"language": "es", "csrf_token": mine_token}).status_code == 400


def test_a_form_sent_to_no_link_at_all_is_not_found(client, make_session):
    page = client.get(f"/s/{make_session().links['patient'].token}")
    sent = client.post("/s/not-a-link", data={**PATIENT_FORM, "csrf_token": csrf_token_from(page.text)})
    assert sent.status_code == 404 and _responses() == 0


def test_the_outcome_measures_on_the_link_take_the_same_token(app, make_patient, make_session):
    patient = make_patient()
    set_clinic_battery(patient.clinic, BOTH_EVERY_SESSION)
    link = f"/s/{make_session(patient).links['patient'].token}"
    phone = app.test_client(use_cookies=False)
    assert send(phone, link, PATIENT_FORM).status_code == 303
    assert send(phone, f"{link}/phq-9", PHQ9_FORM).status_code == 303
    forged = phone.post(f"{link}/gad-7", data={"csrf_token": "forged"})
    assert forged.status_code == 400
