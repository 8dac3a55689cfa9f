"""The worker's safety job: e-mail each new safety alert at once, escalate the unacknowledged.

Every SAFETY_NOTIFY_SECONDS (30 s by default: within the issue's one worker cycle of 60 s) every
worker runs one cycle:

1. **Notify.** Each alert neither notified nor acknowledged yet is claimed (`claims.py`, which
   re-checks both) and e-mailed in one message to the patient's therapist and the clinic's on-call
   addresses (to the directors when the clinic has neither), with no patient details, only that an
   alert waits and a link. An alert acknowledged before its e-mail (say, while the worker was down)
   is never e-mailed: it no longer waits.
2. **Escalate.** Each alert still unacknowledged once `Clinic.safety_escalate_hours` of clinic
   hours (`clinic_hours.py`) have passed since it was raised is claimed and e-mailed to the
   clinic's active directors (to the on-call addresses when it has none), once.

Each recipient reads the e-mail in their language: a clinician's own, else the clinic's default
(an on-call address is the clinic's). Recipients of one language share one message, so the
usual case is one e-mail per alert; when some of its messages go and others fail, the alert
counts as sent (never twice) and the failure is logged.

Each step leaves an audit row. An e-mail that cannot be sent gives its claim back, so the next
cycle tries again; a worker that dies between claiming and sending loses that e-mail (the alert
still heads every page) rather than ever sending it twice. The daily digest is separate and
never stands in for this.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import InstrumentedAttribute

from dashboards.audit import audit
from dashboards.safety import clinic_hours, message
from dashboards.safety.claims import claim, release
from feedback.delivery.worker import JobSpec
from feedback.extensions import db
from feedback.i18n import gettext, language_for
from feedback.links import external_url
from feedback.mail import Mailer, configured_mailer, sender_address
from feedback.models import Clinic, SafetyAlert, User, utcnow

log = logging.getLogger(__name__)

JOB = JobSpec("safety_alerts", "SAFETY_NOTIFY_SECONDS", 30, "e-mail new safety alerts, escalate unacknowledged ones")


@dataclass
class Cycle:
    notified: list[int] = field(default_factory=list)
    escalated: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class Outbox:
    mailer: Mailer
    sender: str
    link: str


def run_cycle(now: datetime | None = None, *, mailer: Mailer | None = None) -> Cycle:
    """One cycle of the job (what the worker calls): notify, then escalate.

    The mailer is set up only when there is something to send, and before anything is claimed:
    a deployment without one (production without SMTP_HOST) fails loudly each cycle while an
    alert waits, and leaves the alert unclaimed for when it is fixed."""
    now = now or utcnow()
    config = current_app.config
    hours = clinic_hours.parse(config.get("SAFETY_CLINIC_HOURS") or clinic_hours.DEFAULT)
    cycle = Cycle()
    db.session.rollback()  # a fresh view: another worker may have claimed since
    waiting = SafetyAlert.acknowledged_at.is_(None)  # acknowledged first: nobody needs telling it waits
    new = list(db.session.scalars(
        select(SafetyAlert).where(SafetyAlert.notified_at.is_(None), waiting).order_by(SafetyAlert.id)))
    unanswered = db.session.scalars(
        select(SafetyAlert).where(waiting, SafetyAlert.escalated_at.is_(None))
        .order_by(SafetyAlert.id)
    )
    due = [alert for alert in unanswered if now >= escalation_due(alert, hours)]
    if not new and not due:
        return cycle
    outbox = Outbox(mailer or configured_mailer(config), sender_address(config), external_url("dashboards.home"))
    _send(SafetyAlert.notified_at, new, now, outbox, cycle.notified, cycle.failed, _waiting, waiting)
    _send(SafetyAlert.escalated_at, due, now, outbox, cycle.escalated, cycle.failed, _escalated, waiting)
    log.info("safety alerts: notified %s, escalated %s, not sent %s", cycle.notified, cycle.escalated, cycle.failed)
    return cycle


def escalation_due(alert: SafetyAlert, hours: clinic_hours.ClinicHours) -> datetime:
    """When the alert goes to the directors if nobody acknowledges it; a setting that puts this
    beyond the clock's reach escalates at once rather than never."""
    clinic = alert.patient.clinic
    try:
        return clinic_hours.deadline(alert.created_at, clinic.safety_escalate_hours, clinic.zone, hours)
    except ValueError:
        log.error("safety alert %d: escalation time out of range, escalating now", alert.id)
        return alert.created_at


Compose = Callable[[SafetyAlert, Outbox], tuple[str, list[str], list[EmailMessage]]]


def _send(step: InstrumentedAttribute[datetime | None], alerts: Sequence[SafetyAlert], now: datetime, outbox: Outbox,
          done: list[int], failed: list[int], compose: Compose, *still: ColumnElement[bool]) -> None:
    """Claim the alerts for this step, e-mail each, give back what could not be sent, audit the rest.

    Nothing is written in this session until the claims are settled: on SQLite a pending audit
    row would hold the write lock that `release` (another connection) waits for."""
    owned = claim(step, (a.id for a in alerts), now, *still)
    sent, unsent = [], []
    for alert in (a for a in alerts if a.id in owned):
        action, to, emails = compose(alert, outbox)
        if not emails:
            log.error("safety alert %d: nobody to e-mail (no therapist, on-call address or director)", alert.id)
        reached = _deliver(alert.id, outbox.mailer, emails)
        if emails and not reached:
            unsent.append(alert.id)
            continue
        sent.append((alert, action, reached if emails else 0))
    release(step, unsent)
    for alert, action, count in sent:
        audit(action, patient=alert.patient, actor=None,
              detail=f"safety alert {alert.id}, e-mailed {count} address(es)")
        done.append(alert.id)
    db.session.commit()
    failed.extend(unsent)


def _deliver(alert_id: int, mailer: Mailer, emails: list[EmailMessage]) -> int:
    """Send each message; how many addresses were reached (0: none went, the claim is given back)."""
    reached = 0
    for email in emails:
        try:
            mailer.send(email)
        except OSError as exc:  # smtplib's and ssl's errors are OSErrors
            log.warning("safety alert %d: e-mail not sent (%s)%s", alert_id, type(exc).__name__,
                        "" if reached else "; the next cycle tries again")
            continue
        reached += len(email["To"].split(", "))
    return reached


def _waiting(alert: SafetyAlert, outbox: Outbox) -> tuple[str, list[str], list[EmailMessage]]:
    patient, clinic = alert.patient, alert.patient.clinic
    therapist = [(patient.therapist.email, language_for(patient.therapist))] if patient.therapist.active else []
    on_call = [(address, language_for(clinic)) for address in clinic.on_call_emails or []]
    to = _unique(therapist + on_call) or directors(clinic)
    emails = [_in(language, message.waiting, outbox.sender, addresses, clinic.name, outbox.link)
              for language, addresses in _by_language(to).items()]
    return "safety_alert_notified", [address for address, _ in to], emails


def _escalated(alert: SafetyAlert, outbox: Outbox) -> tuple[str, list[str], list[EmailMessage]]:
    clinic = alert.patient.clinic
    to = directors(clinic) or _unique([(address, language_for(clinic)) for address in clinic.on_call_emails or []])
    emails = [_in(language, message.escalated, outbox.sender, addresses, clinic.name, outbox.link,
                  clinic.safety_escalate_hours) for language, addresses in _by_language(to).items()]
    return "safety_alert_escalated", [address for address, _ in to], emails


def _in(language: str, compose: Callable[..., EmailMessage], *args: object) -> EmailMessage:
    with force_locale(language):
        return compose(*args, say=gettext)


def _by_language(recipients: list[tuple[str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for address, language in recipients:
        grouped.setdefault(language, []).append(address)
    return grouped


def directors(clinic: Clinic) -> list[tuple[str, str]]:
    """The clinic's active directors' addresses, each with the language they read."""
    users = db.session.scalars(
        select(User).where(User.clinic_id == clinic.id, User.role == "director", User.active.is_(True))
        .order_by(User.email)
    )
    return [(user.email, language_for(user)) for user in users]


def _unique(addresses: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Each address once (in any case), with the language it was first listed with."""
    seen: dict[str, tuple[str, str]] = {}
    for address, language in addresses:
        seen.setdefault(address.strip().lower(), (address.strip(), language))
    return [entry for entry in seen.values() if entry[0]]

