"""E-mails about accounts. A link that grants access goes only to the account's own address;
a change to a director's or admin's account is told to the clinic's other directors; an owner
hears when someone else resets their sign-in. No clinical content, ever.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable

from flask import current_app
from sqlalchemy import select

from feedback.email_message import plain_message
from feedback.extensions import db
from feedback.links import external_url
from feedback.mail import configured_mailer, sender_address
from feedback.models import User

log = logging.getLogger(__name__)

#: Roles whose accounts can read every patient of a clinic: changes to them are told to the directors.
PRIVILEGED = ("director", "admin")


class AccountMailError(RuntimeError):
    """The e-mail could not be handed to the mail server."""


def masked(email: str) -> str:
    """'l…@northside.example': enough for the sender to recognise the address, not to learn it."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}…@{domain}"


def _name(user: User | None) -> str:
    return f"{user.display_name} ({user.role})" if user else "the operator at the command line"


def _send(to: str, subject: str, lines: list[str]) -> None:
    config = current_app.config
    try:
        configured_mailer(config).send(plain_message(sender_address(config), to, subject, lines))
    except (smtplib.SMTPException, OSError) as exc:
        log.warning("account e-mail not sent: %s", type(exc).__name__)  # no address, no link
        raise AccountMailError(type(exc).__name__) from None


def password_link(user: User, actor: User | None, link: str, hours: float, *, new_account: bool) -> None:
    """The link, to the account's owner only. Raises AccountMailError."""
    if new_account:
        opening = [f"{_name(actor)} created an account for you at {user.clinic.name} in the alliance monitor."]
    else:
        opening = [
            f"{_name(actor)} sent you a new link to set your password at {user.clinic.name}.",
            "You have been signed out everywhere. If you did not ask for this, tell your clinic's director.",
        ]
    lines = [f"Hello {user.display_name},", "", *opening, ""]
    lines += [f"Set your password here (the link works once, for {hours:g} hours):", link, ""]
    lines += ["You will then set up two-step sign-in with an authenticator app."]
    _send(user.email, "Set your password", lines)


def _quietly(to: str, subject: str, lines: list[str]) -> bool:
    """A notice whose failure must not undo the change it reports (logged by `_send`)."""
    try:
        _send(to, subject, lines)
    except AccountMailError:
        return False
    return True


def two_factor_reset(user: User, actor: User | None) -> bool:
    return _quietly(
        user.email,
        "Your two-step sign-in was reset",
        [f"Hello {user.display_name},", "", f"{_name(actor)} reset your two-step sign-in at {user.clinic.name}.",
         "You have been signed out everywhere; at your next sign-in you set up your authenticator again.",
         "If you did not expect this, tell your clinic's director at once."],
    )


def password_link_shown(user: User, actor: User | None) -> bool:
    """The operator made a password link for an account in use: the owner hears of it."""
    return _quietly(
        user.email,
        "A new password link was made for your account",
        [f"Hello {user.display_name},", "", f"{_name(actor)} made a new password link for you at {user.clinic.name}.",
         "You have been signed out everywhere. If you did not ask for this, tell your clinic's director at once."],
    )


def address_in_use(owner: User) -> bool:
    """Someone tried to add an account for an address that already has one (in another clinic)."""
    return _quietly(
        owner.email,
        "Someone tried to create an account with your address",
        [f"Hello {owner.display_name},", "", "Someone tried to create a second account with this e-mail address",
         "in the alliance monitor. Nothing was changed, and no link was sent.",
         "If you expected this, ask them to use a different address."],
    )


def other_directors(user: User, actor: User | None) -> list[User]:
    exclude = [u.id for u in (user, actor) if u is not None]
    query = select(User).where(
        User.clinic_id == user.clinic_id, User.role == "director", User.active, User.id.not_in(exclude)
    )
    return list(db.session.scalars(query))


def privileged_change(user: User, actor: User | None, what: str, directors: Iterable[User]) -> int:
    """Tell the clinic's other directors that a director's or admin's account was changed; how many were told."""
    subject = f"A {user.role} account at {user.clinic.name} was changed"
    body = [
        f"{_name(actor)} {what} for {user.display_name} ({user.role}, {user.email}).",
        "",
        "That account can read every patient of the clinic. If you did not expect this, look at the audit trail:",
        external_url("admin.audit_trail"),
    ]
    return sum(_quietly(d.email, subject, [f"Hello {d.display_name},", "", *body]) for d in directors)
