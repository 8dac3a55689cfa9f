"""Friendly error pages: a clear message and the right status, never a stack trace."""

from __future__ import annotations

import logging
import secrets

from flask import Flask, render_template, request
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from feedback.invitations import LinkCompleted, LinkExpired, LinkInvalid, LinkProblem

log = logging.getLogger(__name__)

LINK_PAGES = {
    LinkInvalid: (
        "This link doesn’t work",
        "Please check that you opened the whole link from your message. "
        "If it still doesn’t work, ask your clinic for a new one.",
    ),
    LinkExpired: (
        "This link has expired",
        "Links stay open for a few days after a session. Your clinic can send you a fresh one.",
    ),
    LinkCompleted: (
        "Already answered - thank you",
        "Your answers for this session were received. There is nothing more to do.",
    ),
}


def register(app: Flask) -> None:
    @app.errorhandler(LinkProblem)
    def link_problem(exc: LinkProblem) -> ResponseReturnValue:
        title, message = LINK_PAGES[type(exc)]
        return render_template("error.html", title=title, message=message, reference=None), exc.status

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError) -> ResponseReturnValue:
        return render_template(
            "error.html",
            title="Please try again",
            message=(
                "Your form had expired or came from elsewhere, so nothing was saved. "
                "Go back, reload the page and submit it again."
            ),
            reference=None,
        ), 400

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> ResponseReturnValue:
        return render_template(
            "error.html", title=f"{exc.code} {exc.name}", message=exc.description, reference=None
        ), exc.code or 500

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> ResponseReturnValue:
        # The reference ties the user's report to the log entry; the log has the details,
        # the page has none. Only method and path are logged: no form data or tokens.
        reference = secrets.token_hex(4).upper()
        path = request.url_rule.rule if request.url_rule else "?"
        log.exception("unhandled error ref=%s %s %s", reference, request.method, path)
        return render_template(
            "error.html",
            title="Something went wrong",
            message="Sorry, something went wrong on our side. Nothing you had already saved was lost.",
            reference=reference,
        ), 500
