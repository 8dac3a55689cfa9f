"""Every page people use, on a 390 px phone: nothing wider than the screen (a wide table scrolls in
its own box, with edge shadows as the cue), and everything tappable at least 44 px tall (WCAG 2.5.5
AAA's size, a project choice; links inside a sentence are that criterion's own exception). And the
therapist's home leads with what needs attention, on the phone and on a laptop.

The list of pages is checked against the app's routes, so a new page cannot escape the sweep."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from flask import current_app
from playwright.sync_api import expect
from sqlalchemy import select

from dashboards.auth import accounts
from dashboards.demo import clinic as demo
from feedback import invitations
from feedback.delivery.unsubscribe import unsubscribe_token
from feedback.extensions import db
from feedback.instruments.registry import registry
from feedback.instruments.scoring import score
from feedback.models import Clinic, Patient, SafetyAlert, User
from tests.auth.conftest import enrol  # noqa: F401  (fixture)
from tests.browser.kiosk_support import TABLET_PAGES, sweep_tablet
from tests.browser_support import PHONE
from tests.factories import CALM

pytestmark = pytest.mark.browser

LAPTOP = {"viewport": {"width": 1366, "height": 768}}
PATIENT = "NS-103"
#: GET routes that are not pages (data, files, probes).
NOT_PAGES = {
    "admin.audit_export", "director.ended_chart", "director.export", "director.outcomes_chart",
    "dashboards.patient_charts", "dashboards.patient_export", "dashboards.patient_scores",
    "dashboards.patient_review_chart", "dashboards_assets.static", "favicon.static", "fhir_pages.export",
    "fhir.metadata", "fhir.questionnaire_search", "fhir.questionnaire_read", "fhir.response_search",
    "health.healthz", "health.readyz", "static", "survey.static", "kiosk.alive",
}
#: Endpoint -> (who looks at it, where). Pages of the sign-in flow are swept on the way in.
SIGNED_IN = {
    "dashboards.home": ("therapist", "/"),
    "auth.account": ("therapist", "/account"),
    "dashboards.new_patient": ("therapist", "/new-patient"),
    "dashboards.patient": ("therapist", f"/patients/{PATIENT}"),
    "dashboards.end_treatment": ("therapist", f"/patients/{PATIENT}/end"),
    "dashboards.change_contact": ("therapist", f"/patients/{PATIENT}/contact"),
    "dashboards.new_session": ("therapist", f"/patients/{PATIENT}/sessions/new"),
    "dashboards.edit_session": ("therapist", f"/patients/{PATIENT}/sessions/3"),
    "dashboards.patient_battery": ("therapist", f"/patients/{PATIENT}/battery"),
    "dashboards.patient_review": ("therapist", f"/patients/{PATIENT}/review"),
    "dashboards.own_outcomes_page": ("therapist", "/outcomes"),
    "safety.acknowledge_alert": ("therapist", None),  # the demo's open safety alert, found below
    "director.overview": ("director", "/clinic"),
    "director.calibration": ("director", "/clinic/calibration"),
    "admin.audit_trail": ("director", "/clinic/audit"),
    "admin.therapists": ("director", "/clinic/therapists"),
    "director.clinic_battery": ("director", "/clinic/battery"),
    "safety.settings": ("director", "/clinic/safety"),
    "director.clinic_language": ("director", "/clinic/language"),
    "fhir_pages.import_page": ("director", "/clinic/fhir-import"),
    "admin.break_glass": ("admin", "/admin/break-glass"),
}
ON_THE_WAY_IN = {"auth.login", "auth.second_factor", "auth.enrol", "auth.set_password", "survey.form", "survey.thanks",
                 "survey.outcome_form", "survey.battery_thanks", "unsubscribe.confirm"}

MEASURE = """() => {
  const width = document.documentElement.clientWidth;
  const labelled = el => el.labels && el.labels.length ? [el, ...el.labels] : [el];
  const inSentence = el => el.tagName === "A" && getComputedStyle(el).display === "inline"
    && [...el.parentElement.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
  const small = [];
  for (const el of document.querySelectorAll(
      "a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button]")) {
    const box = el.getBoundingClientRect();
    if (!box.width || !box.height || el.closest(".js-plotly-plot") || inSentence(el)) continue;
    const height = Math.max(...labelled(el).map(e => e.getBoundingClientRect().height));
    if (height < 44) small.push(`${el.tagName.toLowerCase()} "${(el.textContent || el.name).trim().slice(0, 40)}" ${Math.round(height)}px`);
  }
  const cue = box => /gradient/.test(getComputedStyle(box).backgroundImage);
  const wide = [];
  for (const el of document.querySelectorAll("body *")) {
    if (el.getBoundingClientRect().right <= width + 1) continue;
    const box = el.closest(".table-scroll");
    if (!box || box.getBoundingClientRect().right > width + 1 || !cue(box)) wide.push(`${el.tagName.toLowerCase()}.${el.className}`);
  }
  return {scroll: document.documentElement.scrollWidth, width, small, wide: wide.slice(0, 5)};
}"""


@dataclass
class Demo:
    emails: dict[str, str]
    authenticators: dict[str, object]
    survey_path: str
    outcome_path: str  # the PHQ-9 page of a battery whose alliance form is answered
    password_path: str
    newcomer: str
    alert_path: str
    unsubscribe_path: str


def answer_patient_form_by_token(token: str) -> None:
    invitation = invitations.resolve(token, answered=True)
    instrument = registry().get(invitation.instrument_id, invitation.instrument_version)
    invitations.record_response(invitation, CALM, score(instrument, CALM))


@pytest.fixture
def demo_clinic(app, enrol, make_user, make_session):  # noqa: F811
    seeded = demo.seed()
    clinic = db.session.scalar(select(Clinic).where(Clinic.name == demo.CLINIC))
    admin = make_user("admin", clinic, email="admin@northside.example", password=demo.PASSWORD)
    newcomer = make_user("therapist", clinic, email="new@northside.example", password=demo.PASSWORD)
    emails = {"therapist": demo.THERAPISTS[0][0], "director": demo.DIRECTOR[0], "admin": admin.email}
    users = {role: db.session.scalar(select(User).where(User.email == email)) for role, email in emails.items()}
    authenticators = {role: enrol(user) for role, user in users.items()}
    with current_app.test_request_context():
        password_path = urlsplit(accounts.issue_password_link(newcomer, actor=None)).path
    battery_token = make_session(db.session.scalar(select(Patient).where(Patient.code == PATIENT))).links["patient"].token
    answer_patient_form_by_token(battery_token)
    alert = db.session.scalar(select(SafetyAlert).where(SafetyAlert.acknowledged_at.is_(None)))
    result = Demo(emails, authenticators, urlsplit(seeded.survey_link).path, f"/s/{battery_token}/phq-9", password_path,
                  newcomer.email, f"/patients/{alert.patient.code}/safety-alerts/{alert.id}",
                  "/u/" + unsubscribe_token(alert.patient.id, "email"))
    db.session.remove()
    return result


def check(page, where: str) -> None:
    found = page.evaluate(MEASURE)
    assert found["scroll"] <= found["width"], f"{where} is {found['scroll']} px wide: {found['wide']}"
    assert not found["wide"], f"{where}: wider than the screen outside a scrolling box: {found['wide']}"
    assert not found["small"], f"{where}: targets under 44 px: {found['small']}"


def sign_in(page, email: str, authenticator, swept: set[str] | None = None) -> None:
    page.goto("/login")
    if swept is not None:
        check(page, "/login")
        swept.add("auth.login")
    page.fill("#email", email)
    page.fill("#password", demo.PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/login/2fa")
    if swept is not None:
        check(page, "/login/2fa")
        swept.add("auth.second_factor")
    page.fill("#code", authenticator.now())
    # The second step speaks the account's language (its clinic's Spanish in the Spanish sweeps).
    page.get_by_role("button", name=re.compile(r"^(Sign in|Iniciar sesión)$")).click()
    page.wait_for_url(lambda url: "/login" not in url)


def test_every_page_fits_a_phone_with_targets_big_enough(app, browser, live_server, demo_clinic):
    pages = {rule.endpoint for rule in app.url_map.iter_rules() if "GET" in rule.methods} - NOT_PAGES
    assert pages == set(SIGNED_IN) | ON_THE_WAY_IN | TABLET_PAGES, "a page the sweep does not know: add it above"
    swept: set[str] = set()

    context = browser.new_context(base_url=live_server, **PHONE)
    page = context.new_page()
    battery_thanks = demo_clinic.outcome_path.rsplit("/", 1)[0] + "/thanks"
    for endpoint, path in (("survey.form", demo_clinic.survey_path), ("auth.set_password", demo_clinic.password_path),
                           ("survey.thanks", "/s/thanks"), ("survey.outcome_form", demo_clinic.outcome_path),
                           ("survey.battery_thanks", battery_thanks), ("unsubscribe.confirm", demo_clinic.unsubscribe_path)):
        assert page.goto(path).ok, path
        check(page, path)
        swept.add(endpoint)
    context.close()

    for role in ("therapist", "director", "admin"):
        context = browser.new_context(base_url=live_server, **PHONE)
        page = context.new_page()
        sign_in(page, demo_clinic.emails[role], demo_clinic.authenticators[role], swept)
        for endpoint, (who, path) in SIGNED_IN.items():
            if who == role:
                path = path or demo_clinic.alert_path
                assert page.goto(path).ok, path
                check(page, path)
                swept.add(endpoint)
        if role == "therapist":  # the therapist turns this phone into the clinic tablet
            swept |= sweep_tablet(page, check, demo_clinic.survey_path, demo_clinic.outcome_path,
                                  demo_clinic.emails[role], demo.PASSWORD)
        context.close()

    context = browser.new_context(base_url=live_server, **PHONE)  # an account without an authenticator
    page = context.new_page()
    page.goto("/login")
    page.fill("#email", demo_clinic.newcomer)
    page.fill("#password", demo.PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/login/enrol")
    check(page, "/login/enrol")
    swept.add("auth.enrol")
    context.close()
    assert swept == pages


@pytest.mark.parametrize("size", ["phone", "laptop"])
def test_the_home_page_leads_with_the_patients_at_risk(browser, live_server, demo_clinic, size):
    options = PHONE if size == "phone" else LAPTOP
    fold = options["viewport"]["height"]
    context = browser.new_context(base_url=live_server, **options)
    page = context.new_page()
    sign_in(page, demo_clinic.emails["therapist"], demo_clinic.authenticators["therapist"])
    attention = page.locator(".attention-list li")
    expect(attention.first).to_contain_text(PATIENT)
    expect(attention.first.locator(".why")).to_contain_text("Tension 5 of 5, unresolved")
    tops = [box["y"] + box["height"] for box in (row.bounding_box() for row in attention.all())]
    forms = page.locator("#forms-heading").bounding_box()
    assert tops[0] <= fold and (forms is None or forms["y"] > tops[-1])  # at-risk first, then the forms
    if size == "laptop":
        assert sum(bottom <= fold for bottom in tops) > 1
    # each why line is one line of text, not a sentence cut off by the layout
    for why in page.locator(".attention-list .why").all():
        assert why.evaluate("el => el.scrollHeight <= el.clientHeight + 1 && getComputedStyle(el).overflow == 'visible'")
    context.close()


def test_the_director_and_admin_pages_fit_a_phone_in_spanish(browser, live_server, demo_clinic):
    """Spanish runs about a fifth longer than English: the same sweep with the clinic's default set to Spanish."""
    clinic = db.session.scalar(select(Clinic).where(Clinic.name == demo.CLINIC))
    clinic.language = "es"
    db.session.commit()
    db.session.remove()
    for role in ("director", "admin"):
        context = browser.new_context(base_url=live_server, **PHONE)
        page = context.new_page()
        sign_in(page, demo_clinic.emails[role], demo_clinic.authenticators[role])
        for who, path in SIGNED_IN.values():
            if who == role:
                assert page.goto(path).ok, path
                expect(page.locator("html")).to_have_attribute("lang", "es")
                check(page, f"{path} (es)")
        context.close()


def test_the_therapist_pages_fit_a_phone_in_spanish(browser, live_server, demo_clinic):
    """The therapist's own pages with the therapist's own language set to Spanish (about a fifth longer):
    every page fits, and each line of why on the home page stays one line."""
    therapist = db.session.scalar(select(User).where(User.email == demo_clinic.emails["therapist"]))
    therapist.language = "es"
    db.session.commit()
    db.session.remove()
    context = browser.new_context(base_url=live_server, **PHONE)
    page = context.new_page()
    sign_in(page, demo_clinic.emails["therapist"], demo_clinic.authenticators["therapist"])
    for who, path in SIGNED_IN.values():
        if who == "therapist":
            path = path or demo_clinic.alert_path
            assert page.goto(path).ok, path
            expect(page.locator("html")).to_have_attribute("lang", "es")
            check(page, f"{path} (es)")
    page.goto("/")
    expect(page.locator(".attention-list li").first.locator(".why")).to_contain_text("Tensión 5 de 5, no resuelta")
    for why in page.locator(".attention-list .why").all():
        assert why.evaluate("el => el.scrollHeight <= el.clientHeight + 1 && getComputedStyle(el).overflow == 'visible'")
    context.close()
