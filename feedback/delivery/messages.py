"""The SMS texts: invitation, reminder, fresh link and the HELP reply, in the reader's language.

An SMS can be read by anyone who picks up the phone, so a text says nothing clinical: a neutral
sender name (the clinic can choose it), a neutral greeting, the link and how to opt out. Texts are
translated with the current locale (`feedback.i18n.speaking(patient)` in the worker) and written
in GSM-7: a letter it lacks is sent without its accent (Spanish á í ó ú; é ñ ü are GSM-7), because
one such letter would turn the whole message into UCS-2, 70 characters a segment instead of 160.
Each text, in every shipped language, must fit two segments (docs/delivery.md, "Languages").
"""

from __future__ import annotations

import math
import unicodedata
from typing import Literal

from flask_babel import force_locale

from feedback.i18n import LANGUAGES
from feedback.i18n import gettext as _
from feedback.translatable import N_

LinkKind = Literal["invitation", "reminder", "fresh_link"]

DEFAULT_SENDER_NAME = N_("Your clinic")
#: Project choice: a message may cost two SMS, never more (a Spanish text with a real link needs
#: more than one; the English ones fit one with the default name and a typical link).
MAX_SEGMENTS = 2
#: GSM 03.38 / 3GPP TS 23.040: 160 septets in one message, 153 a part once the message is split
#: (the user-data header takes 7); UCS-2: 70 characters, 67 a part.
GSM7_SINGLE, GSM7_PART, UCS2_SINGLE, UCS2_PART = 160, 153, 70, 67
OPT_OUT = N_("Reply STOP to opt out")
# A link as the app builds it (base URL + "/s/" + a 43-character token), for checks made
# before any real link exists.
TYPICAL_LINK = "https://clinic.example.org/s/" + "x" * 43

LINK_TEXTS: dict[LinkKind, str] = {
    "invitation": N_("Hi, a 1-minute questionnaire for you:"),
    "reminder": N_("Reminder: your questionnaire is open:"),
    "fresh_link": N_("Your last link expired. New link:"),
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


def gsm7(text: str) -> str:
    """`text` with each letter GSM-7 lacks replaced by the same letter without its accent, where
    that one is in GSM-7 (á → a, Í → I, ó → o, ç → c); anything else is left for `_checked`."""
    out = []
    for char in text:
        if char not in GSM7_BASIC and char not in GSM7_EXTENDED:
            base = unicodedata.normalize("NFD", char)[0]
            char = base if base.isalpha() and base in GSM7_BASIC else char
        out.append(char)
    return "".join(out)


def segments(text: str) -> int:
    """How many SMS the text is sent as: GSM-7 when every character is in it, else UCS-2."""
    septets = gsm7_length(text)
    if septets is None:
        units, single, part = len(text.encode("utf-16-le")) // 2, UCS2_SINGLE, UCS2_PART
    else:
        units, single, part = septets, GSM7_SINGLE, GSM7_PART
    return 1 if units <= single else math.ceil(units / part)


def render(kind: LinkKind, link: str, sender_name: str = DEFAULT_SENDER_NAME) -> str:
    """The text for a message carrying a survey link, in the current locale."""
    sender = spoken_sender_name(sender_name)
    return _checked(gsm7(f"{sender}: {_(LINK_TEXTS[kind])} {link} {_(OPT_OUT)}"), sender)


def help_reply(contact: str, sender_name: str = DEFAULT_SENDER_NAME) -> str:
    """The answer to HELP: who is writing, how to reach them, how to stop."""
    if not contact.strip():
        raise ValueError("the HELP reply needs a contact (a phone number or an email address)")
    sender = spoken_sender_name(sender_name)
    body = _("%(sender)s: for help contact %(contact)s. %(opt_out)s.", sender=sender, contact=contact,
             opt_out=_(OPT_OUT))
    return _checked(gsm7(body), sender)


def check_sender_name(sender_name: str, link: str = TYPICAL_LINK) -> None:
    """Raise ValueError unless every link text, in every shipped language, fits with this name
    and link (in an app context; outside one, English only).

    Meant for start-up, with a link built from the deployment's real base URL, so that a bad
    name fails loudly then rather than at send time.
    """
    for language in LANGUAGES:
        with force_locale(language):
            for kind in LINK_TEXTS:
                render(kind, link, sender_name)


def spoken_sender_name(sender_name: str) -> str:
    """The name an SMS or e-mail signs with, in the current language: the default name is ours to
    translate; a clinic's own name is the clinic's."""
    return _(DEFAULT_SENDER_NAME) if sender_name == DEFAULT_SENDER_NAME else sender_name


def _checked(body: str, sender_name: str) -> str:
    length = gsm7_length(body)
    if length is None:
        odd = sorted({c for c in body if gsm7_length(c) is None})
        raise ValueError(
            f"SMS text for sender name {sender_name!r} has characters outside the GSM-7 "
            f"alphabet: {''.join(odd)!r} (they would triple the cost or split the message)"
        )
    if segments(body) > MAX_SEGMENTS:
        raise ValueError(
            f"SMS text for sender name {sender_name!r} is {length} characters, over the "
            f"{MAX_SEGMENTS * GSM7_PART} of {MAX_SEGMENTS} SMS; choose a shorter sender name or base URL"
        )
    return body
