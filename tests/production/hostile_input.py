"""One hostile input per form for the production smoke test (issue 16 §2): a marker and a NUL in a
text field of every form a clinician can reach, sent through gunicorn to PostgreSQL. Each must be
refused (422), and the marker must reach no log line."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Protocol

import pyotp

MARKER = "HOSTILE-MARKER-5Q7"
HOSTILE = MARKER + "\x00"
SECRET = re.compile(r'<code class="secret">([A-Z2-7 ]+)</code>')


class Browser(Protocol):
    def request(self, path: str, data: dict[str, str] | None = None) -> tuple[int, str, dict[str, str]]: ...

    def submit(self, page: str, data: dict[str, str], action: str | None = None) -> tuple[int, str, dict[str, str]]:
        ...


def sign_in(browser: Browser, email: str, password: str) -> dict[str, int]:
    """The first sign-in of an account: password, then an authenticator enrolled. On the way the
    sign-in and code forms are sent a hostile value each; their statuses, by form."""
    statuses = {"sign-in": browser.submit("/login", {"email": HOSTILE, "password": password})[0]}
    status, _, headers = browser.submit("/login", {"email": email, "password": password})
    assert status == 303 and headers["Location"].endswith("/login/enrol"), status
    status, page, _ = browser.submit("/login/enrol", {})
    secret = SECRET.search(page)
    assert status == 200 and secret, page[:500]
    statuses["second factor"] = browser.submit("/login/enrol", {"code": HOSTILE}, "/login/enrol/confirm")[0]
    code = pyotp.TOTP(secret.group(1).replace(" ", "")).now()
    assert browser.submit("/login/enrol", {"code": code}, "/login/enrol/confirm")[0] == 200
    return statuses


def send_everywhere(new_browser: Callable[[], Browser], accounts: dict[str, str], password: str,
                    code: str, signed_in: tuple[Browser, dict[str, int]] | None = None) -> dict[str, int]:
    """Sign in as each of `accounts` (role -> e-mail) and send each of their forms a hostile value;
    the statuses, by form (and by a hostile path and query parameter). `signed_in`: the therapist's
    browser already signed in by `sign_in`, with the statuses it returned."""
    patient = f"/patients/{code}"
    therapist, statuses = signed_in or (new_browser(), {})
    if signed_in is None:
        statuses = sign_in(therapist, accounts["therapist"], password)
    statuses = dict(statuses)
    statuses.update({
        "note": therapist.submit(patient, {"text": HOSTILE}, f"{patient}/notes")[0],
        "new patient": therapist.submit("/new-patient", {"code": HOSTILE, "language": "en"})[0],
        "session": therapist.submit(f"{patient}/sessions/new", {"day": HOSTILE, "start": "14:00",
                                                                "duration_minutes": "50", "attendance": "attended"})[0],
        "end treatment": therapist.submit(f"{patient}/end", {"reason": "completed", "ended_on": HOSTILE})[0],
        "change password": therapist.submit("/account", {"current": HOSTILE, "password": "x" * 16,
                                                         "confirm": "x" * 16}, "/account/password")[0],
        "password check": therapist.submit("/account", {"password": HOSTILE}, "/account/2fa")[0],
        "path parameter": therapist.request("/patients/%00")[0],
        "query parameter": therapist.request("/?risk=%00")[0],
    })
    director = new_browser()
    sign_in(director, accounts["director"], password)
    statuses["add account"] = director.submit("/clinic/therapists", {"email": HOSTILE, "display_name": "N"})[0]
    statuses["share"] = director.submit(patient, {"user_id": HOSTILE}, f"{patient}/shares")[0]
    admin = new_browser()
    sign_in(admin, accounts["admin"], password)
    statuses["break-glass"] = admin.submit("/admin/break-glass", {"patient_code": code, "reason": HOSTILE})[0]
    return statuses


#: What each answers: the field's message (422); unknown (404); sharing says why on the page it returns to (303).
EXPECTED = {form: 422 for form in ("sign-in", "second factor", "note", "new patient", "session", "end treatment",
                                   "change password", "password check", "query parameter", "add account",
                                   "break-glass")} | {"path parameter": 404, "share": 303}
