"""The lock: a browser in kiosk mode reaches the kiosk pages and static files, nothing else.

Runs before every request of the app. A page elsewhere (a clinician page, a survey link, sign-in)
sends the tablet back to the code screen; anything else is refused with 403. Once the device has
ended (left, or too old), its cookie is dropped and the browser is an ordinary one, signed in as
nobody.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, abort, has_request_context, redirect, request, session, url_for
from flask.typing import ResponseReturnValue

from dashboards.kiosk import device
from dashboards.security import STATIC_ENDPOINT


def lock() -> ResponseReturnValue | None:
    if device.COOKIE_KEY not in session:
        return None
    if device.from_cookie() is None:
        session.clear()
        return None
    if request.blueprint == "kiosk" or STATIC_ENDPOINT.search(request.endpoint or ""):
        return None
    if request.method == "GET":
        return redirect(url_for("kiosk.code_screen"), code=303)
    abort(403)


def template_values() -> dict[str, Any]:
    """`kiosk` for base.html: on a kiosk device every page carries the idle return."""
    if not has_request_context() or device.COOKIE_KEY not in session:
        return {}
    tablet = device.from_cookie()
    if tablet is None:
        return {}
    return {"kiosk": {"idle": int(device.idle_limit().total_seconds()), "patient": tablet.invitation_id is not None}}


def init_app(app: Flask) -> None:
    app.before_request(lock)
    app.context_processor(template_values)
