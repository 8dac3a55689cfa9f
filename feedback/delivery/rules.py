"""Plain decisions about one message: may this patient get SMS, and should this row go out now?

Pure functions over plain values, so they are tested without an app or a database; the
planner, the dispatcher and `sessions.py` (to pick an invitation's channel) all ask here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from feedback.delivery.schedule import Policy, next_send_time

if TYPE_CHECKING:
    from feedback.models import Patient


def sms_block_reason(*, consent: bool, has_phone: bool, opted_out: bool, preferred_channel: str) -> str | None:
    """Why a patient cannot get SMS (words for the therapist's screen), or None if they can."""
    if opted_out:
        return "patient opted out of SMS"
    if not consent:
        return "no SMS consent"
    if not has_phone:
        return "no mobile number"
    if preferred_channel != "sms":
        return "patient prefers the link"
    return None


def patient_block_reason(patient: Patient) -> str | None:
    """`sms_block_reason` for a patient record."""
    return sms_block_reason(
        consent=patient.sms_consent,
        has_phone=patient.has_phone,
        opted_out=patient.sms_opted_out_at is not None,
        preferred_channel=patient.preferred_channel,
    )


@dataclass(frozen=True)
class Go:
    """Send now."""


@dataclass(frozen=True)
class Postpone:
    """Not now (quiet hours or caps): back to the queue until `until`."""

    until: datetime


@dataclass(frozen=True)
class Cancel:
    """Never: the reason is shown to staff."""

    reason: str


Verdict = Go | Postpone | Cancel


def send_verdict(
    *,
    block_reason: str | None,
    completed: bool,
    expires_at: datetime,
    now: datetime,
    previous_sends: Iterable[datetime],
    tz_name: str,
    policy: Policy,
) -> Verdict:
    """The last check before a claimed row goes to the provider.

    Everything may have changed since the row was planned: the patient opted out or answered,
    the link expired, a retry or a backlog pushed the row into the quiet hours, or another
    message to the same patient went out first and used up the day's cap.
    """
    if block_reason:
        return Cancel(block_reason)
    if completed:
        return Cancel("already answered")
    if now >= expires_at:
        return Cancel("link expired before it could be sent")
    when = next_send_time(now, previous_sends, tz_name, policy, deadline=expires_at)
    if when is None:
        return Cancel("no allowed sending time before the link expires")
    return Go() if when <= now else Postpone(when)


def planned_time(
    earliest: datetime,
    now: datetime,
    previous_sends: Iterable[datetime],
    tz_name: str,
    policy: Policy,
    deadline: datetime,
) -> datetime | None:
    """When a new message should go out: not before `earliest` nor now, outside quiet hours,
    within the caps, and no later than `deadline` (None: it cannot be sent in time)."""
    return next_send_time(max(earliest, now), previous_sends, tz_name, policy, deadline=deadline)
