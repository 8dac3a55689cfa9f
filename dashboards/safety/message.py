"""The safety alert e-mails: that one is waiting, and a link. No patient code, no answer, no
question, no name of an instrument: an inbox is read on phones, shared screens and lock screens."""

from __future__ import annotations

from email.message import EmailMessage

from feedback.email_message import plain_message

WAITING_SUBJECT = "A safety alert is waiting on the dashboard"
ESCALATED_SUBJECT = "A safety alert has not been acknowledged"


def waiting(sender: str, to: list[str], clinic: str, link: str) -> EmailMessage:
    """To the patient's therapist and the clinic's on-call addresses, as soon as the alert is raised."""
    lines = [
        "Hello,",
        "",
        "A safety alert is waiting on the dashboard for one of the patients you are responsible for.",
        "It stays at the top of the dashboard until a clinician acknowledges it and records what was done.",
        "",
        "Sign in to see it:",
        link,
        "",
        "This e-mail carries no patient details.",
        f"You receive it as the patient's therapist or as an on-call address of {clinic}.",
    ]
    return plain_message(sender, ", ".join(to), WAITING_SUBJECT, lines)


def escalated(sender: str, to: list[str], clinic: str, link: str, hours: float) -> EmailMessage:
    """To the clinic's directors, once, when nobody acknowledged the alert in time."""
    lines = [
        "Hello,",
        "",
        f"A safety alert has waited {hours:g} clinic hours without being acknowledged.",
        "The patient's therapist and the on-call addresses were told when it was raised.",
        "",
        "Sign in to see it and to make sure someone acts on it:",
        link,
        "",
        "This e-mail carries no patient details.",
        f"You receive it as a director of {clinic}.",
    ]
    return plain_message(sender, ", ".join(to), ESCALATED_SUBJECT, lines)
