"""A director sets the clinic's crisis text, on-call addresses and escalation hours; checked on the
server, audited without the text or the addresses."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from dashboards.audit import AuditEvent
from feedback.extensions import db
from feedback.models import Clinic
from feedback.safety import crisis_text_for
from tests.conftest import csrf_token_from

GOOD = {"crisis_text_en": "Call 999, or our duty line 020 7946 0000 (weekdays 9-5).",
        "on_call_emails": "duty@north.example\nDUTY@north.example\n\nlead@north.example", "escalate_hours": "2"}


@pytest.fixture
def director(app, clinics, sign_in_as):
    client = app.test_client()
    sign_in_as(client, clinics.director)
    return client


def save(client, **data: str):
    page = client.get("/clinic/safety")
    return client.post("/clinic/safety", data={**data, "csrf_token": csrf_token_from(page.text)})


def test_the_page_shows_the_settings_and_the_default(director, clinics):
    page = director.get("/clinic/safety")
    assert page.status_code == 200
    assert "oncall@north.example" in page.text and 'value="4"' in page.text
    # The default for a London clinic, shown as what patients read otherwise, in each of their languages.
    assert "English: “Your answers are not monitored in real time." in page.text and "116 123" in page.text
    assert "Español: “Sus respuestas no se supervisan en tiempo real." in page.text
    assert "left empty, the default above" in page.text  # the field's label: the default is shown before it
    assert "Mon-Fri 08:00-18:00" in page.text


def test_a_director_saves_them_and_patients_read_the_text(director, clinics):
    answer = save(director, **GOOD)
    assert answer.status_code == 303
    clinic = db.session.get(Clinic, clinics.north.id)
    db.session.refresh(clinic)
    assert clinic.on_call_emails == ["duty@north.example", "lead@north.example"]
    assert clinic.safety_escalate_hours == 2
    assert crisis_text_for(clinic, "en") == GOOD["crisis_text_en"]
    [row] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "change_safety_settings")).all()
    assert row.user_id == clinics.director.id and row.clinic_id == clinics.north.id
    assert "@" not in row.detail and "999" not in row.detail and "2 on-call address(es)" in row.detail


def test_an_empty_text_returns_to_the_default(director, clinics):
    save(director, **GOOD)
    save(director, **{**GOOD, "crisis_text_en": " "})
    clinic = db.session.get(Clinic, clinics.north.id)
    db.session.refresh(clinic)
    assert clinic.crisis_text == {} and "116 123" in crisis_text_for(clinic, "en")


@pytest.mark.parametrize(("field", "value", "message"), [
    ("on_call_emails", "duty at north", "Not an e-mail address: duty at north."),
    ("on_call_emails", "a@north.example, b@north.example", "Not an e-mail address"),
    ("on_call_emails", "duty@north.example\r\nBcc: x@evil.example", "Not an e-mail address: Bcc: x@evil.example"),
    ("on_call_emails", "\n".join(f"d{n}@north.example" for n in range(11)), "at most 10 addresses"),
    ("escalate_hours", "0", "Choose between 1 and 72 hours."),
    ("escalate_hours", "1000", "Choose between 1 and 72 hours."),
    ("escalate_hours", "four", "Not a valid integer value."),
    ("escalate_hours", "", "Enter a number of hours."),
    ("crisis_text_en", "Call \u202e999", "The text"),
    ("crisis_text_en", "x" * 1001, "Keep the crisis text to 1000 characters at most."),
])
def test_wrong_settings_are_sent_back_with_the_reason(director, clinics, field, value, message):
    answer = save(director, **{**GOOD, field: value})
    assert answer.status_code == 422 and message in answer.text
    clinic = db.session.get(Clinic, clinics.north.id)
    db.session.refresh(clinic)
    assert clinic.on_call_emails == ["oncall@north.example"] and clinic.safety_escalate_hours == 4


@pytest.mark.parametrize("who", ["alex", "admin", "casey"])
def test_only_directors_have_the_page(app, clinics, sign_in_as, who):
    client = app.test_client()
    sign_in_as(client, getattr(clinics, who))
    assert client.get("/clinic/safety").status_code == 404
