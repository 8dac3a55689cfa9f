"""The e-mail invitation on a phone and on a tablet: the e-mail as the loopback SMTP server received it, its button's
link to the questionnaire, and its unsubscribe link (a page that asks, then a button that does it,
then one that undoes it)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from feedback.delivery.dispatcher import Dispatcher
from feedback.delivery.settings import delivery
from feedback.extensions import db
from feedback.models import Patient
from tests.browser_support import assert_accessible

pytestmark = pytest.mark.browser


@pytest.fixture
def app_config(sink):
    return {"SMTP_HOST": sink.host, "SMTP_PORT": sink.port, "SMTP_STARTTLS": "0",
            "SMTP_FROM": "links@clinic.example.org", "SMS_SENDER_NAME": "Northside"}


def test_the_email_leads_to_the_survey_and_its_unsubscribe_link_asks_first_and_can_be_undone(
        app, live_server, handheld_page, sink, make_patient, make_session):
    app.config["PUBLIC_BASE_URL"] = live_server  # the links in the e-mail lead to this server
    patient = make_patient(email="patient@mail.example.net", email_consent=True)
    patient_id = patient.id
    midday = datetime.now(ZoneInfo(patient.clinic.timezone)).replace(hour=12, minute=0, second=0, microsecond=0)
    with time_machine.travel(midday, tick=False):  # outside quiet hours, whenever the test runs
        make_session(patient, starts_at=midday - timedelta(hours=2))
        found = delivery()
        assert Dispatcher(found.sender, found.cipher).run().sent == 1
    db.session.remove()
    [received] = sink.received
    html = received.message.get_body(("html",)).get_content()
    survey = re.search(r'<a href="([^"]+/s/[^"]+)"', html)[1]
    unsubscribe = received.message["List-Unsubscribe"].strip().strip("<>")

    page = handheld_page
    page.goto(survey)
    expect(page.get_by_role("button", name="Send my answers")).to_be_visible()
    assert_accessible(page, "survey-from-email")

    page.goto(unsubscribe)
    expect(page.get_by_role("heading", name="E-mails from your clinic")).to_be_visible()
    assert_accessible(page, "unsubscribe-question")
    assert db.session.get(Patient, patient_id).email_opted_out_at is None  # opening the link changed nothing
    db.session.remove()
    page.get_by_role("button", name="Unsubscribe").tap()
    expect(page.get_by_role("status")).to_contain_text("You are unsubscribed")
    assert_accessible(page, "unsubscribe-done")
    assert db.session.get(Patient, patient_id).email_opted_out_at is not None
    db.session.remove()

    page.get_by_role("button", name="Get the e-mails again").tap()  # a tap by mistake, undone
    expect(page.get_by_role("status")).to_contain_text("You will get questionnaire e-mails again")
    assert_accessible(page, "unsubscribe-undone")
    assert db.session.get(Patient, patient_id).email_opted_out_at is None
