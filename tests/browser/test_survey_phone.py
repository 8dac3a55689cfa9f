"""The patient's questionnaire on a phone, in a real browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from feedback.extensions import db
from feedback.models import Response
from tests.browser_support import assert_accessible

pytestmark = pytest.mark.browser


def test_patient_fills_in_and_submits_on_a_phone(phone_page, make_session):
    token = make_session().links["patient"].token
    db.session.remove()
    page = phone_page
    page.goto(f"/s/{token}")
    assert page.get_by_text("Who sees your answers").is_visible()
    # Follow-ups stay hidden until "yes" is tapped (progressive enhancement).
    assert page.locator("#q-rupture_tension").is_hidden()

    for item, value in [("bond_understood", "4"), ("bond_trust", "5"), ("task_useful", "4"), ("task_fit", "4"),
                        ("goal_agree", "5"), ("goal_unclear", "1")]:
        page.locator(f'#q-{item} label:has(input[value="{value}"])').tap()
    page.locator('#q-rupture label:has(input[value="yes"])').tap()
    assert page.locator("#q-rupture_tension").is_visible()
    page.locator('#q-rupture_tension label:has(input[value="3"])').tap()
    page.locator('#q-rupture_resolved label:has(input[value="2"])').tap()
    for item in ("held_back", "went_along", "frustrated"):
        page.locator(f'#q-{item} label:has(input[value="2"])').tap()
    page.locator("#in-comment").fill("Felt a bit dismissed <b>today</b>")

    # Readable at phone width without zooming: nothing wider than the viewport.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # Tap targets at least 44 px high.
    heights = page.locator(".point span, .choice span, button[type=submit]").evaluate_all(
        "els => els.filter(e => e.offsetParent).map(e => e.getBoundingClientRect().height)")
    assert heights and min(heights) >= 44

    page.get_by_role("button", name="Send my answers").tap()
    page.wait_for_url("**/s/thanks")
    assert page.get_by_role("heading", name="Thank you").is_visible()

    stored = db.session.scalars(select(Response)).one()
    assert stored.answers["rupture"] is True and stored.answers["rupture_resolved"] == 2
    assert stored.answers["comment"] == "Felt a bit dismissed <b>today</b>"
    assert stored.scores["bond"] == 4.5


def test_missing_answer_is_shown_and_input_kept(phone_page, make_session):
    token = make_session().links["patient"].token
    db.session.remove()
    page = phone_page
    page.goto(f"/s/{token}")
    page.locator('#q-bond_understood label:has(input[value="2"])').tap()
    page.get_by_role("button", name="Send my answers").tap()
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.get_by_role("alert")).to_be_focused()
    assert page.locator('#q-bond_understood input[value="2"]').is_checked()
    # Each line of the summary names its question; answering one clears its red mark at once.
    expect(page.get_by_role("alert")).to_contain_text("“I feel I can be open with my therapist.”: Please answer")
    question = page.locator("#q-bond_trust")
    expect(question).to_have_class("q has-error")
    page.locator('#q-bond_trust label:has(input[value="4"])').tap()
    expect(question).not_to_have_class("q has-error")
    expect(question.locator("p.error")).to_be_hidden()


def test_survey_works_without_javascript(browser, live_server, make_session):
    token = make_session().links["patient"].token
    db.session.remove()
    context = browser.new_context(base_url=live_server, java_script_enabled=False, viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(f"/s/{token}")
    assert page.locator("#q-rupture_tension").is_visible()  # no JS: follow-ups shown with a hint
    for item in ("bond_understood", "bond_trust", "task_useful", "task_fit", "goal_agree", "goal_unclear",
                 "held_back", "went_along", "frustrated"):
        page.locator(f'#q-{item} label:has(input[value="3"])').click()
    page.locator('#q-rupture label:has(input[value="no"])').click()
    page.get_by_role("button", name="Send my answers").click()
    page.wait_for_url("**/s/thanks")
    context.close()
    assert db.session.scalars(select(Response)).one().answers["rupture"] is False


def test_survey_page_is_accessible(phone_page, make_session):
    token = make_session().links["patient"].token
    db.session.remove()
    phone_page.goto(f"/s/{token}")
    assert_accessible(phone_page, "survey")
    phone_page.locator('#q-rupture label:has(input[value="yes"])').tap()
    phone_page.get_by_role("button", name="Send my answers").tap()  # error state too
    expect(phone_page.get_by_role("alert")).to_be_visible()
    assert_accessible(phone_page, "survey-errors")

