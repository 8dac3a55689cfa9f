"""Opting out and back in, by SMS keyword (STOP/START) or by Twilio refusing a send (21610); and
out of e-mail, by the one-click unsubscribe link (`unsubscribe`) or a hard bounce (`stop_email`),
and back in (`resume_email`) by the same link within the hour or, when the patient asks the clinic,
from their contact page.

`opt_out`, `opt_in` and `stop_email` add to the caller's transaction: a webhook commits them together with
its processed-webhook key (see `replays`). `record_opt_out` is the use case on its own, committed.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select, update

from feedback.delivery.planner import cancel_open
from feedback.extensions import db
from feedback.models import Patient, utcnow
from feedback.models.outbox import OutboxMessage
from feedback.phones import PhoneCipher
from feedback.translatable import N_

log = logging.getLogger(__name__)


def patients_with_number(e164: str, cipher: PhoneCipher) -> list[Patient]:
    """Every patient registered with this number (the same phone may be in several clinics)."""
    if not e164.startswith("+"):
        return []
    return list(db.session.scalars(select(Patient).where(Patient.phone_lookup == cipher.lookup_hash(e164))))


def opt_out(patient_ids: list[int], *, now: datetime | None = None) -> int:
    """No more SMS to these patients, from now: record it and cancel what is queued for them.

    A row a dispatcher has claimed is cancelled too; its guarded move to `sending` then fails,
    so once this commits nothing more goes out (a message already in flight may still arrive).
    """
    if not patient_ids:
        return 0
    now = now or utcnow()
    db.session.execute(
        update(Patient)
        .where(Patient.id.in_(patient_ids), Patient.sms_opted_out_at.is_(None))
        .values(sms_opted_out_at=now)
    )
    cancelled = cancel_open(
        OutboxMessage.patient_id.in_(patient_ids) & (OutboxMessage.channel == "sms"), N_("patient opted out of SMS")
    )
    log.info("SMS opt-out for patient id(s) %s; %d queued message(s) cancelled", patient_ids, cancelled)
    return cancelled


def record_opt_out(patient_ids: list[int], *, now: datetime | None = None) -> int:
    """`opt_out`, committed at once (Twilio refused a send with 21610)."""
    cancelled = opt_out(patient_ids, now=now)
    db.session.commit()
    return cancelled


def opt_in(patient_ids: list[int]) -> int:
    """The patient texted START: SMS may go out again (their consent is unchanged)."""
    if not patient_ids:
        return 0
    changed = db.session.execute(
        update(Patient)
        .where(Patient.id.in_(patient_ids), Patient.sms_opted_out_at.is_not(None))
        .values(sms_opted_out_at=None)
    ).rowcount
    log.info("SMS opt-in for patient id(s) %s", patient_ids)
    return changed


def stop_email(patient_id: int, column: str, reason: str, *, now: datetime | None = None) -> bool:
    """No more e-mail to this patient, from now: set `column` (email_opted_out_at or
    email_bounced_at) and cancel the e-mails still queued for them; SMS are untouched. Like
    `opt_out`, a claimed row is cancelled too, so nothing more goes out once this commits.
    False if `column` was already set (a second click, a second bounce): nothing changed then."""
    changed = db.session.execute(
        update(Patient).where(Patient.id == patient_id, getattr(Patient, column).is_(None))
        .values({column: now or utcnow()})
    ).rowcount
    cancelled = cancel_open((OutboxMessage.patient_id == patient_id) & (OutboxMessage.channel == "email"), reason)
    log.info("e-mail stopped for patient id %s (%s); %d queued e-mail(s) cancelled", patient_id, reason, cancelled)
    return changed == 1


def resume_email(patient_id: int) -> bool:
    """The patient asked for the e-mails again, on their unsubscribe page or by asking the clinic
    (like START for SMS; their consent is unchanged): the next invitation may go by e-mail. E-mails
    cancelled when they unsubscribed stay cancelled, and a bounce stays (the address failed, a new
    one clears it). False if they were not unsubscribed: nothing changed then."""
    changed = db.session.execute(
        update(Patient).where(Patient.id == patient_id, Patient.email_opted_out_at.is_not(None))
        .values(email_opted_out_at=None)
    ).rowcount
    if changed:
        log.info("e-mail resumed for patient id %s", patient_id)
    return changed == 1
