"""The app's mailer: SMTP in production, the console in development (docs/digest.md).

Settings (app.config, from the environment; defaults in brackets): SMTP_HOST [unset: the
console, i.e. the log and `console_outbox()`], SMTP_PORT [587], SMTP_USER, SMTP_PASSWORD,
SMTP_FROM (required with SMTP_HOST), SMTP_STARTTLS [on], SMTP_TIMEOUT_SECONDS [20].
Production refuses to write e-mail to the console. No message may carry clinical content.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any, Protocol

from flask import current_app

from feedback.config import setting_on

log = logging.getLogger(__name__)

class Mailer(Protocol):
    def send(self, message: EmailMessage) -> None: ...


class ConsoleMailer:
    """Development: keeps each e-mail in `sent` (for the demo and tests) and, with `echo`, prints it."""

    def __init__(self, *, echo: bool = False) -> None:
        self.sent: list[EmailMessage] = []
        self._echo = echo

    def send(self, message: EmailMessage) -> None:
        self.sent.append(message)
        log.info("e-mail: %s (console, not sent)", message["Subject"])  # no address: logs travel further
        if self._echo:  # stdout, not the log: a debug server's root logger drops INFO
            print(f"E-mail to {message['To']} (not sent): {message['Subject']}\n{message.get_content()}", flush=True)


@dataclass
class SmtpMailer:
    """The standard library's SMTP client; STARTTLS with certificate checks unless switched off."""

    host: str
    port: int
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    starttls: bool = True
    timeout: float = 20
    tls_context: ssl.SSLContext | None = None

    def send(self, message: EmailMessage) -> None:
        """Raises MailMaybeSent when the connection failed after the message's content went out
        and before the server's answer came back; any other error means it was not accepted."""
        smtp = _TrackingSMTP(self.host, self.port, timeout=self.timeout)
        try:
            with smtp:
                if self.starttls:
                    smtp.starttls(context=self.tls_context or ssl.create_default_context())
                if self.user:
                    smtp.login(self.user, self.password or "")
                smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as exc:
            if smtp.accepted:  # only the goodbye failed: the server has the message
                log.info("e-mail accepted; the SMTP session ended badly (%s)", type(exc).__name__)
            elif smtp.data_started and not isinstance(exc, smtplib.SMTPResponseException):
                raise MailMaybeSent(f"no answer from the SMTP server after the message ({type(exc).__name__})") from exc
            else:
                raise


class MailMaybeSent(Exception):
    """The SMTP server may or may not have taken the message: sending it again may duplicate it."""


class _TrackingSMTP(smtplib.SMTP):
    """Notes whether DATA began and whether the server answered it with 250 (message accepted)."""

    data_started = False
    accepted = False

    def data(self, msg: Any) -> tuple[int, bytes]:
        self.data_started = True
        code, reply = super().data(msg)  # sendmail raises SMTPDataError for any code but 250
        self.accepted = code == 250
        return code, reply


class MailConfigError(RuntimeError):
    """The environment names no usable way to send e-mail."""


def console_outbox() -> ConsoleMailer:
    """This app's console mailer (one per app, so the demo and tests can read what was 'sent')."""
    extensions = current_app.extensions
    if "mail_console" not in extensions:
        extensions["mail_console"] = ConsoleMailer(echo=current_app.config.get("APP_ENV") == "development")
    return extensions["mail_console"]


def sender_address(config: Mapping[str, Any]) -> str:
    return config.get("SMTP_FROM") or "alliance-monitor@localhost"


def configured_mailer(config: Mapping[str, Any]) -> Mailer:
    """SMTP when SMTP_HOST is set, else the console (outside production)."""
    if not config.get("SMTP_HOST"):
        if config.get("APP_ENV") == "production":
            raise MailConfigError("SMTP_HOST is not set: production does not write e-mail to the log")
        return console_outbox()
    if not config.get("SMTP_FROM"):
        raise MailConfigError("SMTP_FROM must be set with SMTP_HOST (the sender address)")
    return SmtpMailer(
        host=config["SMTP_HOST"],
        port=int(config.get("SMTP_PORT") or 587),
        user=config.get("SMTP_USER") or None,
        password=config.get("SMTP_PASSWORD") or None,
        starttls=setting_on(config.get("SMTP_STARTTLS", True), "SMTP_STARTTLS"),
        timeout=float(config.get("SMTP_TIMEOUT_SECONDS") or 20),
    )
