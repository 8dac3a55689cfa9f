"""A risk answer (PHQ-9 item 9 above "Not at all") raises its safety alert in the transaction that
stores the answer, and the pages after it show the clinic's crisis text."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from feedback.battery import store
from feedback.extensions import db
from feedback.models import OutcomeResponse, SafetyAlert
from tests.battery.helpers import BOTH_EVERY_SESSION, GAD7_FORM, PHQ9_FORM, send, set_clinic_battery
from tests.conftest import csrf_token_from
from tests.factories import PATIENT_FORM

CRISIS = "If you are in danger now, call 999"


@pytest.fixture
def link(make_session, make_patient):
    patient = make_patient()
    set_clinic_battery(patient.clinic, BOTH_EVERY_SESSION)
    patient.clinic.crisis_text = {"en": CRISIS + ". Samaritans: 116 123."}
    db.session.commit()
    return f"/s/{make_session(patient).links['patient'].token}"


def test_item_9_of_1_raises_an_alert_before_any_later_page_is_asked_for(client, link):
    send(client, link, PATIENT_FORM)
    sent = send(client, f"{link}/phq-9", {**PHQ9_FORM, "phq9_9": "1"})
    assert sent.status_code == 303
    # The patient closes the phone now: the alert is already committed with the answer.
    db.session.remove()
    alert = db.session.scalars(select(SafetyAlert)).one()
    response = db.session.scalars(select(OutcomeResponse)).one()
    assert alert.outcome_response_id == response.id and alert.item_id == "phq9_9" and alert.value == 1
    assert alert.patient_id == response.invitation.session.patient_id and alert.acknowledged_at is None


def test_the_pages_after_a_risk_answer_show_the_crisis_text(client, link):
    send(client, link, PATIENT_FORM)
    assert CRISIS not in client.get(f"{link}/phq-9").text
    sent = send(client, f"{link}/phq-9", {**PHQ9_FORM, "phq9_9": "2"})
    following = client.get(sent.location)
    assert "Form 3 of 3" in following.text and CRISIS in following.text
    assert following.text.index(CRISIS) < following.text.index("<form")  # before the next questions
    thanks = client.get(send(client, f"{link}/gad-7", GAD7_FORM).location)
    assert "Thank you" in thanks.text and CRISIS in thanks.text
    assert db.session.scalar(select(func.count()).select_from(SafetyAlert)) == 1


def test_an_answer_of_0_raises_nothing_and_shows_no_crisis_text(client, link):
    send(client, link, PATIENT_FORM)
    following = client.get(send(client, f"{link}/phq-9", PHQ9_FORM).location)
    assert CRISIS not in following.text
    thanks = client.get(send(client, f"{link}/gad-7", GAD7_FORM).location)
    assert CRISIS not in thanks.text
    assert db.session.scalar(select(func.count()).select_from(SafetyAlert)) == 0


def test_the_answer_and_its_alert_are_one_transaction(client, link, monkeypatch):
    """If raising the alert fails, the answer is not stored either (and the page can be sent again)."""
    send(client, link, PATIENT_FORM)

    def failing(response, instrument, patient, **kwargs):
        db.session.add(SafetyAlert(patient_id=patient.id, response=response, item_id="phq9_9", value=1))
        db.session.flush()
        raise RuntimeError("the alert could not be raised")

    monkeypatch.setattr(store, "raise_alerts", failing)
    assert send(client, f"{link}/phq-9", {**PHQ9_FORM, "phq9_9": "1"}).status_code == 500
    assert db.session.scalar(select(func.count()).select_from(OutcomeResponse)) == 0
    assert db.session.scalar(select(func.count()).select_from(SafetyAlert)) == 0
    monkeypatch.undo()
    assert send(client, f"{link}/phq-9", {**PHQ9_FORM, "phq9_9": "1"}).status_code == 303
    assert db.session.scalar(select(func.count()).select_from(SafetyAlert)) == 1


def test_a_resent_risk_answer_raises_no_second_alert(client, link):
    send(client, link, PATIENT_FORM)
    page = client.get(f"{link}/phq-9")
    data = {**PHQ9_FORM, "phq9_9": "1", "csrf_token": csrf_token_from(page.text)}
    assert client.post(f"{link}/phq-9", data=data).status_code == 303
    again = client.post(f"{link}/phq-9", data=data)
    assert again.status_code == 409 and CRISIS in again.text
    assert db.session.scalar(select(func.count()).select_from(SafetyAlert)) == 1
