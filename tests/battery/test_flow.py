"""One link, one flow: the alliance form, then each due outcome measure on its own page, each
stored when its page is sent; nothing stored twice; the link open for what is left until it expires."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine
from sqlalchemy import func, select

from feedback.extensions import db
from feedback.models import OutcomeResponse, Response, SafetyAlert
from tests.battery.helpers import BOTH_EVERY_SESSION, GAD7_FORM, PHQ9_FORM, send, set_clinic_battery
from tests.conftest import csrf_token_from
from tests.factories import PATIENT_FORM


def _link(make_session, make_patient, battery=BOTH_EVERY_SESSION):
    patient = make_patient()
    set_clinic_battery(patient.clinic, battery)
    return f"/s/{make_session(patient).links['patient'].token}"


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_alliance_then_phq9_then_gad7_then_thanks(client, make_session, make_patient):
    path = _link(make_session, make_patient)
    first = client.get(path)
    assert "Form 1 of 3" in first.text and "Send and continue" in first.text

    after_alliance = send(client, path, PATIENT_FORM)
    assert after_alliance.status_code == 303 and after_alliance.location.endswith(f"{path}/phq-9")
    phq = client.get(after_alliance.location)
    assert phq.status_code == 200 and "Form 2 of 3" in phq.text
    assert "Little interest or pleasure in doing things" in phq.text
    assert "Who sees your answers" in phq.text and "Your therapist sees your answers" in phq.text

    after_phq = send(client, f"{path}/phq-9", PHQ9_FORM)
    assert after_phq.status_code == 303 and after_phq.location.endswith(f"{path}/gad-7")
    gad = client.get(after_phq.location)
    assert "Form 3 of 3" in gad.text and "Send my answers" in gad.text

    after_gad = send(client, f"{path}/gad-7", GAD7_FORM)
    assert after_gad.status_code == 303 and after_gad.location.endswith(f"{path}/thanks")
    thanks = client.get(after_gad.location)
    assert thanks.status_code == 200 and "Thank you" in thanks.text

    stored = {r.instrument_id: r for r in db.session.scalars(select(OutcomeResponse))}
    assert set(stored) == {"phq-9", "gad-7"}
    assert stored["phq-9"].scores == {"phq9": 9.0} and stored["phq-9"].answers["phq9_difficulty"] == "somewhat"
    assert stored["gad-7"].scores == {"gad7": 7.0} and stored["gad-7"].instrument_version == "1"
    alliance = db.session.scalars(select(Response)).one()
    assert {r.invitation_id for r in stored.values()} == {alliance.invitation_id}
    assert _count(SafetyAlert) == 0  # item 9 "Not at all" raises nothing


def test_without_a_battery_the_alliance_form_is_the_whole_flow(client, make_session):
    path = f"/s/{make_session().links['patient'].token}"
    page = client.get(path)
    assert "Form 1 of" not in page.text and "Send my answers" in page.text
    done = send(client, path, PATIENT_FORM)
    assert done.location.endswith("/s/thanks")
    assert client.get(f"{path}/phq-9").status_code == 404  # not asked at this session


def test_leaving_after_the_phq9_keeps_it_and_the_link_opens_the_gad7_next_time(client, make_session, make_patient):
    path = _link(make_session, make_patient)
    send(client, path, PATIENT_FORM)
    send(client, f"{path}/phq-9", PHQ9_FORM)
    # The patient closes the page; later the same link takes them on to what is left.
    assert [r.instrument_id for r in db.session.scalars(select(OutcomeResponse))] == ["phq-9"]
    with time_machine.travel(datetime.now(UTC) + timedelta(hours=24)):
        again = client.get(path)
        assert again.status_code == 303 and again.location.endswith(f"{path}/gad-7")
        back = client.get(f"{path}/phq-9")  # an answered form is not shown again
        assert back.status_code == 303 and back.location.endswith(f"{path}/gad-7")
        assert send(client, f"{path}/gad-7", GAD7_FORM).status_code == 303
    assert _count(OutcomeResponse) == 2
    # The link's life is the invitation's; once it has expired an answered link says it was answered
    # (409), not "expired, ask for a new one": an answered invitation gets no new link.
    with time_machine.travel(datetime.now(UTC) + timedelta(hours=73)):
        assert client.get(f"{path}/gad-7").status_code == 409
        assert client.get(path).status_code == 409


def test_a_resent_page_stores_nothing_twice_and_says_so(client, make_session, make_patient):
    path = _link(make_session, make_patient)
    send(client, path, PATIENT_FORM)
    page = client.get(f"{path}/phq-9")
    data = {**PHQ9_FORM, "csrf_token": csrf_token_from(page.text)}
    assert client.post(f"{path}/phq-9", data=data).status_code == 303
    again = client.post(f"{path}/phq-9", data={**data, "phq9_1": "3"})  # the back button, then re-sent
    assert again.status_code == 409
    assert "kept as you first sent them" in again.text and f"{path}/gad-7" in again.text
    assert "form 3 of 3" in again.text
    stored = db.session.scalars(select(OutcomeResponse)).one()
    assert stored.answers["phq9_1"] == 1
    # The alliance form stays single-use: sent again, it is refused, with the way on.
    alliance_again = client.post(path, data={**PATIENT_FORM, "csrf_token": csrf_token_from(page.text)})
    assert alliance_again.status_code == 409 and f"{path}/gad-7" in alliance_again.text
    assert _count(Response) == 1


def test_after_the_last_form_everything_is_answered(client, make_session, make_patient):
    path = _link(make_session, make_patient, [{"instrument": "phq-9", "every": "session"}])
    send(client, path, PATIENT_FORM)
    page = client.get(f"{path}/phq-9")
    assert "Form 2 of 2" in page.text
    token = csrf_token_from(page.text)
    assert client.post(f"{path}/phq-9", data={**PHQ9_FORM, "csrf_token": token}).location.endswith("/thanks")
    again = client.post(f"{path}/phq-9", data={**PHQ9_FORM, "csrf_token": token})
    assert again.status_code == 409 and "nothing more to do" in again.text
    opened = client.get(path)
    assert opened.status_code == 303 and opened.location.endswith(f"{path}/thanks")


def test_outcome_pages_come_after_the_alliance_form(client, make_session, make_patient):
    path = _link(make_session, make_patient)
    early = client.get(f"{path}/phq-9")
    assert early.status_code == 303 and early.location.endswith(path)
    token = csrf_token_from(client.get(path).text)
    sent_early = client.post(f"{path}/phq-9", data={**PHQ9_FORM, "csrf_token": token})
    assert sent_early.status_code == 303 and sent_early.location.endswith(path)
    assert _count(OutcomeResponse) == 0
    thanks_early = client.get(f"{path}/thanks")  # typed in: it must not say the answers arrived
    assert thanks_early.status_code == 303 and thanks_early.location.endswith(path)


def test_unknown_or_not_due_measures_and_bad_links_are_404(client, make_session, make_patient):
    path = _link(make_session, make_patient, [{"instrument": "gad-7", "every": "session"}])
    send(client, path, PATIENT_FORM)
    for wrong in ("phq-9", "post-session-patient", "post-session-therapist", "nope", "x" * 300):
        assert client.get(f"{path}/{wrong}").status_code == 404, wrong
    assert client.get("/s/" + "x" * 43 + "/gad-7").status_code == 404
    assert client.get(f"{path}/gad%00-7").status_code == 404


def test_missing_and_out_of_range_answers_reshow_the_page_naming_the_question(client, make_session, make_patient):
    path = _link(make_session, make_patient)
    send(client, path, PATIENT_FORM)
    form = {**PHQ9_FORM, "phq9_3": "4"}
    del form["phq9_7"]
    page = send(client, f"{path}/phq-9", form)
    assert page.status_code == 422
    assert "Please check 2 answers" in page.text and "“Trouble concentrating on things" in page.text
    assert "choose a value from 0 to 3" in page.text
    assert 'value="2" checked' in page.text  # phq9_4's answer is kept
    hostile = send(client, f"{path}/phq-9", {**PHQ9_FORM, "phq9_1": "\u0661"})  # an Arabic-Indic one
    assert hostile.status_code == 422
    assert _count(OutcomeResponse) == 0


def test_the_therapists_link_never_gets_the_battery(client, make_session, make_patient):
    patient = make_patient()
    set_clinic_battery(patient.clinic, BOTH_EVERY_SESSION)
    token = make_session(patient).links["therapist"].token
    page = client.get(f"/s/{token}")
    assert page.status_code == 200 and "Form 1 of" not in page.text
    assert client.get(f"/s/{token}/phq-9").status_code == 404


def test_the_patients_own_battery_replaces_the_clinics(client, make_session, make_patient):
    patient = make_patient()
    set_clinic_battery(patient.clinic, BOTH_EVERY_SESSION)
    patient.outcome_battery = [{"instrument": "gad-7", "every": "session"}]
    db.session.commit()
    path = f"/s/{make_session(patient).links['patient'].token}"
    assert send(client, path, PATIENT_FORM).location.endswith(f"{path}/gad-7")
    patient.outcome_battery = []  # "none for this patient"
    db.session.commit()
    later = f"/s/{make_session(patient).links['patient'].token}"
    assert send(client, later, PATIENT_FORM).location.endswith("/s/thanks")
