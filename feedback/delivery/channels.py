"""One outbox, two channels: building a row's message and handing it to SMS or e-mail.

The dispatcher does everything else the same way for both (claims, the last checks, `sending`
committed before the call, the guarded settling moves), so at-most-once holds for e-mail exactly
as for SMS. The SMTP server's answers are read into the senders' three outcomes:

- not accepted, safe to try again (no connection, a 4xx answer): `TransientSendError`;
- refused for good (a 5xx answer to the sender, a recipient or the message): `PermanentSendError`;
- the connection broke after the message's content went out and before the server's answer
  (`mail.MailMaybeSent`): `UncertainSendError`. SMTP cannot be asked afterwards whether it took the
  message, so the row waits for staff (`staff.needs_attention`), like an SMS nobody could find.
"""

from __future__ import annotations

import smtplib

from flask import current_app

from feedback.delivery.emails import Email, email_for
from feedback.delivery.rendering import Message, message_for
from feedback.delivery.senders import (
    PermanentSendError,
    Sender,
    SendError,
    SendResult,
    TransientSendError,
    UncertainSendError,
)
from feedback.mail import MailMaybeSent, configured_mailer
from feedback.models.outbox import OutboxMessage
from feedback.phones import PhoneCipher

Outgoing = Message | Email


def outgoing_for(row: OutboxMessage, cipher: PhoneCipher, sender_name: str) -> Outgoing:
    """The row's message rebuilt for its channel; ValueError when there is no (readable) address."""
    if row.channel == "email":
        return email_for(row, cipher, sender_name)
    return message_for(row, cipher, sender_name)


def send(outgoing: Outgoing, sms: Sender, *, status_callback: str | None) -> SendResult:
    """Hand the message to its channel's provider; raises the senders' SendError kinds."""
    if isinstance(outgoing, Message):
        return sms.send(outgoing.to, outgoing.body, label=outgoing.label, status_callback=status_callback)
    try:
        configured_mailer(current_app.config).send(outgoing.message)
    except MailMaybeSent as exc:
        uncertain = UncertainSendError(str(exc))
        uncertain.provider_id = outgoing.provider_id  # kept on the row: a later bounce report names it
        raise uncertain from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise smtp_error(exc) from exc
    return SendResult(outgoing.provider_id, "sent")


def smtp_error(exc: smtplib.SMTPException | OSError) -> SendError:
    """Classify an SMTP failure before the server took the message. Reasons name no address."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        code = min(codes) if codes else None
        return _by_code(code, "the mail server refused the address")
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return TransientSendError("the mail server refused the login (check SMTP_USER and SMTP_PASSWORD)")
    if isinstance(exc, smtplib.SMTPResponseException):
        return _by_code(exc.smtp_code, f"the mail server answered {exc.smtp_code}")
    return TransientSendError(f"could not reach the mail server ({type(exc).__name__})")


def _by_code(code: int | None, reason: str) -> SendError:
    if code is not None and 500 <= code < 600:
        return PermanentSendError(code, reason)
    return TransientSendError(reason, code)
