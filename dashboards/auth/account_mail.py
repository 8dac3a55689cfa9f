"""E-mails about accounts. A link that grants access goes only to the account's own address;
a change to a director's or admin's account is told to the clinic's other directors; an owner
hears when someone else resets their sign-in. No clinical content, ever. Each e-mail is written
in its recipient's language (their own, else their clinic's default).
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable

from flask import current_app
from sqlalchemy import select

from dashboards.auth.roles import role_name
from feedback.email_message import plain_message
from feedback.extensions import db
from feedback.i18n import gettext as _
from feedback.i18n import speaking
from feedback.links import external_url
from feedback.mail import configured_mailer, sender_address
from feedback.models import User
from feedback.translatable import N_

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
    """Who made the change, in the language being written."""
    if user is None:
        return _("the operator at the command line")
    return _("%(name)s (%(role)s)", name=user.display_name, role=role_name(user.role))


def _hello(user: User) -> str:
    return _("Hello %(name)s,", name=user.display_name)


def _send(to: str, subject: str, lines: list[str]) -> None:
    config = current_app.config
    try:
        configured_mailer(config).send(plain_message(sender_address(config), to, subject, lines))
    except (smtplib.SMTPException, OSError) as exc:
        log.warning("account e-mail not sent: %s", type(exc).__name__)  # no address, no link
        raise AccountMailError(type(exc).__name__) from None


def password_link(user: User, actor: User | None, link: str, hours: float, *, new_account: bool) -> None:
    """The link, to the account's owner only. Raises AccountMailError."""
    with speaking(user):
        who, clinic = _name(actor), user.clinic.name
        if new_account:
            opening = [_("%(who)s created an account for you at %(clinic)s in the alliance monitor.", who=who,
                         clinic=clinic)]
        else:
            opening = [
                _("%(who)s sent you a new link to set your password at %(clinic)s.", who=who, clinic=clinic),
                _("You have been signed out everywhere. If you did not ask for this, tell your clinic's director."),
            ]
        lines = [_hello(user), "", *opening, ""]
        lines += [_("Set your password here (the link works once, for %(hours)s hours):", hours=format(hours, "g")),
                  link, ""]
        lines += [_("You will then set up two-step sign-in with an authenticator app.")]
        subject = _("Set your password")
    _send(user.email, subject, lines)


def _quietly(to: str, subject: str, lines: list[str]) -> bool:
    """A notice whose failure must not undo the change it reports (logged by `_send`)."""
    try:
        _send(to, subject, lines)
    except AccountMailError:
        return False
    return True


def two_factor_reset(user: User, actor: User | None) -> bool:
    with speaking(user):
        subject = _("Your two-step sign-in was reset")
        lines = [_hello(user), "",
                 _("%(who)s reset your two-step sign-in at %(clinic)s.", who=_name(actor), clinic=user.clinic.name),
                 _("You have been signed out everywhere; at your next sign-in you set up your authenticator again."),
                 _("If you did not expect this, tell your clinic's director at once.")]
    return _quietly(user.email, subject, lines)


def password_link_shown(user: User, actor: User | None) -> bool:
    """The operator made a password link for an account in use: the owner hears of it."""
    with speaking(user):
        subject = _("A new password link was made for your account")
        lines = [_hello(user), "",
                 _("%(who)s made a new password link for you at %(clinic)s.", who=_name(actor),
                   clinic=user.clinic.name),
                 _("You have been signed out everywhere. If you did not ask for this, tell your clinic's director "
                   "at once.")]
    return _quietly(user.email, subject, lines)


def address_in_use(owner: User) -> bool:
    """Someone tried to add an account for an address that already has one (in another clinic)."""
    with speaking(owner):
        subject = _("Someone tried to create an account with your address")
        lines = [_hello(owner), "",
                 _("Someone tried to create a second account with this e-mail address in the alliance monitor."),
                 _("Nothing was changed, and no link was sent."),
                 _("If you expected this, ask them to use a different address.")]
    return _quietly(owner.email, subject, lines)


def other_directors(user: User, actor: User | None) -> list[User]:
    exclude = [u.id for u in (user, actor) if u is not None]
    query = select(User).where(
        User.clinic_id == user.clinic_id, User.role == "director", User.active, User.id.not_in(exclude)
    )
    return list(db.session.scalars(query))


def privileged_change(user: User, actor: User | None, what: str, directors: Iterable[User]) -> int:
    """Tell the clinic's other directors that a director's or admin's account was changed; how many were told.
    `what` is one of CHANGES' keys."""
    return sum(_quietly(d.email, *_privileged_words(d, user, actor, what)) for d in directors)


#: What was done to a privileged account, as the e-mail to the other directors says it.
CHANGES = {
    "created the account": N_("%(who)s created the account for %(name)s (%(role)s, %(email)s)."),
    "reset two-step sign-in": N_("%(who)s reset two-step sign-in for %(name)s (%(role)s, %(email)s)."),
    "made a new password link": N_("%(who)s made a new password link for %(name)s (%(role)s, %(email)s)."),
    "sent a new password link": N_("%(who)s sent a new password link for %(name)s (%(role)s, %(email)s)."),
}


def _privileged_words(director: User, user: User, actor: User | None, what: str) -> tuple[str, list[str]]:
    with speaking(director):
        role = role_name(user.role)
        subject = _("An account at %(clinic)s was changed: %(name)s (%(role)s)", clinic=user.clinic.name,
                    name=user.display_name, role=role)
        done = _(CHANGES[what], who=_name(actor), name=user.display_name, role=role, email=user.email)
        lines = [_hello(director), "", done, "",
                 _("That account can read every patient of the clinic. If you did not expect this, look at the "
                   "audit trail:"),
                 external_url("admin.audit_trail")]
    return subject, lines
