"""The battery on a phone, in a real browser: the alliance form, then the PHQ-9 and the GAD-7, each
page with its progress, readable at 390 px without sideways scrolling, with axe finding nothing
serious; and the same flow without JavaScript."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from feedback.extensions import db
from feedback.models import OutcomeResponse, Response, SafetyAlert
from tests.browser_support import assert_accessible

pytestmark = pytest.mark.browser

BATTERY = [{"instrument": "phq-9", "every": "session"}, {"instrument": "gad-7", "every": "session"}]
ALLIANCE = {"bond_understood": "4", "bond_trust": "5", "task_useful": "4", "task_fit": "4", "goal_agree": "5",
            "goal_unclear": "1", "held_back": "2", "went_along": "2", "frustrated": "1"}


@pytest.fixture
def token(make_session, make_patient):
    patient = make_patient()
    patient.clinic.outcome_battery = BATTERY
    patient.clinic.crisis_text = {"en": "Call 999 if you are in danger now, or Samaritans free on 116 123."}
    db.session.commit()
    link = make_session(patient).links["patient"].token
    db.session.remove()
    return link


def _fits_the_phone(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    heights = page.locator(".point span, .choice span, button[type=submit]").evaluate_all(
        "els => els.filter(e => e.offsetParent).map(e => e.getBoundingClientRect().height)")
    assert heights and min(heights) >= 44


def _tap_all(page, answers: dict[str, str], click: str = "tap") -> None:
    for item, value in answers.items():
        getattr(page.locator(f'#q-{item} label:has(input[value="{value}"])'), click)()


def test_the_battery_on_a_phone(phone_page, token):
    page = phone_page
    page.goto(f"/s/{token}")
    expect(page.get_by_text("Form 1 of 3")).to_be_visible()
    _tap_all(page, ALLIANCE)
    page.locator('#q-rupture label:has(input[value="no"])').tap()
    page.get_by_role("button", name="Send and continue").tap()

    page.wait_for_url(f"**/s/{token}/phq-9")
    expect(page.get_by_text("Form 2 of 3")).to_be_visible()
    expect(page.get_by_role("heading", name="Patient Health Questionnaire (PHQ-9)")).to_be_visible()
    _fits_the_phone(page)
    assert_accessible(page, "battery-phq9")
    page.get_by_role("button", name="Send and continue").tap()  # nothing answered: each question named
    expect(page.get_by_role("alert")).to_contain_text("Please check 9 answers")
    assert_accessible(page, "battery-phq9-errors")
    _tap_all(page, {f"phq9_{i}": "1" for i in range(1, 9)} | {"phq9_9": "0"})
    page.locator('#q-phq9_difficulty label:has(input[value="somewhat"])').tap()
    page.get_by_role("button", name="Send and continue").tap()

    page.wait_for_url(f"**/s/{token}/gad-7")
    expect(page.get_by_text("Form 3 of 3")).to_be_visible()
    _fits_the_phone(page)
    assert_accessible(page, "battery-gad7")
    _tap_all(page, {f"gad7_{i}": "2" for i in range(1, 8)})
    page.get_by_role("button", name="Send my answers").tap()

    page.wait_for_url(f"**/s/{token}/thanks")
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    assert_accessible(page, "battery-thanks")
    stored = {r.instrument_id: r.scores for r in db.session.scalars(select(OutcomeResponse))}
    assert stored == {"phq-9": {"phq9": 8.0}, "gad-7": {"gad7": 14.0}}
    assert db.session.scalars(select(SafetyAlert)).all() == []


def test_after_a_risk_answer_the_next_pages_show_the_crisis_text_first(phone_page, token):
    page = phone_page
    page.goto(f"/s/{token}")
    _tap_all(page, ALLIANCE)
    page.locator('#q-rupture label:has(input[value="no"])').tap()
    page.get_by_role("button", name="Send and continue").tap()
    page.wait_for_url("**/phq-9")
    _tap_all(page, {f"phq9_{i}": "0" for i in range(1, 9)} | {"phq9_9": "1"})
    page.get_by_role("button", name="Send and continue").tap()
    page.wait_for_url("**/gad-7")
    crisis = page.get_by_role("alert", name="If you need help now")
    expect(crisis).to_contain_text("Samaritans free on 116 123")
    assert crisis.bounding_box()["y"] < page.get_by_text("Form 3 of 3").bounding_box()["y"]
    _fits_the_phone(page)
    assert_accessible(page, "battery-crisis")
    assert len(db.session.scalars(select(SafetyAlert)).all()) == 1  # before the last page is even sent


def test_the_battery_works_without_javascript(browser, live_server, token):
    context = browser.new_context(base_url=live_server, java_script_enabled=False,
                                  viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"/s/{token}")
    _tap_all(page, ALLIANCE, "click")
    page.locator('#q-rupture label:has(input[value="no"])').click()
    page.get_by_role("button", name="Send and continue").click()
    page.wait_for_url("**/phq-9")
    _tap_all(page, {f"phq9_{i}": "0" for i in range(1, 10)}, "click")
    page.get_by_role("button", name="Send and continue").click()
    page.wait_for_url("**/gad-7")
    page.go_back()  # the answered PHQ-9 is not shown again: on to what is left
    page.wait_for_url("**/gad-7")
    _tap_all(page, {f"gad7_{i}": "0" for i in range(1, 8)}, "click")
    page.get_by_role("button", name="Send my answers").click()
    page.wait_for_url("**/thanks")
    context.close()
    assert len(db.session.scalars(select(Response)).all()) == 1
    assert sorted(r.instrument_id for r in db.session.scalars(select(OutcomeResponse))) == ["gad-7", "phq-9"]
