"""The invitation e-mails: invitation, reminder and fresh link, in the patient's language.

Like an SMS, an e-mail can be read by anyone who sees the inbox, so it says nothing clinical: the
clinic's neutral sender name (SMS_SENDER_NAME), a neutral greeting, the link and how to stop. Plain
text plus a minimal HTML part (no images, no tracking, nothing loaded from elsewhere), and the
RFC 8058 one-click unsubscribe headers, so that a mail client's "Unsubscribe" button works.
The text and the address are rebuilt at send time from the outbox row, never stored.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formataddr

from flask import current_app
from markupsafe import Markup, escape

from feedback.delivery.messages import spoken_sender_name
from feedback.delivery.rendering import invitation_link
from feedback.delivery.unsubscribe import unsubscribe_url
from feedback.email_message import plain_message
from feedback.i18n import gettext as _
from feedback.i18n import page_direction, speaking
from feedback.mail import sender_address
from feedback.models.outbox import OutboxMessage
from feedback.phones import PhoneCipher
from feedback.translatable import N_

#: (subject, the sentence before the link) per kind of message.
TEXTS = {
    "invitation": (N_("A 1-minute questionnaire for you"),
                   N_("Here is a short questionnaire for you. It takes about a minute.")),
    "reminder": (N_("Reminder: your questionnaire is open"),
                 N_("Your questionnaire is still open. It takes about a minute.")),
    "fresh_link": (N_("A new link to your questionnaire"),
                   N_("Your last link expired. Here is a new one.")),
}


@dataclass(frozen=True)
class Email:
    message: EmailMessage
    #: The local part of the Message-ID, kept as the row's provider id: a bounce report names it.
    provider_id: str
    label: str  # the patient code: what logs may name


def email_for(row: OutboxMessage, cipher: PhoneCipher, sender_name: str) -> Email:
    """Raises ValueError when the patient has no address or the key cannot decrypt it."""
    patient = row.patient
    if patient.email_encrypted is None:
        raise ValueError("no e-mail address")
    to = cipher.decrypt(patient.email_encrypted)
    link, unsubscribe = invitation_link(row.invitation), unsubscribe_url(patient.id, "email")
    with speaking(patient) as language:
        message = compose(row.kind, to, link, unsubscribe, sender_name, language)
    # Random, so that a reported bounce cannot be forged for another row by counting ids.
    provider_id = f"am{row.id}.{secrets.token_hex(8)}"
    del message["Message-ID"]
    message["Message-ID"] = f"<{provider_id}@{_domain(sender_address(current_app.config))}>"
    return Email(message, provider_id, patient.code)


def compose(kind: str, to: str, link: str, unsubscribe: str, sender_name: str, language: str) -> EmailMessage:
    """The e-mail in the current gettext language (`speaking(patient)`)."""
    sender_name = spoken_sender_name(sender_name)
    subject, lead = (_(text) for text in TEXTS[kind])
    private = _("This link is for you alone: please do not forward this e-mail.")
    stop = _("To stop getting these e-mails, unsubscribe here:")
    lines = [_("Hello,"), "", lead, "", link, "", private, "", sender_name, "", "--", stop, unsubscribe]
    sender = formataddr((sender_name, sender_address(current_app.config)))
    message = plain_message(sender, to, subject, lines)
    # RFC 8058: the link is an https URL that unsubscribes on a POST carrying this body.
    message["List-Unsubscribe"] = f"<{unsubscribe}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.add_alternative(_html(language, lead, link, _("Open the questionnaire"), private, sender_name,
                                  _("Unsubscribe"), unsubscribe), subtype="html")
    return message


def _html(language: str, lead: str, link: str, button: str, private: str, sender_name: str, stop: str,
          unsubscribe: str) -> str:
    page = Markup(
        '<!doctype html><html lang="{language}" dir="{direction}"><body style="font-family:sans-serif;line-height:1.5">'
        "<p>{hello}</p><p>{lead}</p>"
        '<p><a href="{link}" style="display:inline-block;padding:.6em 1em;background:#1d4ed8;color:#fff;'
        'text-decoration:none;border-radius:4px">{button}</a></p>'
        "<p>{private}</p><p>{sender}</p>"
        '<p style="font-size:.9em"><a href="{unsubscribe}">{stop}</a></p></body></html>'
    ).format(language=language, direction=page_direction(), hello=_("Hello,"), lead=lead, link=link, button=button,
             private=private, sender=sender_name, unsubscribe=unsubscribe, stop=stop)
    return str(escape(page))


def _domain(address: str) -> str:
    try:
        return Address(addr_spec=address).domain or "localhost"
    except (ValueError, IndexError):
        return "localhost"
