"""A blank form's page is rendered once per process and copied with each request's own values
(feedback/survey_page.py): each copy must carry its own link, CSRF token, start time and session
date, in the patient's language, and a page with answers or errors is rendered afresh."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime

from flask import template_rendered

from feedback import survey_page
from tests.battery.helpers import BOTH_EVERY_SESSION, PHQ9_FORM, send, set_clinic_battery
from tests.conftest import csrf_token_from
from tests.factories import PATIENT_FORM

STARTED = re.compile(r'name="started" value="(\d+)"')
FORM_ACTION = re.compile(r'<form method="post" action="([^"]+)" id="answers"')
SWITCH_ACTION = re.compile(r'<form class="language-switch" method="post" action="([^"]+)"')
QUESTIONS = re.compile(r"<fieldset.*</fieldset>", re.S)


def _rendered(app):
    names: list[str] = []
    return names, template_rendered.connected_to(lambda sender, template, **extra: names.append(template.name), app)


def test_each_copy_carries_its_own_link_csrf_token_start_and_date(app, client, make_patient, make_session):
    patient = make_patient()  # two sessions of one patient (a London clinic), on different days
    one = make_session(patient, starts_at=datetime(2026, 11, 30, 15, tzinfo=UTC)).links["patient"].token
    two = make_session(patient, starts_at=datetime(2026, 12, 1, 15, tzinfo=UTC)).links["patient"].token
    names, listening = _rendered(app)
    before = int(time.time())
    with listening:
        first, second = client.get(f"/s/{one}"), client.get(f"/s/{two}")
    assert first.status_code == second.status_code == 200
    assert names.count("feedback/survey.html") == 1  # the second page is a copy
    for page, token, other, day in ((first, one, two, "Monday, November 30, 2026"),
                                    (second, two, one, "Tuesday, December 1, 2026")):
        assert FORM_ACTION.search(page.text).group(1) == f"/s/{token}"
        assert SWITCH_ACTION.search(page.text).group(1) == f"/s/{token}/language"
        assert other not in page.text
        assert f"Session of {day}" in page.text
        assert before <= int(STARTED.search(page.text).group(1)) <= int(time.time())
        assert survey_page._RUN not in page.text  # every marker is filled in
        # Both forms on the page (answers, language) carry this link's CSRF token, and it works.
        assert page.text.count(f'name="csrf_token" value="{csrf_token_from(page.text)}"') == 2
    assert QUESTIONS.search(first.text).group() == QUESTIONS.search(second.text).group()
    sent = client.post(f"/s/{two}", data={**PATIENT_FORM, "csrf_token": csrf_token_from(second.text)})
    assert sent.status_code == 303


def test_a_form_sent_back_with_errors_is_rendered_afresh_and_the_next_blank_one_is_blank(app, client, make_session):
    link = f"/s/{make_session().links['patient'].token}"
    page = client.get(link)
    names, listening = _rendered(app)
    with listening:
        reshown = client.post(link, data={**PATIENT_FORM, "bond_trust": "9", "csrf_token": csrf_token_from(page.text)})
        again = client.get(link)
    assert names == ["feedback/survey.html"]  # the page with errors; the blank one after it is a copy
    assert reshown.status_code == 422 and "Please choose a value from 1 to 5." in reshown.text
    assert re.search(r'name="bond_understood" value="4" checked', reshown.text)
    assert "checked" not in QUESTIONS.search(again.text).group()
    assert FORM_ACTION.search(reshown.text).group(1) == FORM_ACTION.search(again.text).group(1) == link


def test_each_language_has_its_own_copy(client, make_patient, make_session):
    english = f"/s/{make_session(make_patient()).links['patient'].token}"
    spanish = f"/s/{make_session(make_patient(language='es')).links['patient'].token}"
    for link, said, unsaid in ((english, "Send my answers", "Enviar mis respuestas"),
                               (spanish, "Enviar mis respuestas", "Send my answers"),
                               (english, "Send my answers", "Enviar mis respuestas")):
        page = client.get(link)
        assert said in page.text and unsaid not in page.text
    assert '<html lang="es" dir="ltr">' in client.get(spanish).text


def test_nothing_is_kept_while_templates_reload(app, client, make_session):
    """In development (templates reloaded on change) an edited template shows at the next request."""
    app.jinja_env.auto_reload = True
    names, listening = _rendered(app)
    with listening:
        for _ in range(2):
            assert client.get(f"/s/{make_session().links['patient'].token}").status_code == 200
    assert names.count("feedback/survey.html") == 2


def test_each_clinic_and_each_answer_history_gets_its_own_page(client, make_clinic, make_user, make_patient,
                                                                make_session):
    """What a kept page says beyond the form: the clinic country's emergency number, and the crisis
    text on the forms after a risk answer. Two patients of one clinic, one of whom gave such an
    answer, reach the same GAD-7 page; a patient in another country reaches the same alliance form."""
    london, new_york = make_clinic(), make_clinic(timezone="America/New_York")
    for clinic in (london, new_york):  # the same forms in both: only the country tells their pages apart
        set_clinic_battery(clinic, BOTH_EVERY_SESSION)
    london.crisis_text = {"en": "If you are in danger now, call 999. Samaritans: 116 123."}
    links = [f"/s/{make_session(make_patient(make_user(clinic=clinic))).links['patient'].token}"
             for clinic in (london, london, new_york)]
    alliance = [client.get(link).text for link in links]
    assert "call 999" in alliance[0] and "call 911" in alliance[2] and "call 999" not in alliance[2]
    for link, phq9_9 in ((links[0], "2"), (links[1], "0")):
        assert send(client, link, PATIENT_FORM).status_code == 303
        assert send(client, f"{link}/phq-9", {**PHQ9_FORM, "phq9_9": phq9_9}).status_code == 303
    at_risk, not_at_risk = (client.get(f"{link}/gad-7").text for link in links[:2])
    assert "If you are in danger now" in at_risk and "If you are in danger now" not in not_at_risk
    assert "Form 3 of 3" in at_risk and "Form 3 of 3" in not_at_risk
