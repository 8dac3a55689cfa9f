"""The CSRF token of a survey link's forms, bound to the link instead of to a cookie.

Flask-WTF keeps a CSRF secret in the session cookie, so every first open of a link wrote a signed
cookie and every answer read one back: about a fifth of a survey page's work in the app
(bench/RESULTS.md), and a phone that refuses cookies could never send its answers. A link's forms
(`/s/<token>`, its outcome measures, its language switch) carry instead HMAC-SHA256(the link
token) under a key of their own derived from SECRET_KEY. A forged request needs the link token for
the address and this key for the field; whoever holds the link can already answer it, so a cookie
adds nothing here. The clinic tablet's pages (dashboards/kiosk) keep Flask-WTF's session token:
the tablet has a session of its own.
"""

from __future__ import annotations

import hmac

from flask import Blueprint, current_app, request
from flask_wtf.csrf import CSRFError

from feedback import tokens
from feedback.extensions import csrf

FIELD = "csrf_token"  # Flask-WTF's field name: the templates and the refusal page are shared


def form_token(link_token: str) -> str:
    """The CSRF token of this link's forms."""
    key = tokens.derive_key(current_app.config["SECRET_KEY"], b"survey-form-csrf")
    return tokens.token_for(key, link_token)


def protect(bp: Blueprint) -> None:
    """Check the link-bound token on the blueprint's POSTs, in place of Flask-WTF's session token."""
    csrf.exempt(bp)
    bp.before_request(_check)


def _check() -> None:
    config = current_app.config
    if request.method not in config["WTF_CSRF_METHODS"] or not config.get("WTF_CSRF_ENABLED", True):
        return
    link_token = (request.view_args or {}).get("token")
    if not isinstance(link_token, str):
        raise CSRFError("A form here must belong to a survey link.")  # no route is like that: none may slip by
    if not tokens.well_formed(link_token):
        return  # no such link: the view's lookup answers 404 before it changes anything
    sent = request.form.get(FIELD, "")
    if not hmac.compare_digest(form_token(link_token).encode(), sent.encode()):
        raise CSRFError("The CSRF token is missing or does not belong to this link.")
