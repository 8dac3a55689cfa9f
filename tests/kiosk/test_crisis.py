"""A risk answer on the tablet: the thanks page keeps the crisis text for the whole idle limit,
in the page's language, and nothing on it sends the tablet back to the code screen sooner."""

from __future__ import annotations

import re

import pytest

from feedback.extensions import db
from tests.conftest import csrf_token_from
from tests.factories import PATIENT_FORM

RISK_ANSWER = {**{f"phq9_{i}": "0" for i in range(1, 9)}, "phq9_9": "1"}  # item 9 raises a safety alert


@pytest.fixture
def therapist(make_user):
    therapist = make_user("therapist")
    therapist.clinic.language = "es"
    therapist.clinic.outcome_battery = [{"instrument": "phq-9", "every": "session"}]
    db.session.commit()
    return therapist


def answer_on_the_tablet(tablet, visit, therapist, code_for):
    tablet.enter(code_for(visit, therapist))
    token = csrf_token_from(tablet.client.get("/kiosk/survey").text)
    alliance = tablet.client.post("/kiosk/survey", data={**PATIENT_FORM, "csrf_token": token})
    outcome = tablet.client.post(alliance.location, data={**RISK_ANSWER, "csrf_token": token})
    return tablet.client.get(outcome.location)


def crisis_text(page: str) -> str:
    found = re.search(r'<p class="crisis-text">(.*?)</p>', page, re.S)
    assert found, "no crisis text on the page"
    return found.group(1)


def test_the_crisis_text_stays_until_the_idle_limit_and_no_touch_ends_it(
    open_tablet, therapist, make_patient, make_session, code_for
):
    visit = make_session(make_patient(therapist, language="es"))
    tablet = open_tablet(therapist)
    thanks = answer_on_the_tablet(tablet, visit, therapist, code_for)
    assert thanks.status_code == 200 and crisis_text(thanks.text)
    assert thanks.headers["Refresh"].startswith("120;")
    assert "data-alive" not in thanks.text  # a touch's ping would find no patient part and leave the page
    assert tablet.device.invitation_id is None


def test_the_crisis_text_is_in_the_pages_language(open_tablet, therapist, make_patient, make_session, code_for):
    """A patient whose language only a licensed form has (German here) reads the pages, and the
    crisis text, in the clinic's language, as on the link."""
    therapist.clinic.crisis_text = {"en": "Call the English line", "es": "Llame a la línea española"}
    db.session.commit()
    patient = make_patient(therapist)
    patient.language = "de"  # as if a clinic's licensed form had German (patient_languages)
    db.session.commit()
    thanks = answer_on_the_tablet(open_tablet(therapist), make_session(patient), therapist, code_for)
    assert '<html lang="es"' in thanks.text
    assert crisis_text(thanks.text).strip() == "Llame a la línea española"
