"""A blank form's page, rendered once per process for each set of things it shows, then filled in.

What differs between two patients' requests for the same blank form is four values: the link token
(in the addresses of the form and of the language switch), its forms' CSRF token (`link_csrf`),
the time the page was served and the session's date. The page is rendered with a marker in place
of each and kept; a request copies it with its own values put in. Rendered every time, the page
was about a third of a survey GET's time in the app (Jinja, Babel's lookups, url_for:
bench/RESULTS.md).

Only the link's own pages use this. The clinic tablet adds its idle return to every page it shows
(dashboards/kiosk), which this cache does not know about: its survey pages are the ones that set
`g.survey_url`, and survey.py renders those in full; its lock sends a tablet's every other page
(a /s/ link included) to the code screen. With templates reloaded on change (development),
nothing is kept, so an edit shows at once.
"""

from __future__ import annotations

import secrets
from collections.abc import Hashable, Mapping
from typing import Any

from flask import current_app, render_template
from markupsafe import escape

from feedback.i18n import page_language
from feedback.instruments.model import Instrument
from feedback.link_csrf import form_token

_RUN = secrets.token_hex(8)  # no text of a form, a clinic or a catalog can contain a marker by chance
TOKEN = f"zzToken{_RUN}"  # letters and digits: unchanged by url_for's quoting and by autoescape
_CSRF = f"zzCsrf{_RUN}"
_STARTED = f"zzStarted{_RUN}"
_DAY = f"zzDay{_RUN}"
_LIMIT = 256  # pages kept per process: forms × languages × clinics' texts; far more than a clinic has


def blank_form(
    instrument: Instrument, values: Mapping[str, Hashable], *, token: str, day: str, started: int
) -> str:
    """feedback/survey.html for a blank form. `values` are the template's values other than the
    instrument and the four per-request ones, built with `TOKEN` as the token; `token` is a checked
    link token (letters, digits, - and _), `day` the session's date as the page says it."""
    # An instrument's id and version name its text (a changed translation is a new version).
    key = (instrument.id, instrument.version, tuple(sorted(values.items())), page_language())
    pages: dict[Any, str] = current_app.extensions.setdefault("survey_blank_pages", {})
    page = pages.get(key)
    if page is None:
        page = render_template(
            "feedback/survey.html", instrument=instrument, **values, values={}, errors={},
            started=_STARTED, session_day=_DAY, csrf_token=lambda: _CSRF,
        )
        if not current_app.jinja_env.auto_reload:
            if len(pages) >= _LIMIT:
                pages.clear()
            pages[key] = page
    return (
        page.replace(TOKEN, str(escape(token)))
        .replace(_CSRF, form_token(token))  # letters, digits, - and _: nothing to escape
        .replace(_STARTED, str(int(started)))
        .replace(_DAY, str(escape(day)))
    )
