"""Driving the clinic tablet in a real browser: sign in, open kiosk mode, make a code on the
patient's page, type it on the tablet. Used by test_kiosk_tablet.py and test_small_screens.py."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from dashboards.kiosk import codes
from feedback import invitations
from feedback.battery.store import record_outcome
from feedback.extensions import db
from feedback.instruments.registry import registry
from feedback.models import Invitation

ALLIANCE = {"bond_understood": "4", "bond_trust": "5", "task_useful": "4", "task_fit": "4", "goal_agree": "5",
            "goal_unclear": "1", "held_back": "2", "went_along": "2", "frustrated": "1", "rupture": "no"}
Look = Callable[[object, str], None]
#: The tablet's pages (test_small_screens.py sweeps them with `sweep_tablet`).
TABLET_PAGES = {"dashboards.kiosk_open", "kiosk.code_screen", "kiosk.form", "kiosk.outcome_form", "kiosk.thanks",
                "kiosk.leave", "kiosk.leave_second_factor"}


def sign_in(page, email: str, password: str, authenticator, look: Look | None = None) -> None:
    """Through /login and /login/2fa (or, on the tablet, through /kiosk/leave and its second step)."""
    (look or _nothing)(page, page.url)
    page.fill("#email", email)
    page.fill("#password", password)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(lambda url: url.endswith("/2fa"))
    (look or _nothing)(page, page.url)
    page.fill("#code", authenticator.now())
    page.locator("button[type=submit]").click()
    page.wait_for_url(lambda url: "/login" not in url and "/leave" not in url)


def open_kiosk(page, look: Look | None = None) -> None:
    page.goto("/kiosk/open")
    (look or _nothing)(page, "/kiosk/open")
    page.get_by_role("button", name="Open kiosk mode on this device").click()
    page.wait_for_url("**/kiosk")


def make_code(page, patient: str, look: Look | None = None) -> str:
    """On the therapist's own browser: the code for the patient's open questionnaire."""
    page.goto(f"/patients/{patient}")
    page.locator("details.fold").first.evaluate("el => el.open = true")
    page.locator("form[action$='/kiosk-code'] button").first.click()
    page.wait_for_url("**/kiosk-code")
    (look or _nothing)(page, "kiosk-code")
    return page.locator("#kiosk-code").inner_text().replace(" ", "")


def enter_code(page, code: str) -> None:
    page.goto("/kiosk")
    page.fill("#code", code)
    page.get_by_role("button", name="Start").click()
    page.wait_for_url("**/kiosk/survey**")


def tap_all(page, answers: dict[str, str]) -> None:
    for item, value in answers.items():
        page.locator(f'#q-{item} label:has(input[value="{value}"])').click()


def _nothing(page, where: str) -> None:
    return None


def sweep_tablet(page, look: Look, survey_path: str, battery_path: str, email: str, password: str) -> set[str]:
    """Every page of the tablet, `look`ed at once: `page` is a therapist's signed-in browser, who
    opens kiosk mode; the codes are made here for the patient's open link (`survey_path`) and for
    a battery whose alliance form is answered (`battery_path`, an outcome measure's page)."""
    def code_for(path: str) -> str:
        link = invitations.resolve(urlsplit(path).path.split("/")[2], answered=True)
        invitation = db.session.get_one(Invitation, link.id)
        return codes.issue(invitation, invitation.session.therapist).code

    open_kiosk(page, look)
    look(page, "/kiosk")
    enter_code(page, code_for(survey_path))
    look(page, "/kiosk/survey")
    enter_code(page, code_for(battery_path))
    page.wait_for_url("**/kiosk/survey/*")
    look(page, page.url)
    invitation = invitations.resolve(urlsplit(battery_path).path.split("/")[2], answered=True)
    for measure, items in (("phq-9", 9), ("gad-7", 7)):
        prefix = measure.replace("-", "")
        record_outcome(invitation, registry().get(measure), {f"{prefix}_{i}": 0 for i in range(1, items + 1)})
    page.goto("/kiosk/thanks")
    look(page, "/kiosk/thanks")
    page.goto("/kiosk/leave")
    page.fill("#email", email)
    page.fill("#password", password)
    look(page, "/kiosk/leave")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/kiosk/leave/2fa")
    look(page, "/kiosk/leave/2fa")
    return set(TABLET_PAGES)
