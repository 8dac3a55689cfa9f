"""The clinic tablet in a real browser at a tablet's size (810 × 1080): a therapist opens kiosk
mode; a patient types the code their therapist made, answers the alliance form and the PHQ-9,
and the tablet returns to the code screen; the back button then shows nothing of the patient;
left idle, the tablet returns by itself; leaving takes a clinician's sign-in. axe on every page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from dashboards.kiosk.models import KioskDevice
from feedback.extensions import db
from tests.auth.conftest import enrol  # noqa: F401  (fixture)
from tests.browser.kiosk_support import ALLIANCE, enter_code, make_code, open_kiosk, sign_in, tap_all
from tests.browser_support import DESKTOP, TABLET, assert_accessible, open_page
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.browser
PATIENT = "P-TAB"
#: Words that only a patient's pages show: none may be seen once the tablet has returned.
PATIENT_WORDS = ("Patient Health Questionnaire", "Session of", "Form 1 of", "Thank you")


@pytest.fixture
def app_config() -> dict[str, object]:
    return {"KIOSK_IDLE_SECONDS": 3, "KIOSK_THANKS_SECONDS": 2}


@pytest.fixture
def clinic(make_user, make_patient, make_session, enrol):  # noqa: F811
    therapist = make_user("therapist", email="lee@example.org")
    director = make_user("director", therapist.clinic, email="kim@example.org")
    accounts = {"therapist": (therapist.email, enrol(therapist)), "director": (director.email, enrol(director))}
    patient = make_patient(therapist, code=PATIENT)
    patient.clinic.outcome_battery = [{"instrument": "phq-9", "every": "session"}]
    db.session.commit()
    make_session(patient)
    make_session(patient)  # two open questionnaires: one answered, one left idle
    db.session.remove()
    return accounts  # a TOTP code is accepted once: the tablet and the therapist's desk sign in as two people


@pytest.fixture
def tablet(browser, live_server):
    yield from open_page(browser, live_server, TABLET)


@pytest.fixture
def desk(browser, live_server):
    yield from open_page(browser, live_server, DESKTOP)  # a second browser context: the therapist's desk


def _shows_nothing_of_the_patient(page) -> None:
    text = page.locator("body").inner_text()
    assert not [word for word in PATIENT_WORDS if word in text], f"{page.url}: {text[:200]}"
    assert "/kiosk/survey" not in page.url and "/s/" not in page.url


def test_the_kiosk_round_trip_on_a_tablet(tablet, desk, clinic):
    tablet.goto("/login")
    sign_in(tablet, clinic["director"][0], TEST_PASSWORD, clinic["director"][1])
    open_kiosk(tablet, look=lambda page, where: assert_accessible(page, "kiosk-open"))
    expect(tablet.get_by_role("heading", name="Welcome")).to_be_visible()
    assert_accessible(tablet, "kiosk-code-screen")
    tablet.goto("/")  # the clinician's pages are gone from this browser
    tablet.wait_for_url("**/kiosk")

    desk.goto("/login")
    sign_in(desk, clinic["therapist"][0], TEST_PASSWORD, clinic["therapist"][1])
    code = make_code(desk, PATIENT, look=lambda page, where: assert_accessible(page, "kiosk-code-page"))

    tablet.goto(f"/kiosk#code={code}")  # the address in the code's QR code: filled in, then gone from the address
    expect(tablet.locator("#code")).to_have_value(code)
    assert "#" not in tablet.url
    tablet.get_by_role("button", name="Start").click()
    tablet.wait_for_url("**/kiosk/survey")
    expect(tablet.get_by_text("Form 1 of 2")).to_be_visible()
    assert_accessible(tablet, "kiosk-alliance")
    tap_all(tablet, ALLIANCE)
    tablet.get_by_role("button", name="Send and continue").click()
    tablet.wait_for_url("**/kiosk/survey/phq-9")
    assert_accessible(tablet, "kiosk-phq9")
    tap_all(tablet, {f"phq9_{i}": "0" for i in range(1, 10)})
    tablet.get_by_role("button", name="Send my answers").click()
    tablet.wait_for_url("**/kiosk/thanks")
    expect(tablet.get_by_role("heading", name="Thank you")).to_be_visible()
    assert_accessible(tablet, "kiosk-thanks")

    tablet.wait_for_url(lambda url: url.endswith("/kiosk"), timeout=10_000)  # the Refresh header
    expect(tablet.get_by_role("heading", name="Welcome")).to_be_visible()
    _shows_nothing_of_the_patient(tablet)
    for _ in range(5):  # back through the whole visit: only the code screen, never a page of the patient
        tablet.go_back()
        tablet.wait_for_load_state()
        _shows_nothing_of_the_patient(tablet)


def test_left_idle_the_tablet_returns_by_itself(tablet, desk, clinic):
    tablet.goto("/login")
    sign_in(tablet, clinic["director"][0], TEST_PASSWORD, clinic["director"][1])
    open_kiosk(tablet)
    desk.goto("/login")
    sign_in(desk, clinic["therapist"][0], TEST_PASSWORD, clinic["therapist"][1])
    enter_code(tablet, make_code(desk, PATIENT))
    expect(tablet.get_by_text("Form 1 of 2")).to_be_visible()
    tablet.locator('#q-bond_trust label:has(input[value="5"])').click()  # started, then walked away
    tablet.wait_for_url(lambda url: url.endswith("/kiosk"), timeout=10_000)
    _shows_nothing_of_the_patient(tablet)
    tablet.go_back()
    tablet.wait_for_load_state()
    _shows_nothing_of_the_patient(tablet)
    assert db.session.scalar(select(KioskDevice)).invitation_id is None


def test_leaving_kiosk_mode_takes_a_clinicians_sign_in(tablet, clinic):
    tablet.goto("/login")
    sign_in(tablet, clinic["director"][0], TEST_PASSWORD, clinic["director"][1])
    open_kiosk(tablet)
    tablet.get_by_role("link", name="Staff: leave kiosk mode").click()
    tablet.wait_for_url("**/kiosk/leave")
    sign_in(tablet, clinic["therapist"][0], TEST_PASSWORD, clinic["therapist"][1],
            look=lambda page, where: assert_accessible(page, "kiosk-leave" + ("-2fa" if "2fa" in where else "")))
    tablet.wait_for_url(lambda url: url.endswith("/"))
    expect(tablet.get_by_role("link", name="Clinic tablet")).to_be_visible()
