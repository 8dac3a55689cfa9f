"""The demo clinic in the browser tests: its first therapist, enrolled with an authenticator, signed
in through the real forms under the app's CSP (violations collected in window.__csp)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from dashboards.demo import clinic as demo
from feedback.extensions import db
from feedback.models import User

RUPTURE_PATIENT = "NS-103"  # the demo's unresolved rupture (dashboards/demo/clinic.py)
COLLECT_VIOLATIONS = """window.__csp = [];
document.addEventListener("securitypolicyviolation", e => window.__csp.push(
  [e.violatedDirective, e.sourceFile, e.lineNumber, e.sample].join(" ")));"""


@pytest.fixture
def demo_therapist(app, enrol):
    """The demo clinic, and its first therapist with an authenticator (DEV_SKIP_2FA is off in tests)."""
    demo.seed()
    therapist = db.session.scalar(select(User).where(User.email == demo.THERAPISTS[0][0]))
    authenticator, email = enrol(therapist), therapist.email
    db.session.remove()
    return email, authenticator


def sign_in(page, email: str, authenticator) -> None:
    page.add_init_script(COLLECT_VIOLATIONS)
    page.goto("/login")
    page.fill("#email", email)
    page.fill("#password", demo.PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.fill("#code", authenticator.now())
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Your caseload")).to_be_visible()
