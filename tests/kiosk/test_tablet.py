"""The tablet in kiosk mode, through its routes: opening it ends the clinician's sign-in and locks
the browser to the kiosk pages; a code opens the normal survey flow; the end of the flow, an idle
patient or the code screen clears the patient part; every page is no-store."""

from __future__ import annotations

from datetime import timedelta

import pytest
from markupsafe import Markup
from sqlalchemy import select

from dashboards.audit.models import AuditEvent
from dashboards.auth.models import LoginSession
from dashboards.kiosk import clinician, codes
from dashboards.kiosk.models import KioskCode
from feedback import link_csrf
from feedback.extensions import db
from feedback.models import Invitation, utcnow
from tests.conftest import csrf_token_from
from tests.factories import CALM, PATIENT_FORM, answer_patient_form


@pytest.fixture
def therapist(make_user):
    return make_user("therapist")


@pytest.fixture
def visit(make_session, make_patient, therapist):
    return make_session(make_patient(therapist, code="P-KIOSK"))


def test_opening_kiosk_mode_ends_the_sign_in_and_is_audited(open_tablet, therapist):
    tablet = open_tablet(therapist)
    login = db.session.scalar(select(LoginSession).where(LoginSession.user_id == therapist.id))
    assert login.ended_at is not None and login.end_reason == "kiosk"
    assert tablet.device.opened_by_id == therapist.id and tablet.device.clinic_id == therapist.clinic_id
    opened = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "kiosk_opened"))
    assert opened.user_id == therapist.id
    assert "Welcome" in tablet.client.get("/kiosk").text


@pytest.mark.parametrize("path", ["/", "/patients/P-KIOSK", "/account", "/login", "/clinic", "/nowhere"])
def test_every_other_page_sends_the_tablet_back_to_the_code_screen(open_tablet, therapist, visit, path):
    answer = open_tablet(therapist).client.get(path)
    assert answer.status_code == 303 and answer.location.endswith("/kiosk")


def test_a_survey_link_does_not_open_on_the_tablet(open_tablet, therapist, visit):
    tablet = open_tablet(therapist)
    answer = tablet.client.get(f"/s/{visit.links['patient'].token}")
    assert answer.status_code == 303 and answer.location.endswith("/kiosk")
    token = csrf_token_from(tablet.client.get("/kiosk").text)
    refused = tablet.client.post(f"/s/{visit.links['patient'].token}", data={**PATIENT_FORM, "csrf_token": token})
    assert refused.status_code == 403
    assert db.session.get(Invitation, visit.links["patient"].invitation.id).completed_at is None


def test_sign_out_and_other_forms_are_refused(open_tablet, therapist):
    tablet = open_tablet(therapist)
    token = csrf_token_from(tablet.client.get("/kiosk").text)
    assert tablet.client.post("/logout", data={"csrf_token": token}).status_code == 403
    assert tablet.client.post("/kiosk/open", data={"csrf_token": token}).status_code == 403


def test_only_therapists_and_directors_open_kiosk_mode(as_user, make_user):
    assert as_user(make_user("admin")).get("/kiosk/open").status_code == 404
    assert as_user(make_user("director")).get("/kiosk/open").status_code == 200


def test_kiosk_pages_do_not_exist_outside_kiosk_mode(app, as_user, therapist):
    for client in (app.test_client(), as_user(therapist)):
        assert client.get("/kiosk").status_code == 404
        assert client.get("/kiosk/survey").status_code == 404


def test_a_patient_answers_with_a_code_and_the_tablet_forgets_them(open_tablet, therapist, visit, code_for):
    tablet = open_tablet(therapist)
    code = code_for(visit, therapist)
    entered = tablet.enter(code)
    assert entered.status_code == 303 and entered.location.endswith("/kiosk/survey")
    page = tablet.client.get("/kiosk/survey")
    assert page.status_code == 200 and 'action="/kiosk/survey"' in page.text
    assert visit.links["patient"].token not in page.text
    sent = tablet.client.post("/kiosk/survey", data={**PATIENT_FORM, "csrf_token": csrf_token_from(page.text)})
    assert sent.status_code == 303 and sent.location.endswith("/kiosk/thanks")
    thanks = tablet.client.get("/kiosk/thanks")
    assert thanks.status_code == 200 and thanks.headers["Refresh"].endswith("url=/kiosk")
    assert tablet.device.invitation_id is None
    assert db.session.get(Invitation, visit.links["patient"].invitation.id).completed_at is not None
    for path in ("/kiosk/survey", "/kiosk/thanks"):  # the back button: nothing of the patient
        again = tablet.client.get(path)
        assert again.status_code == 303 and again.location.endswith("/kiosk")
    screen = tablet.client.get("/kiosk")
    assert "P-KIOSK" not in screen.text and code not in screen.text
    used = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "kiosk_code_used"))
    assert used.patient_id == visit.session.patient_id and code not in used.detail


def test_every_kiosk_page_is_no_store(open_tablet, therapist, visit, code_for):
    tablet = open_tablet(therapist)
    tablet.enter(code_for(visit, therapist))
    for path in ("/kiosk", "/kiosk/leave"):
        assert tablet.client.get(path).headers["Cache-Control"] == "no-store", path
    tablet.enter(code_for(visit, therapist))
    for path in ("/kiosk/survey", "/kiosk/alive", "/kiosk/thanks"):
        assert tablet.client.get(path).headers["Cache-Control"] == "no-store", path


def test_a_wrong_code_says_so_and_shows_nothing(open_tablet, therapist, visit, code_for):
    tablet = open_tablet(therapist)
    code_for(visit, therapist)
    refused = tablet.enter("ZZZ ZZZ")
    # The typed code is not shown back (the page's random CSRF token may hold "ZZZ" by chance).
    shown = refused.text.replace(csrf_token_from(refused.text), "")
    assert refused.status_code == 422 and "did not work" in shown and "ZZZ" not in shown
    for _ in range(4):
        tablet.enter("ZZZZZZ")
    assert tablet.enter("ZZZZZZ").status_code == 429


def test_the_qr_code_fills_in_the_code_screen_without_using_the_code(as_user, open_tablet, therapist, visit,
                                                                     monkeypatch):
    drawn: list[str] = []
    monkeypatch.setattr(clinician, "qr_svg", lambda uri, title: drawn.append(uri) or Markup("<svg></svg>"))
    client = as_user(therapist)
    page = client.get("/patients/P-KIOSK")
    made = client.post(f"/patients/P-KIOSK/sessions/{visit.session.number}/kiosk-code",
                       data={"csrf_token": csrf_token_from(page.text)})
    code = made.text.split('id="kiosk-code">', 1)[1].split("<", 1)[0].replace(" ", "")
    [qr_address] = drawn
    assert qr_address.endswith(f"/kiosk#code={code}")  # in the fragment: never sent to the server
    tablet = open_tablet(therapist)
    assert tablet.client.get(qr_address).status_code == 200 and tablet.device.invitation_id is None
    assert tablet.enter(code).status_code == 303


def test_an_idle_patient_part_ends_on_the_server(open_tablet, therapist, visit, code_for):
    tablet = open_tablet(therapist)
    tablet.enter(code_for(visit, therapist))
    assert tablet.client.get("/kiosk/alive").status_code == 204
    device = tablet.device
    device.patient_seen_at = utcnow() - timedelta(seconds=120)
    db.session.commit()
    answer = tablet.client.get("/kiosk/survey")
    assert answer.status_code == 303 and answer.location.endswith("/kiosk")
    assert tablet.device.invitation_id is None
    assert tablet.client.get("/kiosk/alive").status_code == 410


def test_the_code_screen_ends_a_patient_part(open_tablet, therapist, visit, code_for):
    tablet = open_tablet(therapist)
    tablet.enter(code_for(visit, therapist))
    tablet.client.get("/kiosk")
    assert tablet.device.invitation_id is None
    assert tablet.client.get("/kiosk/survey").location.endswith("/kiosk")


def test_a_request_in_flight_when_the_part_ends_still_finds_the_tablet(app, open_tablet, therapist, visit, code_for):
    tablet = open_tablet(therapist)
    tablet.enter(code_for(visit, therapist))
    cookie = tablet.client.get_cookie("session")
    in_flight = app.test_client()  # the idle timer's reload, sent with the cookie the ping also carried
    in_flight.set_cookie("session", cookie.value)
    assert in_flight.get("/kiosk").status_code == 200  # the code screen: the patient part ends here
    assert tablet.device.invitation_id is None
    # The touch's ping, answered after: still a tablet, never a signed-out browser.
    assert tablet.client.get("/").location.endswith("/kiosk")
    assert tablet.client.get("/kiosk").status_code == 200


def test_every_page_of_the_tablet_carries_the_idle_return(app, open_tablet, therapist, visit, code_for):
    app.config["KIOSK_IDLE_SECONDS"] = 7
    tablet = open_tablet(therapist)
    screen = tablet.client.get("/kiosk").text
    assert 'data-idle-seconds="7"' in screen and 'content="7;url=/kiosk"' in screen and "data-alive" not in screen
    tablet.enter(code_for(visit, therapist))
    assert 'data-alive="/kiosk/alive"' in tablet.client.get("/kiosk/survey").text


def test_a_tablet_too_old_becomes_an_ordinary_signed_out_browser(app, open_tablet, therapist):
    tablet = open_tablet(therapist)
    device = tablet.device
    device.created_at = utcnow() - timedelta(hours=12)
    db.session.commit()
    answer = tablet.client.get("/")
    assert answer.status_code == 302 and "/login" in answer.location
    assert tablet.device.end_reason == "expired"


def test_the_therapist_makes_a_code_on_the_patients_page(as_user, therapist, visit, make_user):
    client = as_user(therapist)
    page = client.get("/patients/P-KIOSK")
    assert "/kiosk-code" in page.text
    made = client.post(f"/patients/P-KIOSK/sessions/{visit.session.number}/kiosk-code",
                       data={"csrf_token": csrf_token_from(page.text)})
    assert made.status_code == 200 and "<svg" in made.text and "15 minutes" in made.text
    [row] = db.session.scalars(select(KioskCode)).all()
    shown = made.text.split('id="kiosk-code">', 1)[1].split("<", 1)[0].replace(" ", "")
    assert row.code_hash == codes.code_hash(shown)
    issued = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "kiosk_code_issued"))
    assert issued.user_id == therapist.id and shown not in issued.detail


def test_no_code_for_an_answered_questionnaire(as_user, therapist, visit):
    answer_patient_form(visit, CALM)
    client = as_user(therapist)
    page = client.get("/patients/P-KIOSK")
    assert "/kiosk-code" not in page.text
    made = client.post(f"/patients/P-KIOSK/sessions/{visit.session.number}/kiosk-code",
                       data={"csrf_token": csrf_token_from(page.text)})
    assert made.status_code == 409 and db.session.scalar(select(KioskCode)) is None


def test_the_tablet_speaks_the_clinics_language_and_the_survey_the_patients(open_tablet, therapist, visit, code_for):
    therapist.clinic.language = "es"
    db.session.commit()
    tablet = open_tablet(therapist)
    screen = tablet.client.get("/kiosk").text
    assert '<html lang="es"' in screen and "Le damos la bienvenida" in screen
    assert "Escriba el código que le dio su terapeuta." in tablet.enter("").text
    visit.session.patient.language = "en"
    db.session.commit()
    tablet.enter(code_for(visit, therapist))
    assert '<html lang="en"' in tablet.client.get("/kiosk/survey").text


def test_a_form_refused_for_its_csrf_token_speaks_the_patients_language(open_tablet, therapist, visit, code_for):
    tablet = open_tablet(therapist)
    screen = tablet.client.post("/kiosk", data={"code": "ABCDEF"})  # no token: the clinic's language (English)
    assert screen.status_code == 400 and '<html lang="en"' in screen.text
    visit.session.patient.language = "es"
    db.session.commit()
    tablet.enter(code_for(visit, therapist))
    refused = tablet.client.post("/kiosk/survey", data=PATIENT_FORM)
    assert refused.status_code == 400 and "Inténtelo de nuevo" in refused.text and '<html lang="es"' in refused.text


# --- the survey's language switch on the tablet (views.language): the tablet's own address, the part's patient ---
def test_the_patient_switches_language_on_the_tablet(open_tablet, therapist, visit, code_for):
    tablet = open_tablet(therapist)
    tablet.enter(code_for(visit, therapist))
    page = tablet.client.get("/kiosk/survey").text
    assert 'action="/kiosk/language"' in page and "/s/" not in page  # no link on the tablet
    moved = tablet.client.post("/kiosk/language", data={"language": "es", "csrf_token": csrf_token_from(page)})
    assert moved.status_code == 303 and moved.location.endswith("/kiosk/survey")
    db.session.refresh(visit.session.patient)
    assert visit.session.patient.language == "es"
    assert '<html lang="es"' in tablet.client.get("/kiosk/survey").text


def test_a_language_not_offered_is_refused_and_changes_nothing(open_tablet, therapist, visit, code_for):
    tablet = open_tablet(therapist)
    tablet.enter(code_for(visit, therapist))
    page = tablet.client.get("/kiosk/survey").text
    refused = tablet.client.post("/kiosk/language", data={"language": "xx", "csrf_token": csrf_token_from(page)})
    assert refused.status_code == 422
    db.session.refresh(visit.session.patient)
    assert visit.session.patient.language == "en"


def test_without_a_patient_part_it_goes_back_to_the_code_screen(open_tablet, therapist, visit):
    tablet = open_tablet(therapist)
    screen = tablet.client.get("/kiosk").text
    back = tablet.client.post("/kiosk/language", data={"language": "es", "csrf_token": csrf_token_from(screen)})
    assert back.status_code == 303 and back.location.endswith("/kiosk")
    db.session.refresh(visit.session.patient)
    assert visit.session.patient.language == "en"


def test_the_tablet_takes_its_sessions_csrf_token_not_the_links(open_tablet, therapist, visit, code_for):
    """The survey's own pages bind their forms' token to the link (feedback/link_csrf.py); the tablet
    serves the same forms under its session's token, and the link's is no key to it."""
    tablet = open_tablet(therapist)
    tablet.enter(code_for(visit, therapist))
    page = tablet.client.get("/kiosk/survey")
    links_own = link_csrf.form_token(visit.links["patient"].token)
    assert csrf_token_from(page.text) != links_own
    refused = tablet.client.post("/kiosk/survey", data={**PATIENT_FORM, "csrf_token": links_own})
    assert refused.status_code == 400
    assert db.session.get(Invitation, visit.links["patient"].invitation.id).completed_at is None
