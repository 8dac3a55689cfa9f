"""What clinicians see of delivery, and what they can do about it.

Queries for the dashboards (which import this; it never imports them) and two staff actions
for an `uncertain` row: "it did arrive" and "send it again".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_, select, update

from feedback.delivery.rendering import invitation_link
from feedback.delivery.rules import MESSAGE_CHANNELS
from feedback.delivery.settings import settings
from feedback.delivery.timing import Planned, queued_plan
from feedback.extensions import db
from feedback.models import Invitation, Patient, utcnow
from feedback.models.outbox import OutboxMessage
from feedback.translatable import N_

#: Rows that did not reach the patient and that no process will retry.
FAILED_STATUSES = ("failed", "undelivered")


@dataclass(frozen=True)
class Problem:
    """A message staff should know about (no number, no link: safe for any screen)."""

    outbox_id: int
    patient_id: int
    patient_code: str
    invitation_id: int
    kind: str
    channel: str  # "sms" or "email"
    status: str
    reason: str
    error_code: int | None
    when: datetime


def needs_attention(
    clinic_id: int, *, therapist_id: int | None = None, now: datetime | None = None, limit: int = 100
) -> list[Problem]:
    """Failed and undelivered messages, and uncertain ones past the grace period, newest first."""
    now = now or utcnow()
    stale_uncertain = and_(
        OutboxMessage.status == "uncertain", OutboxMessage.last_attempt_at <= now - settings().uncertain_grace
    )
    query = (
        select(OutboxMessage, Patient.code)
        .join(Patient, Patient.id == OutboxMessage.patient_id)
        .where(Patient.clinic_id == clinic_id, or_(OutboxMessage.status.in_(FAILED_STATUSES), stale_uncertain))
        .order_by(OutboxMessage.last_attempt_at.desc(), OutboxMessage.id.desc())
        .limit(limit)
    )
    if therapist_id is not None:
        query = query.where(Patient.therapist_id == therapist_id)
    return [
        Problem(
            outbox_id=row.id,
            patient_id=row.patient_id,
            patient_code=code,
            invitation_id=row.invitation_id,
            kind=row.kind,
            channel=row.channel,
            status=row.status,
            reason=row.last_error or _default_reason(row.status, row.channel),
            error_code=row.error_code,
            when=row.last_attempt_at or row.created_at,
        )
        for row, code in db.session.execute(query)
    ]


def _default_reason(status: str, channel: str) -> str:
    """English marked for translation: the screens say a reason in their reader's language."""
    if status == "uncertain":
        return N_("may not have been sent: check with the patient")
    if status == "undelivered":
        return N_("the e-mail could not be delivered") if channel == "email" else N_(
            "the phone network could not deliver it")
    return N_("not sent")


@dataclass(frozen=True)
class InvitationDelivery:
    channel: str  # "sms" or "email" (the latest message's), or "link"
    status: str | None  # the latest message's status, None if none is planned
    reason: str | None  # why it was not (or may not have been) sent
    link_to_hand_over: str | None  # set when the patient will not get it by SMS and may still answer
    planned: Planned | None = None  # a queued SMS: when it goes and why not sooner


def invitation_delivery(invitation: Invitation, *, now: datetime | None = None) -> InvitationDelivery:
    """How an invitation reaches its respondent, for the therapist's screen."""
    now = now or utcnow()
    latest = db.session.scalar(
        select(OutboxMessage)
        .where(OutboxMessage.invitation_id == invitation.id)
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
        .limit(1)
    )
    open_ = invitation.completed_at is None and now < invitation.expires_at
    reaches = latest is not None and latest.status not in (*FAILED_STATUSES, "cancelled", "uncertain")
    hand_over = open_ and (invitation.channel not in MESSAGE_CHANNELS or not reaches)
    return InvitationDelivery(
        channel=latest.channel if latest is not None else invitation.channel,
        status=latest.status if latest else None,
        reason=latest.last_error if latest and not reaches else None,
        link_to_hand_over=invitation_link(invitation) if hand_over else None,
        planned=queued_plan(latest, now) if latest is not None and latest.status == "pending" else None,
    )


def confirm_sent(outbox_id: int, *, now: datetime | None = None) -> bool:
    """Staff checked (Twilio console, or the patient) that an uncertain message arrived."""
    return _resolve(outbox_id, status="sent", sent_at=now or utcnow(), last_error=N_("confirmed by staff"))


def send_again(outbox_id: int, *, now: datetime | None = None) -> bool:
    """Staff decided an uncertain or failed message should go out again (after fixing a number,
    or knowing it never arrived). It goes through every check again, quiet hours included."""
    return _resolve(
        outbox_id,
        statuses=("uncertain", *FAILED_STATUSES),
        status="pending",
        due_at=now or utcnow(),
        attempts=0,
        provider_id=None,
        error_code=None,
        last_error=N_("sent again by staff"),
    )


def _resolve(outbox_id: int, *, statuses: tuple[str, ...] = ("uncertain",), **values: object) -> bool:
    moved = db.session.execute(
        update(OutboxMessage).where(OutboxMessage.id == outbox_id, OutboxMessage.status.in_(statuses)).values(**values)
    ).rowcount
    db.session.commit()
    return moved == 1
