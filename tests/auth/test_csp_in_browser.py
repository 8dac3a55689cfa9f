"""The Content-Security-Policy in a real browser: the pages work and nothing is refused.

Fixtures `browser` and `live_server` come from tests/browser_support.py (a plugin of tests/conftest.py).
"""

from __future__ import annotations

import pyotp
import pytest

from feedback.extensions import db
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.browser


def violations(browser, live_server, path: str) -> list[str]:
    context = browser.new_context(base_url=live_server)
    page = context.new_page()
    messages: list[str] = []
    page.on("console", lambda m: messages.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(path)
    page.wait_for_load_state("load")
    context.close()
    return messages


def test_sign_in_page_runs_under_the_policy(browser, live_server):
    assert violations(browser, live_server, "/login") == []


def test_survey_page_runs_under_the_policy(browser, live_server, make_session):
    token = make_session().links["patient"].token
    db.session.remove()
    assert violations(browser, live_server, f"/s/{token}") == []


def test_first_sign_in_with_enrolment_in_a_browser(browser, live_server, make_user):
    email = make_user("director").email
    db.session.remove()
    context = browser.new_context(base_url=live_server)
    page = context.new_page()
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto("/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Show my setup code").click()
    assert page.locator(".qr svg").is_visible()
    secret = page.locator("code.secret").inner_text().replace(" ", "")
    page.get_by_label("Code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Confirm").click()
    assert page.locator("ol.codes li").count() == 10
    page.get_by_role("link", name="I have saved them").click()
    page.wait_for_url(f"{live_server}/")
    for path in ("/account", "/clinic/therapists", "/clinic/audit"):
        page.goto(path)
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login")
    context.close()
    assert refused == []
