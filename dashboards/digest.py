"""The daily e-mail digest: new high-risk flags reach the therapist before the next session.

`flask --app app digest [--dry-run]`, run once a day by cron (docs/digest.md). For each clinician
with new high-risk events among the patients they treat or that are shared with them (and that the
access policy lets them see), one plain-text e-mail with only patient codes, the names of the
events and a link to the dashboard: no answers, no reasons, no numbers, no free text.

"New" means a current `high` event not yet mentioned by a digest (`RiskEvent.notified_at IS NULL`)
and first seen within `DIGEST_LOOKBACK_DAYS`, so a clinic that turns the digest on is not sent
its backlog. Exactly once: the events are claimed with one guarded UPDATE (`... WHERE notified_at
IS NULL`) before anything is sent, so two runs or processes never both send an event; an event no
message could carry is released for the next run. A run that dies between claiming and sending
loses those e-mails (the events still show as new on the home page) rather than ever sending twice.

Settings (app.config, from the environment; defaults in brackets):

- DIGEST_ENABLED [off]: the digest for every clinic; or DIGEST_CLINICS: clinic names, comma-separated.
- DIGEST_LOOKBACK_DAYS [7]: older events are not news.
- SMTP_HOST [unset: the console, i.e. the log and `console_outbox()`], SMTP_PORT [587],
  SMTP_USER, SMTP_PASSWORD, SMTP_FROM (required with SMTP_HOST), SMTP_STARTTLS [on],
  SMTP_TIMEOUT_SECONDS [20]. Production refuses to send a digest to the console.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any, Protocol

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import select, update

from dashboards.access.models import PatientShare
from dashboards.access.policy import visible_patient_ids
from dashboards.risk.models import RiskEvent
from dashboards.therapist.wording import event_name  # the names the dashboard's badges use
from feedback.config import setting_on
from feedback.extensions import db
from feedback.links import external_url
from feedback.models import Clinic, Patient, User, utcnow

log = logging.getLogger(__name__)

DEFAULTS: dict[str, Any] = {
    "DIGEST_ENABLED": False,
    "DIGEST_CLINICS": "",
    "DIGEST_LOOKBACK_DAYS": 7,
    "SMTP_PORT": 587,
    "SMTP_STARTTLS": True,
    "SMTP_TIMEOUT_SECONDS": 20,
}
SUBJECT = "New flags to look at before your next sessions"


# --- what to send: plain data, then a pure function from it to the message ---------------------


@dataclass(frozen=True)
class Digest:
    """One clinician's e-mail, as plain data."""

    to: str
    name: str
    clinic: str
    events: tuple[tuple[int, str, str], ...]  # (event id, patient code, event name), by patient code

    @property
    def event_ids(self) -> frozenset[int]:
        return frozenset(event_id for event_id, _, _ in self.events)

    @property
    def patients(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """(patient code, its event names without repeats), by code."""
        names: dict[str, dict[str, None]] = defaultdict(dict)
        for _, code, name in self.events:
            names[code][name] = None
        return tuple((code, tuple(found)) for code, found in sorted(names.items()))

    def only(self, event_ids: set[int] | frozenset[int]) -> Digest:
        return replace(self, events=tuple(e for e in self.events if e[0] in event_ids))


def compose(digest: Digest, link: str, sender: str) -> EmailMessage:
    """The e-mail: patient codes, event names, one link. Nothing else from the record."""
    lines = [f"Hello {digest.name},", "", "New high-risk flags for your patients since the last digest:", ""]
    lines += [f"  - {code}: {', '.join(names)}" for code, names in digest.patients]
    lines += [
        "",
        "The reasons, both sides' answers and suggestions for the next session are on your dashboard",
        "(sign-in required):",
        link,
        "",
        "This e-mail carries only patient codes and the names of the flags, never answers.",
        f"You receive it because {digest.clinic} has turned on the daily digest.",
    ]
    message = EmailMessage()
    message["Subject"] = SUBJECT
    message["From"] = sender
    message["To"] = digest.to
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies
    message.set_content("\n".join(lines) + "\n")
    return message


# --- who gets what ------------------------------------------------------------------------------


def enabled_clinics(config: Mapping[str, Any]) -> tuple[list[Clinic], list[str]]:
    """The clinics that turned the digest on, and configured names that match no clinic."""
    if setting_on(config.get("DIGEST_ENABLED"), "DIGEST_ENABLED"):
        return list(db.session.scalars(select(Clinic).order_by(Clinic.name))), []
    names = [n.strip() for n in str(config.get("DIGEST_CLINICS") or "").split(",") if n.strip()]
    if not names:
        return [], []
    found = list(db.session.scalars(select(Clinic).where(Clinic.name.in_(names)).order_by(Clinic.name)))
    return found, sorted(set(names) - {c.name for c in found})


def pending_digests(clinics: Sequence[Clinic], now: datetime, lookback: timedelta) -> list[Digest]:
    """New high-risk events of active treatments in these clinics, grouped by recipient.

    Recipients are the treating clinician and colleagues the patient is shared with, each only
    for patients the access policy lets them see. Events without any recipient stay unclaimed.
    """
    clinic_names = {c.id: c.name for c in clinics}
    rows = db.session.execute(
        select(RiskEvent.id, RiskEvent.code, Patient.id.label("patient_id"), Patient.code.label("patient_code"),
               Patient.therapist_id)
        .join(Patient, Patient.id == RiskEvent.patient_id)
        .where(
            Patient.clinic_id.in_(clinic_names),
            Patient.status == "active",
            RiskEvent.notified_at.is_(None),
            RiskEvent.current.is_(True),
            RiskEvent.severity == "high",
            RiskEvent.first_seen_at >= now - lookback,
        )
        .order_by(Patient.code, RiskEvent.session_number, RiskEvent.id)
    ).all()
    if not rows:
        return []
    interested: dict[int, set[int]] = defaultdict(set)  # user id -> patient ids
    for row in rows:
        interested[row.therapist_id].add(row.patient_id)
    shares = select(PatientShare.user_id, PatientShare.patient_id).where(
        PatientShare.patient_id.in_({row.patient_id for row in rows})
    )
    for user_id, patient_id in db.session.execute(shares):
        interested[user_id].add(patient_id)
    users = db.session.scalars(select(User).where(User.id.in_(interested), User.active.is_(True)).order_by(User.email))
    digests = []
    for user in users:
        # The policy has the last word: never name a patient the recipient could not open.
        visible = set(db.session.scalars(visible_patient_ids(user).where(Patient.id.in_(interested[user.id]))))
        events = tuple((r.id, r.patient_code, event_name(r.code)) for r in rows if r.patient_id in visible)
        if events:
            digests.append(Digest(user.email, user.display_name or user.email, clinic_names[user.clinic_id], events))
    return digests


# --- exactly once -------------------------------------------------------------------------------


def claim(event_ids: Iterable[int], now: datetime) -> set[int]:
    """Mark events notified, unless another run already did; returns the ones this run owns.

    Its own short transaction whose first statement is the UPDATE: PostgreSQL re-checks the
    condition on a row another transaction just changed, and SQLite takes its write lock at the
    start of the statement, so of two concurrent runs exactly one gets each event.
    """
    ids = sorted(set(event_ids))
    if not ids:
        return set()
    statement = (
        update(RiskEvent)
        .where(RiskEvent.id.in_(ids), RiskEvent.notified_at.is_(None))
        .values(notified_at=now)
        .returning(RiskEvent.id)
    )
    with db.engine.begin() as conn:
        return set(conn.scalars(statement))


def release(event_ids: Iterable[int]) -> None:
    """Give back events this run claimed but could not send, for the next run."""
    ids = sorted(set(event_ids))
    if ids:
        with db.engine.begin() as conn:
            conn.execute(update(RiskEvent).where(RiskEvent.id.in_(ids)).values(notified_at=None))


# --- senders ------------------------------------------------------------------------------------


class Mailer(Protocol):
    def send(self, message: EmailMessage) -> None: ...


class ConsoleMailer:
    """Development: writes each e-mail to the log and keeps it in `sent` (for the demo and tests)."""

    def __init__(self) -> None:
        self.sent: list[EmailMessage] = []

    def send(self, message: EmailMessage) -> None:
        self.sent.append(message)
        log.info("digest e-mail to %s:\n%s", message["To"], message.get_content())


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
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls(context=self.tls_context or ssl.create_default_context())
            if self.user:
                smtp.login(self.user, self.password or "")
            smtp.send_message(message)


class DigestConfigError(RuntimeError):
    pass


def console_outbox() -> ConsoleMailer:
    """This app's console mailer (one per app, so the demo and tests can read what was 'sent')."""
    return current_app.extensions.setdefault("digest_console", ConsoleMailer())


def sender_address(config: Mapping[str, Any]) -> str:
    return config.get("SMTP_FROM") or "alliance-monitor@localhost"


def configured_mailer(config: Mapping[str, Any]) -> Mailer:
    """SMTP when SMTP_HOST is set, else the console (outside production)."""
    if not config.get("SMTP_HOST"):
        if config.get("APP_ENV") == "production":
            raise DigestConfigError("SMTP_HOST is not set: production does not write digests to the log")
        return console_outbox()
    if not config.get("SMTP_FROM"):
        raise DigestConfigError("SMTP_FROM must be set with SMTP_HOST (the digest's sender address)")
    return SmtpMailer(
        host=config["SMTP_HOST"],
        port=int(config.get("SMTP_PORT") or 587),
        user=config.get("SMTP_USER") or None,
        password=config.get("SMTP_PASSWORD") or None,
        starttls=setting_on(config.get("SMTP_STARTTLS", True), "SMTP_STARTTLS"),
        timeout=float(config.get("SMTP_TIMEOUT_SECONDS") or 20),
    )


# --- the run ------------------------------------------------------------------------------------


@dataclass
class DigestRun:
    clinics: list[str] = field(default_factory=list)
    unknown_clinics: list[str] = field(default_factory=list)
    planned: list[Digest] = field(default_factory=list)
    sent: list[Digest] = field(default_factory=list)
    failed: list[tuple[Digest, str]] = field(default_factory=list)
    messages: list[EmailMessage] = field(default_factory=list)  # what was (or, dry, would be) sent


def send_digests(*, now: datetime | None = None, mailer: Mailer | None = None, dry_run: bool = False) -> DigestRun:
    """One digest run (what a daily scheduler calls). Dry: compose, but send and mark nothing."""
    now = now or utcnow()
    config = current_app.config
    clinics, unknown = enabled_clinics(config)
    run = DigestRun(clinics=[c.name for c in clinics], unknown_clinics=unknown)
    if not clinics:
        return run
    mailer = mailer or configured_mailer(config)
    sender, link = sender_address(config), external_url("dashboards.home")
    lookback = timedelta(days=float(config.get("DIGEST_LOOKBACK_DAYS") or DEFAULTS["DIGEST_LOOKBACK_DAYS"]))
    run.planned = pending_digests(clinics, now, lookback)
    if dry_run:
        run.messages = [compose(d, link, sender) for d in run.planned]
        return run
    owned = claim({i for d in run.planned for i in d.event_ids}, now)
    delivered: set[int] = set()
    for digest in run.planned:
        digest = digest.only(owned)  # another run may have taken some events first
        if not digest.events:
            continue
        message = compose(digest, link, sender)
        try:
            mailer.send(message)
        except OSError as exc:  # smtplib's and ssl's errors are OSErrors
            log.warning("digest to %s not sent: %s", digest.to, exc)
            run.failed.append((digest, str(exc) or type(exc).__name__))
            continue
        run.sent.append(digest)
        run.messages.append(message)
        delivered |= digest.event_ids
    release(owned - delivered)  # flags no e-mail carried go to the next run
    return run


# --- command ------------------------------------------------------------------------------------


@click.command("digest")
@click.option("--dry-run", is_flag=True, help="Print the e-mails that would go out; send and mark nothing.")
@with_appcontext
def digest_command(dry_run: bool) -> None:
    """E-mail each therapist their patients' new high-risk flags (codes and names only). Run daily."""
    try:
        run = send_digests(dry_run=dry_run)
    except DigestConfigError as exc:
        raise click.ClickException(str(exc)) from None
    for name in run.unknown_clinics:
        click.echo(f"DIGEST_CLINICS names no clinic called {name!r}", err=True)
    if not run.clinics:
        click.echo("The digest is off: set DIGEST_ENABLED=1, or DIGEST_CLINICS to clinic names.")
        return
    if dry_run:
        for message in run.messages:
            click.echo(f"--- to {message['To']}: {message['Subject']}\n{message.get_content()}")
        click.echo(f"Dry run: {len(run.messages)} e-mail(s) would be sent; nothing was sent or marked.")
        return
    for digest in run.sent:
        click.echo(f"Sent to {digest.to}: {len(digest.patients)} patient(s), {len(digest.event_ids)} flag(s).")
    for digest, reason in run.failed:
        click.echo(f"Not sent to {digest.to}: {reason}", err=True)
    if not run.sent and not run.failed:
        click.echo("No new high-risk flags: nothing to send.")
    if run.failed:
        raise SystemExit(1)


def register(app: Flask) -> None:
    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    app.cli.add_command(digest_command)
