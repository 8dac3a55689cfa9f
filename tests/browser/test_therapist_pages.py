"""The therapist's pages in a real browser (Debian chromium), on the demo clinic, under the app's CSP:
sign in with password and authenticator code, find the unresolved-rupture patient at the top with a
badge saying why, open their page and see the charts drawn, at laptop and phone sizes; axe-core
finds no serious or critical problem on either page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.auth.conftest import enrol  # noqa: F401  (fixture)
from tests.browser.demo_support import RUPTURE_PATIENT, demo_therapist, sign_in  # noqa: F401  (fixture)
from tests.browser_support import DESKTOP, PHONE, assert_accessible, draw_every_chart

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_therapist_finds_the_rupture_at_the_top_and_its_charts_draw(browser, live_server, demo_therapist, size):  # noqa: F811
    context = browser.new_context(base_url=live_server, **(DESKTOP if size == "desktop" else PHONE))
    page = context.new_page()
    width = (DESKTOP if size == "desktop" else PHONE)["viewport"]["width"]
    try:
        sign_in(page, *demo_therapist)

        # The unresolved rupture comes first, with a badge that says why in words.
        first = page.locator(".caseload-table tbody tr").first
        expect(first.locator(".patient-code")).to_have_text(RUPTURE_PATIENT)
        expect(first.locator(".badge--high").first).to_have_text("High risk")
        badge = first.locator("details.flag summary").first
        expect(badge).to_contain_text("High · Unresolved rupture")
        reason = first.locator("details.flag .flag-reason").first
        expect(reason).to_be_hidden()
        badge.click()  # a tap or click opens the reason; hovering shows it as the summary's title
        expect(reason).to_be_visible()
        expect(reason).to_contain_text("tension")
        assert "not resolved" in (badge.get_attribute("title") or "")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert_accessible(page, f"home-{size}")

        first.locator(".patient-code").click()
        expect(page.get_by_role("heading", name=f"Patient {RUPTURE_PATIENT}")).to_be_visible()
        if size == "phone":  # secondary sections are folded on a phone
            for section in ("Alliance over the sessions", "Outcomes beside the alliance"):
                page.locator("details.fold > summary", has_text=section).click()
        draw_every_chart(page, 5)  # four alliance charts and the outcome trend
        assert page.locator(".chart .scatterlayer .trace").count() > 4
        # The guidance panel answers the flag.
        expect(page.locator("#guidance h2")).to_contain_text("confrontation rupture")
        # Charts follow the page's width: nothing wider than the screen.
        chart_width = page.eval_on_selector(".chart .main-svg", "el => el.getBoundingClientRect().width")
        assert 250 < chart_width <= width
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert_accessible(page, f"patient-{size}")
        assert page.evaluate("window.__csp") == []
    finally:
        context.close()


def test_a_session_added_on_a_phone_gives_a_link_to_copy(browser, live_server, demo_therapist):  # noqa: F811
    context = browser.new_context(base_url=live_server, **PHONE)
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    try:
        sign_in(page, *demo_therapist)
        page.goto(f"/patients/{RUPTURE_PATIENT}")
        page.get_by_role("link", name="Add a session").first.click()
        expect(page.get_by_role("heading", name=f"Add session 11 for {RUPTURE_PATIENT}")).to_be_visible()
        expect(page.locator("#attendance")).to_have_value("attended")  # date and hour are filled in: now
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert_accessible(page, "session-form-phone")
        page.get_by_role("button", name="Save the session").click()

        # Back on the patient page: the new session's patient form has a link to hand over (no SMS consent).
        expect(page.get_by_role("status").first).to_contain_text("Session 11 was saved")
        link = page.locator("#session-11 .handover input")
        value = link.input_value()
        assert value.startswith(live_server + "/s/")
        page.locator("#session-11 .copy-button").click()
        expect(page.locator("#session-11 .copy-status")).to_have_text("Link copied.")
        assert page.evaluate("navigator.clipboard.readText()") == value
        assert page.evaluate("window.__csp") == []
    finally:
        context.close()
