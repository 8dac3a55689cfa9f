"""A director signs in and reads the clinic overview in a real browser: desktop and phone, strict CSP, axe-core."""

from __future__ import annotations

import pytest

from feedback.extensions import db
from feedback.models import utcnow
from tests.auth.conftest import enrol  # noqa: F401  (fixture)
from tests.browser_support import assert_accessible, draw_every_chart
from tests.director.conftest import add_failed_sms, build_clinics, wire
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.browser

CSP_WATCH = """window.__csp = [];
document.addEventListener("securitypolicyviolation", e => window.__csp.push(e.violatedDirective + " " + e.sourceFile));"""


@pytest.fixture
def director(app, make_clinic, make_user, make_patient, request):
    authenticator_for = request.getfixturevalue("enrol")
    wire(app)
    clinics = build_clinics(make_clinic, make_user, make_patient, utcnow())
    add_failed_sms(clinics.patients["B-WATCH"])
    authenticator = authenticator_for(clinics.director)
    email = clinics.director.email
    db.session.remove()  # the live server's threads read what is committed
    return email, authenticator


def sign_in_to_overview(page, email: str, authenticator) -> None:
    page.add_init_script(CSP_WATCH)
    page.goto("/clinic")  # not signed in: sent to sign in, then back here
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Code").fill(authenticator.now())
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/clinic")
    draw_every_chart(page, 1)


def test_director_signs_in_and_sees_the_clinic_overview(desktop_page, director):
    page = desktop_page
    sign_in_to_overview(page, *director)
    assert page.get_by_role("heading", level=1).inner_text().startswith("Clinic overview")
    for heading in ("Active treatments by risk level", "Unresolved ruptures that may need supervision",
                    "Ended treatments and dropout by month", "Do the flags mean something here?",
                    "Therapists: caseload and support", "Messages that did not reach patients"):
        assert page.get_by_role("heading", name=heading).is_visible()
    # The chart's table alternative opens, and the high-risk list leads to the patient.
    page.get_by_text("Show as a table").click()
    assert page.locator("#ended-table").is_visible()
    assert page.locator(".chart .barlayer .trace").count() == 3  # completed, dropped out, transferred
    assert page.evaluate("window.__csp") == []
    assert_accessible(page, "director-overview-desktop")
    page.get_by_role("link", name="A-HIGH").first.click()
    page.wait_for_url("**/patients/A-HIGH")


def test_the_overview_is_usable_on_a_phone_and_the_chart_follows_the_window(phone_page, director):
    page = phone_page
    sign_in_to_overview(page, *director)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    narrow = page.eval_on_selector(".chart .main-svg", "el => el.getBoundingClientRect().width")
    assert 280 < narrow <= 390
    # In-page links are comfortable to tap.
    heights = page.locator(".page-links a").evaluate_all("els => els.map(e => e.getBoundingClientRect().height)")
    assert min(heights) >= 44
    assert_accessible(page, "director-overview-phone")
    page.set_viewport_size({"width": 1000, "height": 900})
    page.wait_for_function(
        "min => document.querySelector('.chart .main-svg').getBoundingClientRect().width > min", arg=narrow + 200)
