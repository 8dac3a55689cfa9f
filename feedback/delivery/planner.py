"""Putting messages into the outbox: invitations, reminders and fresh links; the expiry sweep.

Each public function is one use case and commits once. Planning is idempotent: the outbox's
unique (invitation, kind, round) means a second planner (the `session_changed` signal racing
the periodic job, or two worker processes) gets an IntegrityError and leaves the first row be.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, exists, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from feedback.delivery.rendering import invitation_link
from feedback.delivery.rules import planned_time
from feedback.delivery.schedule import Policy, invitation_due, reminder_due
from feedback.delivery.settings import settings, sms_block_reason_for
from feedback.extensions import db
from feedback.invitations import LinkCompleted, reissue
from feedback.models import Invitation, Patient, TherapySession, utcnow
from feedback.models.outbox import OPEN_STATUSES, REACHED_STATUSES, OutboxMessage

log = logging.getLogger(__name__)

#: Statuses whose due or send time counts against a patient's caps when planning.
_COUNTED = OPEN_STATUSES + REACHED_STATUSES


def previous_sends(
    patient_id: int, *, statuses: tuple[str, ...] = _COUNTED, exclude: int | None = None
) -> list[datetime]:
    """When the patient's other messages went (or are due to go) out, for the caps."""
    when = func.coalesce(OutboxMessage.sent_at, OutboxMessage.last_attempt_at, OutboxMessage.due_at)
    query = select(when).where(OutboxMessage.patient_id == patient_id, OutboxMessage.status.in_(statuses))
    if exclude is not None:
        query = query.where(OutboxMessage.id != exclude)
    return [t for t in db.session.scalars(query) if t is not None]


def policy_for(patient: Patient) -> Policy:
    return settings().policy_for(patient.clinic.name)


# -- invitations -------------------------------------------------------------------------------


def plan_invitation(invitation: Invitation, *, now: datetime | None = None) -> OutboxMessage | None:
    """Queue the SMS for a patient invitation whose channel is SMS (once; commits)."""
    if invitation.respondent != "patient" or invitation.channel != "sms":
        return None
    now = now or utcnow()
    patient = invitation.session.patient
    policy = policy_for(patient)
    earliest = invitation_due(invitation.session.ends_at, "patient", policy)
    row = _new_row(invitation, "invitation", 0, earliest, now, policy)
    return _commit_new(row)


def plan_session(session: TherapySession, *, now: datetime | None = None) -> list[OutboxMessage]:
    """Plan the SMS for a just-recorded session's invitations; if the session turns out not to
    have been attended (a correction), cancel what is still queued for it."""
    invitation_ids = select(Invitation.id).where(Invitation.session_id == session.id)
    if session.attendance != "attended":
        if cancel_open(OutboxMessage.invitation_id.in_(invitation_ids), "session not attended"):
            db.session.commit()
        return []
    invitations = db.session.scalars(select(Invitation).where(Invitation.id.in_(invitation_ids))).all()
    planned = [plan_invitation(invitation, now=now) for invitation in invitations]
    return [row for row in planned if row is not None]


def plan_missing(*, now: datetime | None = None, limit: int = 500) -> int:
    """Plan every open SMS invitation that has no outbox row yet (a crash may have skipped it)."""
    now = now or utcnow()
    missing = db.session.scalars(
        select(Invitation)
        .where(
            Invitation.respondent == "patient",
            Invitation.channel == "sms",
            Invitation.completed_at.is_(None),
            Invitation.expires_at > now,
            ~exists().where(OutboxMessage.invitation_id == Invitation.id, OutboxMessage.kind == "invitation"),
        )
        .order_by(Invitation.id)
        .limit(limit)
    ).all()
    return sum(plan_invitation(invitation, now=now) is not None for invitation in missing)


# -- reminders ---------------------------------------------------------------------------------


def plan_reminders(*, now: datetime | None = None, limit: int = 500) -> int:
    """One reminder for each SMS invitation still unanswered `reminder_after_hours` after it went out.

    Candidates are found with the shortest reminder delay of any clinic and then checked
    against the patient's own policy.
    """
    now = now or utcnow()
    config = settings()
    shortest = min([config.policy, *config.clinic_policies.values()], key=lambda p: p.reminder_after_hours)
    reminder = aliased(OutboxMessage)
    candidates = db.session.scalars(
        select(OutboxMessage)
        .join(Invitation, Invitation.id == OutboxMessage.invitation_id)
        .where(
            OutboxMessage.kind == "invitation",
            OutboxMessage.status.in_(("sent", "delivered")),
            OutboxMessage.sent_at <= now - timedelta(hours=shortest.reminder_after_hours),
            Invitation.completed_at.is_(None),
            Invitation.expires_at > now,
            ~exists().where(reminder.invitation_id == OutboxMessage.invitation_id, reminder.kind == "reminder"),
        )
        .order_by(OutboxMessage.sent_at)
        .limit(limit)
    ).all()
    planned = 0
    for sent in candidates:
        policy = policy_for(sent.patient)
        assert sent.sent_at is not None  # by the query
        due = reminder_due(sent.sent_at, policy)
        if due > now:
            continue
        planned += _commit_new(_new_row(sent.invitation, "reminder", 0, due, now, policy)) is not None
    return planned


# -- fresh links -------------------------------------------------------------------------------


@dataclass(frozen=True)
class FreshLink:
    link: str  # to hand over in person; the patient's old link no longer works
    message: OutboxMessage | None  # the SMS carrying it, if the patient gets SMS
    not_by_sms: str | None  # why there is no SMS, in words for the therapist


def send_fresh_link(invitation: Invitation, *, now: datetime | None = None) -> FreshLink:
    """A new link for an unanswered invitation (the old one stops working), sent by SMS if the
    patient gets SMS, within quiet hours and caps. Raises LinkCompleted if it was answered."""
    now = now or utcnow()
    patient = invitation.session.patient
    policy = policy_for(patient)
    valid_for = timedelta(hours=policy.expires_after_hours)
    reason = sms_block_reason_for(patient) if invitation.respondent == "patient" else "not the patient's link"
    row = None
    if reason is None:
        rounds = db.session.scalar(
            select(func.coalesce(func.max(OutboxMessage.round), 0)).where(
                OutboxMessage.invitation_id == invitation.id, OutboxMessage.kind == "fresh_link"
            )
        )
        # Planned against the link's new expiry; `reissue` sets it and commits this row with it.
        row = _new_row(invitation, "fresh_link", rounds + 1, now, now, policy, deadline=now + valid_for)
        db.session.add(row)
    try:
        reissue(invitation, valid_for=valid_for, now=now)
    except LinkCompleted:
        db.session.rollback()
        raise
    except IntegrityError:
        # Someone sent a fresh link for this invitation at the same moment (a double click):
        # theirs stands, and so does the link it carries.
        db.session.rollback()
        db.session.refresh(invitation)
        return FreshLink(invitation_link(invitation), None, "a fresh link was sent a moment ago")
    if row is not None and row.status == "cancelled":
        reason, row = row.last_error, None
    return FreshLink(invitation_link(invitation), row, reason)


# -- expiry sweep ------------------------------------------------------------------------------


def cancel_stale(*, now: datetime | None = None) -> int:
    """Cancel queued messages whose link was answered or expired, or whose patient opted out."""
    now = now or utcnow()
    cancelled = 0
    for reason, condition in (
        ("already answered", Invitation.completed_at.is_not(None)),
        ("link expired before it could be sent", Invitation.expires_at <= now),
    ):
        stale = select(Invitation.id).where(condition)
        cancelled += cancel_open(OutboxMessage.invitation_id.in_(stale), reason)
    for reason, condition in (
        ("patient opted out of SMS", Patient.sms_opted_out_at.is_not(None)),
        ("no SMS consent", ~Patient.sms_consent),
    ):
        cancelled += cancel_open(OutboxMessage.patient_id.in_(select(Patient.id).where(condition)), reason)
    db.session.commit()
    return cancelled


def cancel_open(condition: ColumnElement[bool], reason: str) -> int:
    """Cancel (not commit) the rows matching `condition` that are still queued."""
    # Only rows no dispatcher has started to send; a claimed row's guarded move to `sending`
    # then fails, so a cancellation that commits first always wins.
    return db.session.execute(
        update(OutboxMessage)
        .where(condition, OutboxMessage.status.in_(OPEN_STATUSES))
        .values(status="cancelled", last_error=reason, claimed_by=None, claim_expires_at=None)
    ).rowcount


# -- shared ------------------------------------------------------------------------------------


def _new_row(
    invitation: Invitation,
    kind: str,
    round_: int,
    earliest: datetime,
    now: datetime,
    policy: Policy,
    deadline: datetime | None = None,
) -> OutboxMessage:
    """A pending row at the first allowed time, or a cancelled one saying why there is none."""
    patient = invitation.session.patient
    row = OutboxMessage(
        invitation_id=invitation.id, patient_id=patient.id, kind=kind, round=round_, channel="sms", created_at=now
    )
    reason = sms_block_reason_for(patient)
    due = None
    if reason is None:
        previous = previous_sends(patient.id)
        due = planned_time(earliest, now, previous, patient.clinic.timezone, policy, deadline or invitation.expires_at)
        if due is None:
            reason = "no allowed sending time before the link expires"
    row.due_at = due or now
    row.status = "pending" if due else "cancelled"
    row.last_error = reason
    return row


def _commit_new(row: OutboxMessage) -> OutboxMessage | None:
    db.session.add(row)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()  # planned by someone else meanwhile: theirs stands
        return None
    if row.status == "pending":
        log.info("planned %s SMS %s for patient %s at %s", row.kind, row.id, row.patient.code, row.due_at.isoformat())
    return row
