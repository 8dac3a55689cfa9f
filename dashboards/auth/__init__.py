"""Clinician authentication: who is signed in, and how they sign in.

Settings (app.config; defaults in brackets):

- IDLE_LOGOUT_MINUTES [15], SESSION_MAX_HOURS [12]: a session ends after this long without a
  request, and this long after sign-in in any case.
- LOGIN_FAILURES_PER_IP [20]: refused attempts per address per 15 minutes before that address must wait.
- PASSWORD_LINK_HOURS [72]: how long a set-password link works.
- TOTP_ISSUER ["Alliance Monitor"]: the name shown in the authenticator app.
- DEV_SKIP_2FA [off]: development only (APP_ENV=development). Accounts with no authenticator
  sign in with the password alone, for the demo. Ignored in testing; refused in production.
"""

from __future__ import annotations

from flask import Flask, flash, g, jsonify, redirect, request, session, url_for
from flask.typing import ResponseReturnValue

from dashboards.auth import sessions
from feedback.config import ConfigError, setting_on
from feedback.extensions import login_manager
from feedback.i18n import gettext as _
from feedback.models import User

DEFAULTS = {
    "IDLE_LOGOUT_MINUTES": 15,
    "SESSION_MAX_HOURS": 12,
    "LOGIN_FAILURES_PER_IP": 20,
    "PASSWORD_LINK_HOURS": 72,
    "DEV_SKIP_2FA": False,
}


def init_app(app: Flask) -> None:
    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    if app.config.get("APP_ENV") == "production" and setting_on(app.config["DEV_SKIP_2FA"], "DEV_SKIP_2FA"):
        raise ConfigError("DEV_SKIP_2FA is for development only; remove it from the production environment")

    login_manager.login_view = "auth.login"
    login_manager.user_loader(load_user)
    login_manager.unauthorized_handler(unauthorized)


def load_user(user_id: str) -> User | None:
    """Flask-Login's loader: the user only if the cookie's server-side session is live and theirs."""
    login = sessions.current()
    if login is None or str(login.user_id) != user_id:
        return None
    g.login_session = login
    return login.user


def wants_json() -> bool:
    return request.path.endswith(".json") or request.accept_mimetypes.best == "application/json"


def unauthorized() -> ResponseReturnValue:
    """Not signed in (or the session ended): JSON gets 401, pages go to sign-in and come back."""
    if wants_json():
        return jsonify(error="sign-in required"), 401
    if session.get(sessions.COOKIE_KEY):
        if sessions.pending() is not None:  # password given, second factor still due
            return redirect(url_for("auth.second_factor"))
        session.pop(sessions.COOKIE_KEY)
        flash(_("Your session has ended. Please sign in again."))
    next_url = request.full_path.rstrip("?") if request.method == "GET" else None
    return redirect(url_for("auth.login", next=next_url), code=302 if request.method == "GET" else 303)

