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

from feedback.delivery import rules
from feedback.delivery.rendering import invitation_link
from feedback.delivery.rules import MESSAGE_CHANNELS, NO_TIME, Plan, channel_order, send_plan
from feedback.delivery.schedule import Policy, invitation_due, reminder_due
from feedback.delivery.settings import block_reason_for, channel_for, settings
from feedback.delivery.timing import Planned, Send, in_words, policy_for, previous_sends, sends_of, without_queued
from feedback.extensions import db
from feedback.invitations import LinkCompleted, LinkReplaced, reissue
from feedback.models import Invitation, Patient, TherapySession, utcnow
from feedback.models.outbox import OPEN_STATUSES, OutboxMessage
from feedback.phrases import Phrase, phrase
from feedback.translatable import N_

log = logging.getLogger(__name__)


# -- invitations -------------------------------------------------------------------------------


def plan_invitation(invitation: Invitation, *, now: datetime | None = None) -> OutboxMessage | None:
    """Queue the message for a patient invitation sent by SMS or e-mail (once; commits)."""
    if invitation.respondent != "patient" or invitation.channel not in MESSAGE_CHANNELS:
        return None
    now = now or utcnow()
    patient = invitation.session.patient
    policy = policy_for(patient)
    earliest = invitation_due(invitation.session.ends_at, "patient", policy)
    plan, reason = _plan(invitation, invitation.channel, earliest, now, policy, invitation.expires_at)
    return _commit_new(_new_row(invitation, invitation.channel, "invitation", 0, now, plan, reason))


def plan_session(session: TherapySession, *, now: datetime | None = None) -> list[OutboxMessage]:
    """Plan the SMS for a just-recorded session's invitations; if the session turns out not to
    have been attended (a correction), cancel what is still queued for it."""
    invitation_ids = select(Invitation.id).where(Invitation.session_id == session.id)
    if session.attendance != "attended":
        if cancel_open(OutboxMessage.invitation_id.in_(invitation_ids), N_("session not attended")):
            db.session.commit()
        return []
    invitations = db.session.scalars(select(Invitation).where(Invitation.id.in_(invitation_ids))).all()
    planned = [plan_invitation(invitation, now=now) for invitation in invitations]
    return [row for row in planned if row is not None]


def plan_missing(*, now: datetime | None = None, limit: int = 500) -> int:
    """Plan every open SMS or e-mail invitation that has no outbox row yet (a crash may have skipped it)."""
    now = now or utcnow()
    missing = db.session.scalars(
        select(Invitation)
        .where(
            Invitation.respondent == "patient",
            Invitation.channel.in_(MESSAGE_CHANNELS),
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
    """One reminder, by the patient's channel now (else the invitation's), for each message still
    unanswered `reminder_after_hours` after it went.

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
        channel = channel_for(sent.patient) or sent.channel  # the contact details may have changed since
        plan, reason = _plan(sent.invitation, channel, due, now, policy, sent.invitation.expires_at)
        planned += _commit_new(_new_row(sent.invitation, channel, "reminder", 0, now, plan, reason)) is not None
    return planned


# -- fresh links -------------------------------------------------------------------------------


class FreshLinkRefused(ValueError):
    """Nothing was done, for the reason given: `message`, a phrase the edge says to the therapist."""

    def __init__(self, message: Phrase) -> None:
        self.message = message
        super().__init__(str(message))


@dataclass(frozen=True)
class FreshLink:
    link: str  # to hand over in person; the patient's old link no longer works
    message: OutboxMessage | None  # the SMS carrying it, if the patient gets SMS
    planned: Planned | None  # when that SMS goes and why not sooner
    not_by_sms: str | None  # why there is no SMS, in words for the therapist


@dataclass(frozen=True)
class FreshLinkTiming:
    """When a fresh link's message would go if asked for now."""

    next: Planned | None  # at the first moment every rule allows; None: none before the new link expires
    can_go_now: bool  # now is outside quiet hours and within the weekly cap: only the daily cap may be in the way
    channel: str = "sms"  # how it would go: "sms" or "email"


def fresh_link_timing(
    invitation: Invitation, *, now: datetime | None = None, sends: list[Send] | None = None
) -> FreshLinkTiming | None:
    """What the therapist is offered before asking for a fresh link; None if it would not go by SMS.
    `sends` (the patient's `timing.sends_of`) saves a query per form on a page."""
    now = now or utcnow()
    patient = invitation.session.patient
    channel = channel_for(patient) if invitation.respondent == "patient" else None
    if channel is None:
        return None
    policy = policy_for(patient)
    previous = without_queued(sends_of(patient.id) if sends is None else sends, invitation.id)
    facts = (now, now, previous, patient.clinic.timezone, policy, now + _valid_for(policy))
    plan, asked = send_plan(*facts), send_plan(*facts, daily_cap_from=now)
    return FreshLinkTiming(in_words(plan, policy) if plan else None, asked is not None and asked.when == now, channel)


def send_fresh_link(
    invitation: Invitation, *, send_now: bool = False, link_expires: datetime | None = None,
    now: datetime | None = None,
) -> FreshLink:
    """A new link for an unanswered invitation (the old one stops working, and SMS still queued
    for it are cancelled), sent by SMS if the patient gets SMS: at the first moment every rule
    allows, or with `send_now` at once if only the daily cap is in the way (`rules.daily_cap_from`).

    `link_expires` is the expiry of the link the therapist saw: if that link has been replaced
    since (a double click), nothing is done. Raises FreshLinkRefused, or LinkCompleted if answered.
    """
    now = now or utcnow()
    patient = invitation.session.patient
    policy = policy_for(patient)
    if invitation.completed_at is not None:
        raise LinkCompleted()
    cancel_open(OutboxMessage.invitation_id == invitation.id, N_("replaced by a fresh link"))
    channel = channel_for(patient) if invitation.respondent == "patient" else None
    reason = why_no_channel(patient) if invitation.respondent == "patient" else N_("not the patient's link")
    row = plan = None
    if channel is not None:
        plan, reason = _plan(invitation, channel, now, now, policy, now + _valid_for(policy), now if send_now else None)
        if send_now and (plan is None or plan.when > now):
            db.session.rollback()  # the cancellations too: nothing changes
            held = in_words(plan, policy).because if plan else None
            raise FreshLinkRefused(rules.cannot_go_now(channel, held))
        rounds = db.session.scalar(
            select(func.coalesce(func.max(OutboxMessage.round), 0)).where(
                OutboxMessage.invitation_id == invitation.id, OutboxMessage.kind == "fresh_link"
            )
        )
        # Planned against the link's new expiry; `reissue` sets it and commits this row with it.
        row = _new_row(invitation, channel, "fresh_link", rounds + 1, now, plan, reason)
        db.session.add(row)
    try:
        reissue(invitation, valid_for=_valid_for(policy), replacing=link_expires, now=now)
    except (LinkReplaced, IntegrityError):
        # Someone replaced this link first (a double click, two tabs): theirs stands, and so
        # does the SMS it queued, so that the patient gets one link.
        db.session.rollback()
        raise FreshLinkRefused(phrase(N_("That link had just been replaced: nothing more was sent."))) from None
    if row is not None and row.status == "cancelled":
        reason, row = row.last_error, None
    planned = in_words(plan, policy) if row is not None and plan is not None else None
    return FreshLink(invitation_link(invitation), row, planned, reason)


def _valid_for(policy: Policy) -> timedelta:
    return timedelta(hours=policy.expires_after_hours)


def why_no_channel(patient: Patient) -> str | None:
    """Why no message can reach the patient: what blocks their preferred channel (SMS for "link")."""
    if channel_for(patient) is not None:
        return None
    return block_reason_for(patient, (*channel_order(patient.preferred_channel), "sms")[0])


# -- expiry sweep ------------------------------------------------------------------------------


def cancel_stale(*, now: datetime | None = None) -> int:
    """Cancel queued messages whose link was answered or expired, or whose patient opted out of their channel."""
    now = now or utcnow()
    cancelled = 0
    for reason, condition in (
        (rules.ANSWERED, Invitation.completed_at.is_not(None)),
        (rules.EXPIRED, Invitation.expires_at <= now),
    ):
        stale = select(Invitation.id).where(condition)
        cancelled += cancel_open(OutboxMessage.invitation_id.in_(stale), reason)
    for channel, reason, condition in (
        ("sms", N_("patient opted out of SMS"), Patient.sms_opted_out_at.is_not(None)),
        ("sms", N_("no SMS consent"), ~Patient.sms_consent),
        ("email", N_("patient unsubscribed from e-mail"), Patient.email_opted_out_at.is_not(None)),
        ("email", rules.BOUNCED, Patient.email_bounced_at.is_not(None)),
        ("email", N_("no e-mail consent"), ~Patient.email_consent),
    ):
        patients = OutboxMessage.patient_id.in_(select(Patient.id).where(condition))
        cancelled += cancel_open(patients & (OutboxMessage.channel == channel), reason)
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


def _plan(
    invitation: Invitation, channel: str, earliest: datetime, now: datetime, policy: Policy, deadline: datetime,
    daily_cap_from: datetime | None = None,
) -> tuple[Plan | None, str | None]:
    """The first allowed time for a new message to the invitation's patient, or why there is none."""
    patient = invitation.session.patient
    reason = block_reason_for(patient, channel)
    if reason is not None:
        return None, reason
    previous = previous_sends(patient.id)
    plan = send_plan(earliest, now, previous, patient.clinic.timezone, policy, deadline, daily_cap_from=daily_cap_from)
    return plan, None if plan else NO_TIME


def _new_row(
    invitation: Invitation, channel: str, kind: str, round_: int, now: datetime, plan: Plan | None,
    reason: str | None,
) -> OutboxMessage:
    """A pending row at the planned time, or a cancelled one saying why there is none."""
    return OutboxMessage(
        invitation_id=invitation.id, patient_id=invitation.session.patient.id, kind=kind, round=round_,
        channel=channel, created_at=now, due_at=plan.when if plan else now,
        status="pending" if plan else "cancelled", last_error=reason,
    )


def _commit_new(row: OutboxMessage) -> OutboxMessage | None:
    db.session.add(row)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()  # planned by someone else meanwhile: theirs stands
        return None
    if row.status == "pending":
        log.info("planned %s %s %s for patient %s at %s", row.kind, row.channel, row.id, row.patient.code,
                 row.due_at.isoformat())
    return row
