"""The safety alert e-mails: that one is waiting, and a link. No patient code, no answer, no
question, no name of an instrument: an inbox is read on phones, shared screens and lock screens.

Written in the recipients' language: the caller passes `say`, its gettext for that language
(`notify.py` groups the recipients by language); without one the text stays English."""

from __future__ import annotations

from collections.abc import Callable
from email.message import EmailMessage

from feedback.email_message import plain_message
from feedback.translatable import N_

#: gettext in the recipients' language: (English text, **placeholders) -> their text.
Say = Callable[..., str]

WAITING_SUBJECT = N_("A safety alert is waiting on the dashboard")
ESCALATED_SUBJECT = N_("A safety alert has not been acknowledged")


def english(message: str, **params: object) -> str:
    return message % params if params else message


def waiting(sender: str, to: list[str], clinic: str, link: str, say: Say = english) -> EmailMessage:
    """To the patient's therapist and the clinic's on-call addresses, as soon as the alert is raised."""
    lines = [
        say(N_("Hello,")),
        "",
        say(N_("A safety alert is waiting on the dashboard for one of the patients you are responsible for.")),
        say(N_("It stays at the top of the dashboard until a clinician acknowledges it and records what was done.")),
        "",
        say(N_("Sign in to see it:")),
        link,
        "",
        say(N_("This e-mail carries no patient details.")),
        say(N_("You receive it as the patient's therapist or as an on-call address of %(clinic)s."), clinic=clinic),
    ]
    return plain_message(sender, ", ".join(to), say(WAITING_SUBJECT), lines)


def escalated(sender: str, to: list[str], clinic: str, link: str, hours: float, say: Say = english) -> EmailMessage:
    """To the clinic's directors, once, when nobody acknowledged the alert in time."""
    lines = [
        say(N_("Hello,")),
        "",
        say(N_("A safety alert has waited %(hours)s clinic hours without being acknowledged."), hours=f"{hours:g}"),
        say(N_("The patient's therapist and the on-call addresses were told when it was raised.")),
        "",
        say(N_("Sign in to see it and to make sure someone acts on it:")),
        link,
        "",
        say(N_("This e-mail carries no patient details.")),
        say(N_("You receive it as a director of %(clinic)s."), clinic=clinic),
    ]
    return plain_message(sender, ", ".join(to), say(ESCALATED_SUBJECT), lines)
