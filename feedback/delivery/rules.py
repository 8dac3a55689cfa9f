"""Plain decisions about one message: may this patient get SMS or e-mail, and should this row go out now?

Pure functions over plain values, so they are tested without an app or a database; the
planner, the dispatcher and `sessions.py` (to pick an invitation's channel) all ask here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from feedback.delivery.schedule import Policy, Wait, earliest_send
from feedback.phrases import Listed, Phrase, phrase
from feedback.translatable import N_

if TYPE_CHECKING:
    from feedback.models import Patient


#: The channels that send a message (the third, "link", is handed over by the therapist).
MESSAGE_CHANNELS = ("sms", "email")
#: Words for the therapist's screen, per channel: (opted out, no consent, no address). Stored as
#: English (an outbox row's `last_error`) and translated where they are shown, like every reason here.
_BLOCKED = {
    "sms": (N_("patient opted out of SMS"), N_("no SMS consent"), N_("no mobile number")),
    "email": (N_("patient unsubscribed from e-mail"), N_("no e-mail consent"), N_("no e-mail address")),
}
BOUNCED = N_("the e-mail address bounced")


def block_reason(
    channel: str, *, consent: bool, has_address: bool, opted_out: bool, preferred_channel: str, bounced: bool = False
) -> str | None:
    """Why a patient cannot get messages on `channel` (words for the therapist's screen), or None if they can."""
    opted_out_words, no_consent, no_address = _BLOCKED[channel]
    if opted_out:
        return opted_out_words
    if bounced:
        return BOUNCED
    if not consent:
        return no_consent
    if not has_address:
        return no_address
    if preferred_channel == "link":
        return N_("patient prefers the link")
    return None


def patient_block_reason(patient: Patient, channel: str = "sms") -> str | None:
    """`block_reason` for a patient record."""
    if channel == "email":
        return block_reason(
            "email", consent=patient.email_consent, has_address=patient.has_email,
            opted_out=patient.email_opted_out_at is not None, preferred_channel=patient.preferred_channel,
            bounced=patient.email_bounced_at is not None,
        )
    return block_reason(
        "sms", consent=patient.sms_consent, has_address=patient.has_phone,
        opted_out=patient.sms_opted_out_at is not None, preferred_channel=patient.preferred_channel,
    )


def channel_order(preferred_channel: str) -> tuple[str, ...]:
    """The channels to try for a patient, their preferred one first: a patient who prefers e-mail
    but unsubscribed from it still gets SMS if they agreed to SMS, and the other way round."""
    if preferred_channel == "link":
        return ()
    return tuple(sorted(MESSAGE_CHANNELS, key=lambda channel: channel != preferred_channel))


def first_open_channel(preferred_channel: str, reasons: dict[str, str | None]) -> str | None:
    """The first channel of `channel_order` with no block reason; None: the link is handed over."""
    return next((channel for channel in channel_order(preferred_channel) if reasons.get(channel) is None), None)


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

ANSWERED = N_("already answered")
EXPIRED = N_("link expired before it could be sent")

NO_TIME = N_("no allowed sending time before the link expires")


def send_verdict(
    *,
    block_reason: str | None,
    completed: bool,
    expires_at: datetime,
    now: datetime,
    previous_sends: Iterable[datetime],
    tz_name: str,
    policy: Policy,
    daily_cap_from: datetime | None = None,
) -> Verdict:
    """The last check before a claimed row goes to the provider.

    Everything may have changed since the row was planned: the patient opted out or answered,
    the link expired, a retry or a backlog pushed the row into the quiet hours, or another
    message to the same patient went out first and used up the day's cap.
    """
    if block_reason:
        return Cancel(block_reason)
    if completed:
        return Cancel(ANSWERED)
    if now >= expires_at:
        return Cancel(EXPIRED)
    found = earliest_send(now, previous_sends, tz_name, policy, deadline=expires_at, daily_cap_from=daily_cap_from)
    if found is None:
        return Cancel(NO_TIME)
    return Go() if found.when <= now else Postpone(found.when)


def daily_cap_from(kind: str, created_at: datetime) -> datetime | None:
    """From when the daily cap counts a message's predecessors (None: all of them).

    A fresh link is always a person's explicit request, made on the patient's page where the
    day's earlier SMS are listed; when the daily cap is the only thing in the way the therapist
    may send it now (`planner.fresh_link_timing`), so the last check before sending counts only
    what went out after the request. Quiet hours, opt-out and the weekly cap still hold.
    """
    return created_at if kind == "fresh_link" else None


#: Why a message waits: the delay after the session, what `schedule.earliest_send` met, or a
#: retry after a sending problem (the dispatcher's backoff).
Reason = Literal["delay_after_session", Wait, "retry"]


@dataclass(frozen=True)
class Plan:
    """When a message is to go, and what holds it back until then (nothing: it goes as soon as it may)."""

    when: datetime
    reasons: tuple[Reason, ...] = ()


def send_plan(
    earliest: datetime,
    now: datetime,
    previous_sends: Iterable[datetime],
    tz_name: str,
    policy: Policy,
    deadline: datetime,
    *,
    daily_cap_from: datetime | None = None,
) -> Plan | None:
    """When a new message should go out: not before `earliest` (the session's end and the delay
    after it, for an invitation) nor now, outside quiet hours, within the caps, and no later than
    `deadline` (None: it cannot be sent in time)."""
    previous = list(previous_sends)
    found = earliest_send(max(earliest, now), previous, tz_name, policy, deadline, daily_cap_from=daily_cap_from)
    if found is None:
        return None
    # The delay is a reason only if the message would otherwise go sooner (not when a cap or the
    # night would hold it until the same moment anyway).
    sooner = earliest_send(now, previous, tz_name, policy, deadline, daily_cap_from=daily_cap_from)
    delay: tuple[Reason, ...] = ("delay_after_session",) if sooner and sooner.when < found.when else ()
    return Plan(found.when, delay + found.reasons)


def reason_words(reason: Reason, policy: Policy) -> Phrase:
    """A reason as a phrase for the therapist's screen: "quiet hours (21:00–08:00)". The caps count
    a patient's SMS and e-mails together, so they say "message"."""
    if reason == "delay_after_session":
        return phrase(N_("the %(minutes)s-minute wait after the session"), minutes=policy.patient_delay_minutes)
    if reason == "retry":
        return phrase(N_("a sending problem (it is tried again)"))
    if reason == "quiet_hours":
        return phrase(N_("quiet hours (%(start)s–%(end)s)"), start=f"{policy.quiet_start:%H:%M}",
                      end=f"{policy.quiet_end:%H:%M}")
    if reason == "daily_cap":
        if policy.max_per_day == 1:
            return phrase(N_("the limit of one message a day"))
        return phrase(N_("the limit of %(count)s messages a day"), count=policy.max_per_day)
    if policy.max_per_week == 1:
        return phrase(N_("the limit of one message in 7 days"))
    return phrase(N_("the limit of %(count)s messages in 7 days"), count=policy.max_per_week)


def cannot_go_now(channel: str, held: Listed | None) -> Phrase:
    """Why a fresh link's message cannot go now as the therapist asked: `held` its reasons
    (`timing.in_words`), None when nothing can go before the new link would expire."""
    if channel == "email":
        if held is not None:
            return phrase(N_("The e-mail cannot go now, because of %(held)s; nothing was changed."), held=held)
        return phrase(N_("The e-mail cannot go before the new link would expire; nothing was changed."))
    if held is not None:
        return phrase(N_("The SMS cannot go now, because of %(held)s; nothing was changed."), held=held)
    return phrase(N_("The SMS cannot go before the new link would expire; nothing was changed."))
