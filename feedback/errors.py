"""Friendly error pages: a clear message and the right status, never a stack trace."""

from __future__ import annotations

import contextlib
import logging
import secrets
import traceback

from flask import Flask, current_app, g, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from feedback.extensions import db
from feedback.i18n import gettext as _
from feedback.i18n import translated, use_browser_language
from feedback.invitations import LinkCompleted, LinkExpired, LinkInvalid, LinkProblem, resolve, speak_for
from feedback.models import Invitation
from feedback.phrases import Phrase
from feedback.survey_link import SurveyLink
from feedback.translatable import N_

log = logging.getLogger(__name__)

SURVEY_BLUEPRINTS = ("survey", "survey_language")  # the pages at a link's address, /s/<token>…
LINK_PAGES = {
    LinkInvalid: (
        N_("This link doesn’t work"),
        N_("Please check that you opened the whole link from your message. "
           "If it still doesn’t work, ask your clinic for a new one."),
    ),
    LinkExpired: (
        N_("This link has expired"),
        N_("Links stay open for a few days after a session. Your clinic can send you a fresh one."),
    ),
    LinkCompleted: (
        N_("Already answered - thank you"),
        N_("Your answers for this session were received. There is nothing more to do."),
    ),
}
#: The words for the statuses a person may meet, in their language; werkzeug's are English only.
STATUS_PAGES = {
    400: (N_("Bad request"), N_("The page could not understand what was sent. Please go back and try again.")),
    403: (N_("Not allowed"), N_("You are not allowed to see this page.")),
    404: (N_("Page not found"), N_("There is no page at this address. Please check the link.")),
    405: (N_("Not allowed"), N_("This page cannot be used this way.")),
    413: (N_("Too large"), N_("What was sent is too large.")),
    422: (N_("Not accepted"), N_("Something in what was sent could not be accepted. Please go back and check it.")),
    429: (N_("Too many tries"), N_("Please wait a minute and try again.")),
}


def register(app: Flask) -> None:
    @app.errorhandler(LinkProblem)
    def link_problem(exc: LinkProblem) -> ResponseReturnValue:
        title, message = LINK_PAGES[type(exc)]
        _speak_to_link_holder(exc.invitation)
        return render_template("error.html", title=_(title), message=_(message), reference=None), exc.status

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError) -> ResponseReturnValue:
        _speak_to_the_requester(exc)  # refused before the view: a link is looked up
        return csrf_page()

    app.register_error_handler(HTTPException, http_error_page)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> ResponseReturnValue:
        # The reference ties the user's report to the log entry. The entry has the route's
        # pattern (no codes or tokens), the exception's type and where it was raised, never its
        # message: a database error quotes the failing row (a note, an answer, an e-mail address).
        reference = secrets.token_hex(4).upper()
        path = request.url_rule.rule if request.url_rule else "?"
        log.error("unhandled error ref=%s %s %s: %s\n%s", reference, request.method, path, kind_of(exc), where(exc))
        with contextlib.suppress(Exception):
            db.session.rollback()  # a failed transaction would also fail the error page's queries
            _speak_to_someone_not_known()
        return render_template(
            "error.html",
            title=_("Something went wrong"),
            message=_("Sorry, something went wrong on our side. Nothing you had already saved was lost."),
            reference=reference,
        ), 500


def csrf_page() -> ResponseReturnValue:
    """A form refused for its CSRF token, in the language the caller chose for the page."""
    message = _("Your form had expired or came from elsewhere, so nothing was saved. "
                "Go back, reload the page and submit it again.")
    return render_template("error.html", title=_("Please try again"), message=message, reference=None), 400


def _speak_to_link_holder(invitation: SurveyLink | Invitation | None) -> None:
    """A survey link's error page in the respondent's language when the link was found; else the
    browser's preferred language, if it ships (nobody is known from a bad link)."""
    if invitation is not None:
        speak_for(invitation)
    else:
        use_browser_language()


def _link_token(exc: HTTPException) -> str | None:
    """The token of a request to a survey link's page, also of one the router refused for its method
    (405: the address is a link's, so its page can still speak the patient's language)."""
    endpoint, args = request.endpoint, request.view_args
    if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
        try:
            endpoint, args = current_app.create_url_adapter(request).match(method=exc.valid_methods[0])
        except HTTPException:
            return None
    if (endpoint or "").split(".")[0] not in SURVEY_BLUEPRINTS:
        return None
    token = (args or {}).get("token")
    return token if isinstance(token, str) else None


def _requested_link(token: str) -> SurveyLink | Invitation | None:
    try:
        return resolve(token, answered=True)
    except LinkProblem as exc:
        return exc.invitation
    except SQLAlchemyError:  # the page still says what happened, in the browser's language
        db.session.rollback()
        return None


def _speak_to_someone_not_known() -> None:
    """A page that chose no language, to someone not signed in: the browser's, if it ships. What
    i18n.select_language would choose, but decided here so that an error page cannot itself fail on
    the user's lookup (a database that is down); the choice is then fixed for the render."""
    if g.get("language") is not None:
        return
    try:
        signed_in = bool(current_user.is_authenticated)  # loads the user: a query
    except SQLAlchemyError:
        db.session.rollback()
        signed_in = False
    if not signed_in:
        use_browser_language()


def _speak_to_the_requester(exc: HTTPException) -> None:
    """A refusal's page in the language of a survey link's patient when the address is a link's
    (a form without its token, 405, 413), else of someone not known."""
    token = _link_token(exc)
    if token is not None:
        _speak_to_link_holder(_requested_link(token))
    else:
        _speak_to_someone_not_known()


def http_error_page(exc: HTTPException) -> ResponseReturnValue:
    _speak_to_the_requester(exc)
    title, message = f"{exc.code} {exc.name}", exc.description
    if exc.code in STATUS_PAGES:
        words = STATUS_PAGES[exc.code]
        title = f"{exc.code} {translated(words[0])}"
        # werkzeug's English default is replaced; a view's own description is kept, a phrase said here.
        if exc.description == type(exc).description:
            message = translated(words[1])
        elif isinstance(exc.description, Phrase):
            message = translated(exc.description)
    return render_template("error.html", title=title, message=message, reference=None), exc.code or 500


def kind_of(exc: BaseException) -> str:
    """The exception's type, and its cause's (the driver's error under SQLAlchemy's)."""
    kinds = [exc] + ([exc.__cause__] if exc.__cause__ is not None else [])
    return " from ".join(f"{type(e).__module__}.{type(e).__qualname__}" for e in kinds)


def where(exc: BaseException) -> str:
    """The stack where it was raised: files, lines and source code, no values."""
    return "".join(traceback.format_tb(exc.__traceback__)).rstrip()
