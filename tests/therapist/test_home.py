"""The therapist's home: highest risk first with badges that say why, what is new since the last
visit, their own forms one tap away, SMS that did not arrive, filters, and a fixed number of queries."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from dashboards.audit import AuditEvent
from dashboards.risk.changed import evaluate_changed
from dashboards.therapist.models import HomeVisit
from feedback.extensions import db
from feedback.invitations import record_response
from feedback.models import Patient, utcnow
from feedback.models.outbox import OutboxMessage
from tests.dashboards.builders import CALM, OPEN, THERAPIST_CALM, UNANSWERED, UNRESOLVED, end_treatment
from tests.therapist.conftest import text, treat

CODE = re.compile(r'class="patient-code" href="/patients/([^"]+)"')


def caseload_codes(markup: str) -> list[str]:
    table = markup[markup.index('class="caseload-table'):]
    return CODE.findall(table)


def row_of(markup: str, code: str) -> str:
    rows = markup[markup.index("<tbody>"):].split("<tr ")
    return next(r for r in rows if f"/patients/{code}\"" in r)


@pytest.fixture
def caseload(world, make_patient):
    """P-A1 calm; RUPT has an unresolved rupture last session; QUIET stopped answering; a colleague's patient."""
    patients = {"P-A1": world.patient, "RUPT": make_patient(world.own, "RUPT"), "QUIET": make_patient(world.own, "QUIET"),
                "OTHER": make_patient(world.other, "OTHER")}
    treat(patients["P-A1"], [(CALM, THERAPIST_CALM)] * 3)
    treat(patients["RUPT"], [(CALM, THERAPIST_CALM)] * 3 + [(UNRESOLVED, THERAPIST_CALM)])
    treat(patients["QUIET"], [(CALM, None), (UNANSWERED, None), (UNANSWERED, None), (UNANSWERED, None)], days_ago=5)
    treat(patients["OTHER"], [(UNRESOLVED, None)])
    return patients


def test_highest_risk_first_with_a_badge_that_says_why(caseload, world, as_user):
    page = as_user(world.own).get("/")
    assert page.status_code == 200
    codes = caseload_codes(page.text)
    assert codes == ["RUPT", "QUIET", "P-A1"]  # high, watch, no flag; never a colleague's patient
    rupture = row_of(page.text, "RUPT")
    assert "High risk" in text(rupture) and "High · Unresolved rupture" in text(rupture)
    # The reason: in the badge's title (hover) and in the details it opens (tap), with its numbers.
    reason = re.search(r'<summary title="([^"]+)">', rupture).group(1)
    assert "strength 4 of 5" in reason and "resolution 1 of 5" in reason
    assert 'class="flag-reason">Session 4: ' in rupture
    assert "4" in text(rupture) and "100%" in text(rupture)  # sessions so far, forms answered
    assert "Disengagement" in text(row_of(page.text, "QUIET"))
    assert "No flag" in text(row_of(page.text, "P-A1"))


def test_the_visit_is_audited_without_patient_data(caseload, world, as_user):
    as_user(world.own).get("/")
    (row,) = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "view_caseload"))
    assert row.user_id == world.own.id and row.patient_id is None and "3 patients" in row.detail


def test_a_new_high_risk_event_is_marked_at_the_next_visit(world, as_user, make_session):
    start = utcnow()
    treat(world.patient, [(CALM, THERAPIST_CALM)] * 3, now=start)
    with time_machine.travel(start + timedelta(minutes=5)):
        first_visit = as_user(world.own).get("/")
    assert "New since your last visit" not in first_visit.text  # nothing to compare with yet

    # After that visit the patient answers session 4's form: an unresolved rupture.
    with time_machine.travel(start + timedelta(hours=2)):
        invitation = make_session(world.patient).links["patient"].invitation
        record_response(invitation, {**CALM, "rupture": True, "rupture_tension": 5, "rupture_resolved": 1}, {})
        evaluate_changed()  # the worker's poll, seconds later

    with time_machine.travel(start + timedelta(hours=3)):
        client = as_user(world.own)  # the next sign-in is the next visit
        page = client.get("/")
        at = page.text.index('id="news-heading"')
        news = text(page.text[at:page.text.index("</section>", at)])
        assert "P-A1" in news and "High · Unresolved rupture" in news and "strength 5 of 5" in news
        assert "New" in text(row_of(page.text, "P-A1"))
        assert "New since your last visit" in client.get("/").text  # a reload during the visit keeps it

    with time_machine.travel(start + timedelta(days=1)):
        later = as_user(world.own).get("/")
    assert "New since your last visit" not in later.text  # seen at the previous visit
    assert "High · Unresolved rupture" in text(row_of(later.text, "P-A1"))
    visit = db.session.get(HomeVisit, world.own.id)
    assert visit.previous_visit_at is not None and visit.previous_visit_at < visit.last_seen_at


def test_own_forms_to_fill_in_are_at_the_top_one_tap_each(world, as_user, make_session):
    recorded = make_session(world.patient)
    page = as_user(world.own).get("/").text
    forms = page[page.index('id="forms-heading"'):page.index('id="patients-heading"')]
    token = recorded.links["therapist"].token
    assert f'href="/s/{token}"' in forms and "P-A1" in text(forms)
    assert page.index('id="forms-heading"') < page.index("caseload-table")
    assert as_user(world.own).get(f"/s/{token}").status_code == 200  # the link opens the form
    # The patient's link is not the therapist's to fill in.
    assert recorded.links["patient"].token not in forms
    assert 'id="forms-heading"' not in as_user(world.director).get("/").text  # not the director's forms


def test_sms_that_did_not_arrive_are_listed_with_a_link_to_the_patient(world, as_user, make_session):
    invitation = make_session(world.patient).links["patient"].invitation
    db.session.add(OutboxMessage(invitation=invitation, patient_id=world.patient.id, kind="invitation", due_at=utcnow(),
                                 status="failed", last_error="the number is not a mobile", last_attempt_at=utcnow()))
    db.session.commit()
    page = as_user(world.own).get("/").text
    listed = text(page[page.index('id="sms-heading"'):])
    assert "the number is not a mobile" in listed and 'href="/patients/P-A1#messages"' in page
    assert 'id="sms-heading"' not in as_user(world.other).get("/").text


@pytest.mark.parametrize(
    ("query", "shown"),
    [("", {"RUPT", "QUIET", "P-A1"}), ("?risk=high", {"RUPT"}), ("?risk=watch", {"QUIET"}), ("?risk=none", {"P-A1"}),
     ("?risk=flagged&status=active", {"RUPT", "QUIET"}), ("?status=ended", {"ENDED"}),
     ("?status=all", {"RUPT", "QUIET", "P-A1", "ENDED"})],
)
def test_filters_by_risk_and_status(caseload, world, make_patient, as_user, query, shown):
    ended = make_patient(world.own, "ENDED")
    treat(ended, [(CALM, None)])
    end_treatment(db.session.get(Patient, ended.id), "completed", utcnow().date())
    db.session.commit()
    page = as_user(world.own).get("/" + query)
    assert page.status_code == 200
    assert set(caseload_codes(page.text)) == shown


@pytest.mark.parametrize("query", ["?risk=catastrophic", "?status=archived", "?risk=high&status=%3Cscript%3E"])
def test_an_unknown_filter_is_refused_with_a_message(caseload, world, as_user, query):
    page = as_user(world.own).get("/" + query)
    assert page.status_code == 400
    assert "The filter was not applied" in text(page.text)
    assert "<script>" not in page.text
    assert set(caseload_codes(page.text)) == {"RUPT", "QUIET", "P-A1"}  # the defaults: active treatments


def test_a_director_sees_the_clinic_with_each_therapist_and_an_admin_sees_no_patient(caseload, world, as_user):
    page = as_user(world.director).get("/").text
    assert set(caseload_codes(page)) == {"RUPT", "QUIET", "P-A1", "OTHER"}
    assert ">Therapist</th>" in page and world.other.display_name in text(row_of(page, "OTHER"))
    admin = as_user(world.admin).get("/")
    assert admin.status_code == 200 and "No patients yet" in admin.text


def test_open_forms_of_the_therapist_appear_in_the_caseload_rate_only_once_due(world, as_user):
    treat(world.patient, [(CALM, THERAPIST_CALM), (OPEN, OPEN)])
    row = text(row_of(as_user(world.own).get("/").text, "P-A1"))
    assert "100% (1 of 1)" in row  # the open form is not due yet
