"""Composing the app's automatic e-mails (pure: standard library only, so composing is testable alone)."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formatdate, make_msgid


def plain_message(sender: str, to: str, subject: str, lines: list[str]) -> EmailMessage:
    """A plain-text e-mail with the headers every automatic message of the app carries."""
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = to
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies
    message.set_content("\n".join(lines) + "\n")
    return message
