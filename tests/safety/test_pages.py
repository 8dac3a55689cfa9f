"""The safety alert heads the therapist's home, the patient page and the director's overview, for
those who may see the patient only; acknowledging clears it and keeps the history."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from dashboards.access.models import BreakGlassGrant
from dashboards.audit import AuditEvent
from feedback.extensions import db
from feedback.models import utcnow
from tests.conftest import csrf_token_from
from tests.safety.builders import alerts_of, answer_phq9

BANNER = "safety-banner"
ANSWER = "Thoughts that you would be better off dead or of hurting yourself in some way"


@pytest.fixture
def alert(clinics):
    [raised] = answer_phq9(clinics.patient, 2)
    return raised




def main_part(html: str) -> str:
    return html.split('<main id="main">', 1)[1]


@pytest.mark.parametrize(("who", "path"), [
    ("alex", "/"), ("alex", "/patients/P-1"),
    ("casey", "/"), ("casey", "/patients/P-1"),
    ("director", "/"), ("director", "/patients/P-1"), ("director", "/clinic"),
])
def test_the_banner_comes_first_for_those_who_may_see_the_patient(clinics, alert, as_user, who, path):
    page = as_user(getattr(clinics, who)).get(path)
    assert page.status_code == 200
    main = main_part(page.text)
    assert main.index(BANNER) < main.index("<h1")  # above everything else on the page
    banner = main[main.index(BANNER):]
    assert "Safety alert" in banner and "waiting for acknowledgement" in banner  # words, not colour only
    assert "P-1" in banner


@pytest.mark.parametrize("who", ["blake", "admin", "south_director"])
def test_nobody_else_sees_it(clinics, alert, as_user, who):
    client = as_user(getattr(clinics, who))
    for path in ("/", "/clinic"):
        page = client.get(path)
        assert BANNER not in page.text and "P-1" not in page.text


def test_the_patient_page_shows_the_answer_and_the_form(clinics, alert, as_user):
    page = as_user(clinics.alex).get("/patients/P-1").text
    assert ANSWER in page and "2 = More than half the days" in page
    assert f'action="/patients/P-1/safety-alerts/{alert.id}"' in page
    assert all(f'value="{action}"' in page for action in ("contacted", "risk_assessed", "safety_plan_reviewed", "other"))


def acknowledge(client, alert_id: int, **data: str):
    page = client.get("/patients/P-1")
    return client.post(f"/patients/P-1/safety-alerts/{alert_id}", data={**data, "csrf_token": csrf_token_from(page.text)})


def test_acknowledging_clears_the_banner_and_keeps_the_history(clinics, alert, as_user):
    client = as_user(clinics.casey)  # the patient is shared with her
    answer = acknowledge(client, alert.id, action="safety_plan_reviewed", note="Went through the plan by phone.")
    assert answer.status_code == 303 and answer.location.endswith("/patients/P-1#safety")
    [stored] = alerts_of(clinics.patient)
    assert stored.acknowledged_by_id == clinics.casey.id and stored.action == "safety_plan_reviewed"
    assert stored.note == "Went through the plan by phone." and stored.acknowledged_at is not None
    for who, path in (("alex", "/"), ("director", "/clinic"), ("casey", "/patients/P-1")):
        assert BANNER not in as_user(getattr(clinics, who)).get(path).text, (who, path)
    page = client.get("/patients/P-1").text
    history = page[page.index("safety-history"):]
    assert "Acknowledged by Casey" in history and "Reviewed the safety plan" in history
    assert "Went through the plan by phone." in history and ANSWER in history
    [row] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "safety_alert_acknowledged")).all()
    assert (row.user_id, row.patient_id, row.detail) == (clinics.casey.id, clinics.patient.id, f"safety alert {alert.id}")


@pytest.mark.parametrize(("data", "message"), [
    ({}, "Choose what was done."),
    ({"action": "prayed"}, "Not a valid choice"),
    ({"action": "other", "note": "  "}, "Say in the note what was done."),
    ({"action": "contacted", "note": "Called\x00 her"}, "The text"),
    ({"action": "contacted", "note": "x" * 2001}, "Keep the note to 2000 characters at most."),
])
def test_a_wrong_acknowledgement_is_sent_back_with_the_reason(clinics, alert, as_user, data, message):
    answer = acknowledge(as_user(clinics.alex), alert.id, **data)
    assert answer.status_code == 422 and message in answer.text
    assert alerts_of(clinics.patient)[0].acknowledged_at is None


def test_other_with_a_note_is_accepted(clinics, alert, as_user):
    assert acknowledge(as_user(clinics.director), alert.id, action="other", note="Referred to the crisis team.").status_code == 303
    assert alerts_of(clinics.patient)[0].action == "other"


def test_an_admin_with_break_glass_may_look_but_not_acknowledge(clinics, alert, as_user):
    db.session.add(BreakGlassGrant(user_id=clinics.admin.id, patient_id=clinics.patient.id, reason="ticket 1",
                                   expires_at=utcnow().replace(year=utcnow().year + 1)))
    db.session.commit()
    client = as_user(clinics.admin)
    page = client.get("/patients/P-1").text
    assert BANNER in page and "Acknowledge the safety alert" not in page
    assert acknowledge(client, alert.id, action="contacted").status_code == 403
    assert alerts_of(clinics.patient)[0].acknowledged_at is None


def test_a_second_acknowledgement_changes_nothing(clinics, alert, as_user):
    acknowledge(as_user(clinics.alex), alert.id, action="contacted")
    again = acknowledge(as_user(clinics.director), alert.id, action="other", note="late")
    assert again.status_code == 303
    stored = alerts_of(clinics.patient)[0]
    assert (stored.acknowledged_by_id, stored.action) == (clinics.alex.id, "contacted")


def test_another_patients_alert_or_clinic_is_not_found(clinics, alert, as_user, make_patient):
    other = make_patient(clinics.blake, code="P-2")
    [theirs] = answer_phq9(other, 1)
    client = as_user(clinics.alex)
    assert client.get(f"/patients/P-1/safety-alerts/{theirs.id}").status_code == 404
    assert client.get(f"/patients/P-2/safety-alerts/{theirs.id}").status_code == 404
    assert as_user(clinics.south_director).get(f"/patients/P-1/safety-alerts/{alert.id}").status_code == 404


def test_the_acknowledge_page_alone_shows_the_form(clinics, alert, as_user):
    page = as_user(clinics.alex).get(f"/patients/P-1/safety-alerts/{alert.id}")
    assert page.status_code == 200 and ANSWER in page.text and re.search(r'name="action"', page.text)
