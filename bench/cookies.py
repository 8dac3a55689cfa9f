"""Signed Flask session cookies for the load generator, made with the app's own SECRET_KEY.

wrk cannot sign in (password, then a TOTP code), so the bench creates the server-side sign-in
row directly, as a completed sign-in with a second factor would leave it, and signs the cookie
the way the app would. Over plain HTTP on loopback wrk still sends the production cookie
(`__Host-session`, Secure) because the bench sets the Cookie header itself.
"""

from __future__ import annotations

from flask import Flask, session
from flask_login import login_user

from dashboards.auth import sessions
from feedback.extensions import db
from feedback.models import User, utcnow


def _cookie_header(app: Flask) -> str:
    value = app.session_interface.get_signing_serializer(app).dumps(dict(session))
    return f"{app.config['SESSION_COOKIE_NAME']}={value}"


def clinician_cookie(app: Flask, user_id: int) -> str:
    """A Cookie header value for a fresh, fully signed-in (second factor proven) session of the user."""
    now = utcnow()
    user = db.session.get(User, user_id)
    assert user is not None, f"no user {user_id}"
    login, _ = sessions.start(user, "127.0.0.1", now)
    token = sessions.verify(login, "totp", now)
    db.session.commit()
    with app.test_request_context():
        sessions.write_cookie(token)
        login_user(user)
        return _cookie_header(app)
