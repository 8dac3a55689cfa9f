"""What a patient reads about getting help now: the crisis text after a risk answer, and the line
before every patient form's first question. Nothing promises a call-back."""

from __future__ import annotations

import re

import pytest
from flask import render_template

from feedback.crisis_lines import COUNTRIES, GENERIC, default_crisis_text, emergency_notice
from feedback.extensions import db
from feedback.safety import crisis_text_for, not_monitored_notice

#: Words that would promise what the app does not do: nobody reads the answers as they arrive.
PROMISES = re.compile(r"call(ing)? you\b|contact you|reach out to you|get back to you|will be in touch|someone will|"
                      r"we will|monitor(ed)? (24|around)", re.I)


@pytest.mark.parametrize(("zone", "numbers"), [
    ("America/New_York", ["911", "988"]),
    ("America/Toronto", ["911", "9-8-8"]),
    ("Europe/London", ["999", "NHS 111", "116 123"]),
    ("Europe/Dublin", ["112 or 999", "116 123"]),
    ("Europe/Madrid", ["112", "024"]),
    ("Europe/Paris", ["112", "3114"]),
    ("Europe/Berlin", ["112", "0800 111 0 111"]),
    ("Australia/Sydney", ["000", "13 11 14"]),
    ("Pacific/Auckland", ["111", "1737"]),
])
def test_the_default_names_the_emergency_number_and_crisis_line_of_the_clinics_country(make_clinic, zone, numbers):
    text = crisis_text_for(make_clinic(timezone=zone), "en")
    assert all(number in text for number in numbers), text
    assert "not monitored in real time" in text


@pytest.mark.parametrize("zone", ["UTC", "Asia/Tokyo"])
def test_elsewhere_the_default_names_no_number(make_clinic, zone):
    text = crisis_text_for(make_clinic(timezone=zone), "en")
    assert "call your local emergency number" in text and not re.search(r"\d", text)


def test_no_default_promises_a_call_back():
    for region in (*COUNTRIES, None):
        for text in (default_crisis_text(region), emergency_notice(region)):
            assert not PROMISES.search(str(text)), text
    assert GENERIC.talk == ""


def test_the_clinics_own_text_wins_in_the_patients_language_then_in_another(make_clinic):
    clinic = make_clinic(timezone="Europe/Madrid")
    clinic.crisis_text = {"es": "Llame al 112 o al 024.", "en": "Call 112, or 024 for the suicide line."}
    db.session.commit()
    assert crisis_text_for(clinic, "es") == "Llame al 112 o al 024."
    assert crisis_text_for(clinic, "en") == "Call 112, or 024 for the suicide line."
    clinic.crisis_text = {"es": "Llame al 112 o al 024."}
    assert crisis_text_for(clinic, "en") == "Llame al 112 o al 024."  # the clinic knows its services best
    clinic.crisis_text = {"en": "   "}
    assert crisis_text_for(clinic, "en") == str(default_crisis_text("ES"))


def test_every_patient_form_says_before_its_first_question_that_answers_are_not_monitored(client, make_clinic,
                                                                                          make_user, make_patient,
                                                                                          make_session):
    therapist = make_user("therapist", make_clinic(timezone="America/Chicago"))
    links = make_session(make_patient(therapist)).links
    page = client.get(f"/s/{links['patient'].token}").text
    notice = page.index("not monitored in real time")
    assert notice < page.index("<fieldset") and notice < page.index("<form")
    assert not_monitored_notice(therapist.clinic) in page and "call 911" in not_monitored_notice(therapist.clinic)
    # The therapist's own form is not a patient's: no such notice.
    assert "not monitored" not in client.get(f"/s/{links['therapist'].token}").text


def test_the_crisis_partial_shows_the_text_escaped_with_its_line_breaks(app):
    with app.test_request_context():
        html = render_template("feedback/_crisis.html", crisis="Call <b>999</b>.\nOr Samaritans on 116 123.")
    assert "Call &lt;b&gt;999&lt;/b&gt;.\nOr Samaritans on 116 123." in html
    assert 'role="alert"' in html and "If you need help now" in html
