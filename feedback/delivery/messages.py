"""The SMS texts: invitation, reminder, fresh link and the HELP reply.

An SMS can be read by anyone who picks up the phone, so a text says nothing clinical: a neutral
sender name (the clinic can choose it), a neutral greeting, the link and how to opt out. Each
text must fit one SMS segment (160 GSM-7 characters); a longer or non-GSM-7 text would be split
or sent as UCS-2 (70 characters a segment) and cost several messages.
"""

from __future__ import annotations

from typing import Literal

LinkKind = Literal["invitation", "reminder", "fresh_link"]

DEFAULT_SENDER_NAME = "Your clinic"
SEGMENT_LIMIT = 160
OPT_OUT = "Reply STOP to opt out"
# A link as the app builds it (base URL + "/s/" + a 43-character token), for checks made
# before any real link exists.
TYPICAL_LINK = "https://clinic.example.org/s/" + "x" * 43

LINK_TEXTS: dict[LinkKind, str] = {
    "invitation": "Hi, a 1-minute questionnaire for you:",
    "reminder": "Reminder: your questionnaire is open:",
    "fresh_link": "Your last link expired. New link:",
}

# GSM 03.38: the basic alphabet (one septet each, escape excluded) and the extension table
# (an escape plus one septet each).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = frozenset("^{}\\[~]|€\f")


def gsm7_length(text: str) -> int | None:
    """Length in GSM-7 septets, or None if `text` has a character GSM-7 cannot carry."""
    length = 0
    for char in text:
        if char in GSM7_BASIC:
            length += 1
        elif char in GSM7_EXTENDED:
            length += 2
        else:
            return None
    return length


def render(kind: LinkKind, link: str, sender_name: str = DEFAULT_SENDER_NAME) -> str:
    """The text for a message carrying a survey link."""
    return _checked(f"{sender_name}: {LINK_TEXTS[kind]} {link} {OPT_OUT}", sender_name)


def help_reply(contact: str, sender_name: str = DEFAULT_SENDER_NAME) -> str:
    """The answer to HELP: who is writing, how to reach them, how to stop."""
    if not contact.strip():
        raise ValueError("the HELP reply needs a contact (a phone number or an email address)")
    return _checked(f"{sender_name}: for help contact {contact}. {OPT_OUT}.", sender_name)


def check_sender_name(sender_name: str, link: str = TYPICAL_LINK) -> None:
    """Raise ValueError unless every link text fits one segment with this name and link.

    Meant for start-up, with a link built from the deployment's real base URL, so that a bad
    name fails loudly then rather than at send time.
    """
    for kind in LINK_TEXTS:
        render(kind, link, sender_name)


def _checked(body: str, sender_name: str) -> str:
    length = gsm7_length(body)
    if length is None:
        odd = sorted({c for c in body if gsm7_length(c) is None})
        raise ValueError(
            f"SMS text for sender name {sender_name!r} has characters outside the GSM-7 "
            f"alphabet: {''.join(odd)!r} (they would triple the cost or split the message)"
        )
    if length > SEGMENT_LIMIT:
        raise ValueError(
            f"SMS text for sender name {sender_name!r} is {length} characters, over the "
            f"{SEGMENT_LIMIT} of one SMS; choose a shorter sender name or base URL"
        )
    return body
