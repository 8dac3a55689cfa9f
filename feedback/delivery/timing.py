"""When an SMS goes and why: the schedule's pure rules (`rules`, `schedule`) applied to the outbox.

The planner plans with these, the dispatcher makes its last check with them, and the therapist's
page explains a queued message with them, so that all three read the rules the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from feedback.delivery.rules import Plan, reason_words, send_plan
from feedback.delivery.schedule import Policy, invitation_due
from feedback.delivery.settings import settings
from feedback.extensions import db
from feedback.models import Patient
from feedback.models.outbox import OPEN_STATUSES, REACHED_STATUSES, OutboxMessage
from feedback.phrases import Listed

#: Statuses whose due or send time counts against a patient's caps when planning.
COUNTED = OPEN_STATUSES + REACHED_STATUSES


def policy_for(patient: Patient) -> Policy:
    return settings().policy_for(patient.clinic.name)


@dataclass(frozen=True)
class Send:
    """One of a patient's messages as the caps see it: when it went (or is due to go) out."""

    invitation_id: int
    status: str
    at: datetime


def sends_of(patient_id: int, *, statuses: tuple[str, ...] = COUNTED, exclude: int | None = None) -> list[Send]:
    """The patient's messages (but the outbox row `exclude`) that count against the caps."""
    when = func.coalesce(OutboxMessage.sent_at, OutboxMessage.last_attempt_at, OutboxMessage.due_at)
    query = select(OutboxMessage.invitation_id, OutboxMessage.status, when).where(
        OutboxMessage.patient_id == patient_id, OutboxMessage.status.in_(statuses)
    )
    if exclude is not None:
        query = query.where(OutboxMessage.id != exclude)
    return [Send(invitation_id, status, at) for invitation_id, status, at in db.session.execute(query) if at]


def previous_sends(
    patient_id: int, *, statuses: tuple[str, ...] = COUNTED, exclude: int | None = None
) -> list[datetime]:
    """When the patient's other messages went (or are due to go) out, for the caps."""
    return [send.at for send in sends_of(patient_id, statuses=statuses, exclude=exclude)]


@dataclass(frozen=True)
class Planned:
    """A plan as the therapist's screen says it."""

    when: datetime
    because: Listed | None  # "quiet hours (21:00–08:00) and …", said at the edge; None: nothing holds it back


def in_words(plan: Plan, policy: Policy) -> Planned:
    words = tuple(reason_words(reason, policy) for reason in plan.reasons)
    return Planned(plan.when, Listed(words) if words else None)


def queued_plan(row: OutboxMessage, now: datetime) -> Planned:
    """When a queued row goes and why not sooner: the planner's own plan for it, made now.

    A row already due goes at the dispatcher's next round. A later one is explained by planning
    it again from now; if that lands elsewhere, the row waits for a retry (or for something that
    has changed since), and its own due time is what the dispatcher acts on.
    """
    if row.due_at <= now:
        return Planned(row.due_at, None)
    patient, invitation = row.patient, row.invitation
    policy = policy_for(patient)
    earliest = invitation_due(invitation.session.ends_at, "patient", policy) if row.kind == "invitation" else now
    plan = send_plan(earliest, now, previous_sends(patient.id, exclude=row.id), patient.clinic.timezone, policy,
                     invitation.expires_at)
    if plan is not None and plan.when == row.due_at:
        return in_words(plan, policy)
    return in_words(Plan(row.due_at, ("retry",) if row.attempts else ()), policy)


def without_queued(sends: Iterable[Send], invitation_id: int) -> list[datetime]:
    """The send times but those still queued for `invitation_id` (which a fresh link cancels)."""
    return [s.at for s in sends if not (s.invitation_id == invitation_id and s.status in OPEN_STATUSES)]
