"""The clinic tablet in kiosk mode (docs/kiosk.md): a clinician turns a signed-in browser into a
kiosk device (`clinician.py`), which the lock (`lock.py`) keeps to the kiosk pages; patients open
their questionnaire there with a one-time code (`codes.py`, `views.py`); a clinician's sign-in
ends it (`leave.py`). The device and its patient part: `device.py`."""

from __future__ import annotations

from flask import Flask

from dashboards.kiosk import clinician, leave, lock  # noqa: F401  (routes on the clinician and kiosk blueprints)
from dashboards.kiosk.views import bp


def register(app: Flask) -> None:
    lock.init_app(app)
    app.register_blueprint(bp)
