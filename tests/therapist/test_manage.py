"""Managing a treatment from the pages: sessions and attendance (which create the questionnaires),
ending a treatment with a reason, adding a patient. Every form is checked on the server: a problem
comes back as a 422 with a message, the input kept, nothing written."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from dashboards.access.models import PatientShare
from dashboards.audit import AuditEvent
from dashboards.risk.models import PatientRisk
from feedback.extensions import db
from feedback.models import Invitation, Patient, TherapySession, utcnow
from tests.conftest import csrf_token_from
from tests.therapist.conftest import text

SESSION = {"day": "2026-01-05", "start": "10:00", "duration_minutes": "50", "attendance": "attended"}


def post(client, url: str, **data: str):
    """GET the form for its CSRF token, then POST to the same address."""
    return client.post(url, data={**data, "csrf_token": csrf_token_from(client.get(url).text)})


def sessions_of(patient: Patient) -> list[TherapySession]:
    return list(db.session.scalars(
        select(TherapySession).where(TherapySession.patient_id == patient.id).order_by(TherapySession.number)))


def audit_actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_an_attended_session_creates_both_forms_and_updates_the_flags(world, as_user):
    client = as_user(world.own)
    form = client.get("/patients/P-A1/sessions/new")
    assert form.status_code == 200 and "Add session 1 for P-A1" in text(form.text)
    response = client.post("/patients/P-A1/sessions/new", data={**SESSION, "csrf_token": csrf_token_from(form.text)})
    assert response.status_code == 303 and response.location.endswith("/patients/P-A1#session-1")
    (session,) = sessions_of(world.patient)
    # 10:00 in the clinic's zone (Europe/London, winter): 10:00 UTC.
    assert session.starts_at.isoformat() == "2026-01-05T10:00:00+00:00" and session.duration_minutes == 50
    respondents = db.session.scalars(select(Invitation.respondent).where(Invitation.session_id == session.id)).all()
    assert sorted(respondents) == ["patient", "therapist"]
    assert db.session.get(PatientRisk, world.patient.id) is not None  # flags recomputed
    assert audit_actions()[-1] == "add_session"
    assert "Session 1 was saved" in client.get("/patients/P-A1").text


@pytest.mark.parametrize(
    ("change", "message"),
    [({"day": ""}, "Enter the session's date."),
     ({"start": "25:99"}, "Not a valid time value."),
     ({"duration_minutes": "500"}, "The length must be between 5 and 480 minutes."),
     ({"attendance": "maybe"}, "Not a valid choice."),
     ({"day": (utcnow() + timedelta(days=3)).date().isoformat()},
      "A session that has not started yet can only be scheduled or cancelled."),
     # Typing slips that once broke the FHIR export: outside the years a session may be in.
     ({"day": "0001-01-01"}, f"must be between {utcnow().year - 10} and {utcnow().year + 2}"),
     ({"day": "9999-12-31", "start": "23:59", "attendance": "scheduled"}, "must be between")],
)
def test_a_session_with_a_problem_comes_back_with_the_message_and_the_input(world, as_user, change, message):
    client = as_user(world.own)
    response = post(client, "/patients/P-A1/sessions/new", **{**SESSION, "duration_minutes": "45", **change})
    assert response.status_code == 422
    assert message in text(response.text)
    assert f'value="{change.get("duration_minutes", "45")}"' in response.text  # the input is kept
    assert sessions_of(world.patient) == [] and "add_session" not in audit_actions()


def test_a_future_session_can_be_scheduled_and_later_marked_attended(world, as_user):
    client = as_user(world.own)
    later = (utcnow() + timedelta(days=2)).date().isoformat()
    assert post(client, "/patients/P-A1/sessions/new", **{**SESSION, "day": later, "attendance": "scheduled"}
                ).status_code == 303
    (session,) = sessions_of(world.patient)
    assert db.session.scalars(select(Invitation).where(Invitation.session_id == session.id)).all() == []
    edit = client.get("/patients/P-A1/sessions/1")
    assert edit.status_code == 200 and '<option selected value="scheduled">' in edit.text
    earlier = (utcnow() - timedelta(days=1)).date().isoformat()
    response = post(client, "/patients/P-A1/sessions/1", day=earlier, start="09:30", duration_minutes="60",
                    attendance="attended")
    assert response.status_code == 303
    db.session.refresh(session)
    assert session.attendance == "attended" and session.duration_minutes == 60
    assert len(db.session.scalars(select(Invitation).where(Invitation.session_id == session.id)).all()) == 2
    assert audit_actions()[-1] == "change_session"


def test_a_session_imported_from_further_back_keeps_its_year_when_corrected(world, as_user, make_session):
    year = utcnow().year - 12  # before the years the form takes for a new date
    make_session(world.patient, starts_at=datetime(year, 3, 4, 9, 0, tzinfo=UTC))
    client = as_user(world.own)
    response = post(client, "/patients/P-A1/sessions/1", day=f"{year}-03-05", start="10:00",
                    duration_minutes="45", attendance="no_show")
    assert response.status_code == 303
    (session,) = sessions_of(world.patient)
    assert (session.starts_at.isoformat(), session.attendance) == (f"{year}-03-05T10:00:00+00:00", "no_show")
    # Moved to another year, it is a new date: the form's years apply, and nothing changes.
    moved = post(client, "/patients/P-A1/sessions/1", day=f"{year - 1}-03-05", start="10:00",
                 duration_minutes="45", attendance="no_show")
    assert moved.status_code == 422 and "must be between" in text(moved.text)
    db.session.refresh(session)
    assert session.starts_at.year == year


def test_a_date_outside_the_years_stored_before_the_check_is_corrected_not_kept(world, as_user, make_session):
    """A slip stored before sessions were checked (year 1 in London, whose clock in year 1 was behind
    UTC: converting it overflows): the page leaves the date blank to be typed again, and a year
    outside 1900-2999 is never kept as it was."""
    recorded = make_session(world.patient, starts_at=datetime(2020, 3, 4, 9, 0, tzinfo=UTC))
    client = as_user(world.own)
    for slip in (datetime(1, 1, 1, 0, 0, tzinfo=UTC), datetime(1850, 3, 4, 9, 0, tzinfo=UTC)):
        db.session.execute(update(TherapySession).where(TherapySession.id == recorded.session.id)
                           .values(starts_at=slip))
        db.session.commit()
        page = client.get("/patients/P-A1/sessions/1")
        assert page.status_code == 200 and 'name="day" required type="date" value=""' in page.text
        if slip.year == 1850:
            kept = post(client, "/patients/P-A1/sessions/1", day="1850-03-04", start="09:00",
                        duration_minutes="50", attendance="attended")
            assert kept.status_code == 422 and "must be between" in text(kept.text)
        corrected = post(client, "/patients/P-A1/sessions/1", day="2020-03-04", start="09:00",
                         duration_minutes="50", attendance="attended")
        assert corrected.status_code == 303
        db.session.refresh(recorded.session)
        assert recorded.session.starts_at.isoformat() == "2020-03-04T09:00:00+00:00"


def test_an_unknown_session_is_not_found(world, as_user):
    assert as_user(world.own).get("/patients/P-A1/sessions/7").status_code == 404


def test_ending_a_treatment_with_a_reason(world, as_user):
    client = as_user(world.own)
    form = client.get("/patients/P-A1/end")
    assert form.status_code == 200 and "Dropped out" in form.text and "Transferred" in form.text
    response = client.post("/patients/P-A1/end", data={"reason": "dropped_out", "ended_on": "2026-01-10",
                                                       "csrf_token": csrf_token_from(form.text)})
    assert response.status_code == 303
    patient = db.session.get(Patient, world.patient.id)
    assert (patient.status, patient.end_reason, patient.ended_on.isoformat()) == ("ended", "dropped_out", "2026-01-10")
    assert audit_actions()[-1] == "end_treatment"
    assert db.session.get(PatientRisk, patient.id) is not None
    page = client.get("/patients/P-A1").text
    assert "Ended · Dropped out on January 10, 2026" in text(page) and "End the treatment" not in page
    # No new sessions after the end; the form says why.
    refused = post(client, "/patients/P-A1/sessions/new", **SESSION)
    assert refused.status_code == 422 and "This treatment has ended" in text(refused.text)
    assert post(client, "/patients/P-A1/end", reason="completed", ended_on="2026-01-11").status_code == 422


def test_a_treatment_cannot_end_before_its_first_session(world, as_user):
    client = as_user(world.own)
    assert post(client, "/patients/P-A1/sessions/new", **SESSION).status_code == 303  # on 2026-01-05
    refused = post(client, "/patients/P-A1/end", reason="dropped_out", ended_on="2026-01-04")
    assert refused.status_code == 422 and "before the treatment's first session" in text(refused.text)
    assert post(client, "/patients/P-A1/end", reason="dropped_out", ended_on="2026-01-05").status_code == 303


@pytest.mark.parametrize(("data", "message"), [
    ({"reason": "bored", "ended_on": "2026-01-10"}, "Not a valid choice."),
    ({"reason": "completed", "ended_on": ""}, "Enter the date the treatment ended."),
    ({"reason": "completed", "ended_on": "2999-01-01"}, "The end date cannot be in the future."),
    ({"reason": "dropped_out", "ended_on": "0001-01-01"}, f"The end date must be in {utcnow().year - 10} or later."),
])
def test_ending_with_a_problem_changes_nothing(world, as_user, data, message):
    response = post(as_user(world.own), "/patients/P-A1/end", **data)
    assert response.status_code == 422 and message in text(response.text)
    assert db.session.get(Patient, world.patient.id).status == "active"


def test_a_colleague_it_is_shared_with_cannot_change_the_treatment(world, as_user):
    db.session.add(PatientShare(patient=world.patient, user=world.other))
    db.session.commit()
    colleague = as_user(world.other)
    for url in ("/patients/P-A1/sessions/new", "/patients/P-A1/end"):
        assert colleague.get(url).status_code == 403
    assert as_user(world.therapist_b).get("/patients/P-A1/end").status_code == 404


def test_a_therapist_adds_a_patient_to_their_caseload(world, as_user):
    client = as_user(world.own)
    form = client.get("/new-patient")
    assert form.status_code == 200 and 'name="therapist_id"' not in form.text  # always their own caseload
    response = client.post("/new-patient", data={"code": "P-A9", "mobile": "+44 7911 123456", "sms_consent": "y",
                                                 "language": "en", "csrf_token": csrf_token_from(form.text)})
    assert response.status_code == 303 and response.location.endswith("/patients/P-A9")
    patient = db.session.scalars(select(Patient).where(Patient.code == "P-A9")).one()
    assert (patient.therapist_id, patient.clinic_id) == (world.own.id, world.clinic_a.id)
    assert patient.sms_consent and patient.preferred_channel == "sms" and patient.has_phone
    assert audit_actions()[-1] == "add_patient"
    assert "P-A9" in client.get("/").text


def test_a_patient_who_agreed_to_email_gets_links_by_email(world, as_user):
    response = post(as_user(world.own), "/new-patient", code="P-A9", email="p-a9@mail.example.net", email_consent="y",
                    language="en")
    assert response.status_code == 303
    patient = db.session.scalars(select(Patient).where(Patient.code == "P-A9")).one()
    assert patient.email_consent and patient.preferred_channel == "email" and patient.has_email
    assert b"p-a9" not in patient.email_encrypted


@pytest.mark.parametrize(("data", "message"), [
    ({"code": "P-A1"}, "Patient P-A1 already exists in Clinic A."),
    ({"code": "Ann Smith"}, "Patient code must be 2-32 letters"),
    ({"code": "P-A9", "sms_consent": "y"}, "SMS consent needs a mobile number."),
    ({"code": "P-A9", "mobile": "not a number"}, "Not a phone number: give it in international form"),
    ({"code": "P-A9", "email_consent": "y"}, "E-mail consent needs an e-mail address."),
    ({"code": "P-A9", "email": "not an address"}, "Not an address is not an e-mail address."),
    ({"code": ""}, "Enter a code for the patient."),
])
def test_a_patient_with_a_problem_comes_back_with_the_message(world, as_user, data, message):
    response = post(as_user(world.own), "/new-patient", language="en", **data)
    assert response.status_code == 422
    assert message in text(response.text) and 'class="errors"' in response.text
    assert db.session.scalars(select(Patient).where(Patient.code == "P-A9")).all() == []


def test_a_director_adds_a_patient_for_a_therapist_of_their_clinic(world, as_user):
    client = as_user(world.director)
    assert post(client, "/new-patient", code="P-A8", therapist_id=str(world.other.id), language="en").status_code == 303
    assert db.session.scalars(select(Patient.therapist_id).where(Patient.code == "P-A8")).one() == world.other.id
    # Not for another clinic's therapist.
    response = post(client, "/new-patient", code="P-A7", therapist_id=str(world.therapist_b.id), language="en")
    assert response.status_code == 422 and "Not a valid choice." in text(response.text)


def test_the_patients_language_is_offered_by_its_own_name_and_kept(world, as_user):
    client = as_user(world.own)
    form = client.get("/new-patient")
    assert '<option value="es">Español</option>' in form.text
    assert '<option selected value="en">English</option>' in form.text  # the clinic's language
    assert post(client, "/new-patient", code="P-ES", language="es").status_code == 303
    assert db.session.scalars(select(Patient.language).where(Patient.code == "P-ES")).one() == "es"
    assert post(client, "/new-patient", code="P-XX", language="xx").status_code == 422  # not offered


def test_the_new_patient_form_starts_on_the_clinics_language(world, as_user):
    world.own.clinic.language = "es"
    db.session.commit()
    form = as_user(world.own).get("/new-patient")
    assert '<option selected value="es">Español</option>' in form.text
