"""When a message may go out: delays, quiet hours, caps, reminders, expiry and retry backoff.

Pure decisions over plain values. Every datetime in and out is timezone-aware and returned in
UTC; local rules (quiet hours, "one a day") are evaluated in the recipient's IANA time zone with
zoneinfo, so they stay right across daylight-saving changes.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

Respondent = Literal["patient", "therapist"]
#: What can hold a message back once it is due: see `earliest_send`.
Wait = Literal["quiet_hours", "daily_cap", "weekly_cap"]

MAX_ATTEMPTS = 6
RETRY_BASE = timedelta(seconds=30)
RETRY_CAP = timedelta(hours=1)
WEEK = timedelta(days=7)


@dataclass(frozen=True)
class Policy:
    patient_delay_minutes: int = 30  # after the session ends: time to leave the building
    therapist_delay_minutes: int = 0
    quiet_start: time = time(21, 0)  # recipient's local wall-clock time
    quiet_end: time = time(8, 0)
    reminder_after_hours: int = 24
    expires_after_hours: int = 72
    max_per_day: int = 1  # per local calendar day
    max_per_week: int = 3  # per rolling 7 days

    def __post_init__(self) -> None:
        for f in fields(self):  # f.type is the annotation's text: "int" or "time"
            value = getattr(self, f.name)
            if f.type == "time" and not isinstance(value, time):
                raise ValueError(f"{f.name} must be a time of day, not {value!r}")
            if f.type == "int" and (not isinstance(value, int) or isinstance(value, bool)):
                raise ValueError(f"{f.name} must be a whole number, not {value!r}")
            if f.type == "int" and value < 0:
                raise ValueError(f"{f.name} must not be negative")
        if self.max_per_day < 1 or self.max_per_week < 1:
            raise ValueError("max_per_day and max_per_week must be at least 1")
        if self.reminder_after_hours >= self.expires_after_hours:
            raise ValueError("reminder_after_hours must be less than expires_after_hours")

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Any]) -> Policy:
        """Build a policy from configuration; times may be "HH:MM", numbers may be strings."""
        known = {f.name: f.type for f in fields(cls)}
        unknown = sorted(set(mapping) - set(known))
        if unknown:
            raise ValueError(f"unknown delivery policy setting(s): {', '.join(unknown)}; known: {', '.join(known)}")
        values = {name: _parse(name, known[name], value) for name, value in mapping.items()}
        return cls(**values)


def _parse(name: str, kind: str, value: Any) -> Any:
    try:
        if kind == "time" and isinstance(value, str):
            return time.fromisoformat(value)
        if kind == "int" and isinstance(value, str):
            return int(value)
    except ValueError:
        raise ValueError(f"{name}: cannot read {value!r} as {kind}") from None
    return value


def as_utc(when: datetime | None) -> datetime:
    """`when` in UTC (now if None); naive datetimes are refused rather than guessed."""
    if when is None:
        return datetime.now(UTC)
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError(f"naive datetime {when!r}: pass a timezone-aware time")
    return when.astimezone(UTC)


def invitation_due(session_end_utc: datetime, respondent: Respondent, policy: Policy) -> datetime:
    delay = {"patient": policy.patient_delay_minutes, "therapist": policy.therapist_delay_minutes}
    return as_utc(session_end_utc) + timedelta(minutes=delay[respondent])


def reminder_due(sent_at: datetime, policy: Policy) -> datetime:
    return as_utc(sent_at) + timedelta(hours=policy.reminder_after_hours)


def expires_at(created_at: datetime, policy: Policy) -> datetime:
    return as_utc(created_at) + timedelta(hours=policy.expires_after_hours)


def in_quiet_hours(when_utc: datetime, tz_name: str, policy: Policy) -> bool:
    clock = as_utc(when_utc).astimezone(ZoneInfo(tz_name)).time()
    start, end = policy.quiet_start, policy.quiet_end
    if start < end:
        return start <= clock < end
    if start > end:  # the usual case: the quiet window spans midnight
        return clock >= start or clock < end
    return False  # equal bounds: no quiet hours


def shift_out_of_quiet_hours(when_utc: datetime, tz_name: str, policy: Policy) -> datetime:
    """`when_utc` itself, or the end of the quiet hours it falls in (the local morning)."""
    when_utc = as_utc(when_utc)
    if not in_quiet_hours(when_utc, tz_name, policy):
        return when_utc
    zone = ZoneInfo(tz_name)
    local = when_utc.astimezone(zone)
    morning = local.date()
    if policy.quiet_start > policy.quiet_end and local.time() >= policy.quiet_start:
        morning += timedelta(days=1)
    return _local_moment(morning, policy.quiet_end, zone)


def _local_moment(day: date, clock: time, zone: ZoneInfo) -> datetime:
    # Building the local wall time and converting (never adding hours to a local time) is what
    # keeps DST nights right. A wall time skipped by a spring-forward gap resolves, as zoneinfo
    # does with fold=0, to the same reading on the new offset: later, never inside the window.
    return datetime.combine(day, clock, tzinfo=zone).astimezone(UTC)


def cap_allows(previous_send_times_utc: Iterable[datetime], when_utc: datetime, tz_name: str, policy: Policy) -> bool:
    """Whether one more message at `when_utc` stays within the daily and weekly caps.

    Previous sends are the messages already sent (or committed to) for this recipient.
    """
    return _cap_free_at(list(previous_send_times_utc), as_utc(when_utc), tz_name, policy, None) is None


def _cap_free_at(
    previous: list[datetime], when: datetime, tz_name: str, policy: Policy, daily_from: datetime | None
) -> tuple[datetime, Wait] | None:
    """None if the caps allow a send at `when`, else the earliest moment they might and the cap in the way."""
    zone = ZoneInfo(tz_name)
    day = when.astimezone(zone).date()
    same_day = [
        t for t in previous
        if as_utc(t).astimezone(zone).date() == day and (daily_from is None or as_utc(t) >= daily_from)
    ]
    in_week = sorted(as_utc(t) for t in previous if when - WEEK < as_utc(t) <= when)
    waits: list[tuple[datetime, Wait]] = []
    if len(same_day) >= policy.max_per_day:
        waits.append((_local_moment(day + timedelta(days=1), time(0), zone), "daily_cap"))
    if len(in_week) >= policy.max_per_week:
        # The week frees up once enough of its oldest sends are more than 7 days back.
        waits.append((in_week[len(in_week) - policy.max_per_week] + WEEK, "weekly_cap"))
    return max(waits) if waits else None


@dataclass(frozen=True)
class SendTime:
    """The earliest moment a message may go, and what held it back until then, in the order met."""

    when: datetime
    reasons: tuple[Wait, ...] = ()


def earliest_send(
    when_utc: datetime,
    previous_send_times_utc: Iterable[datetime],
    tz_name: str,
    policy: Policy,
    deadline: datetime | None = None,
    *,
    daily_cap_from: datetime | None = None,
) -> SendTime | None:
    """The earliest moment from `when_utc` outside quiet hours and within the caps, and why not sooner.

    None if that moment would fall after `deadline` (typically the link's expiry). With
    `daily_cap_from`, the daily cap counts only the sends from that moment on (the weekly cap
    counts them all): see `rules.daily_cap_from`.
    """
    previous = list(previous_send_times_utc)
    candidate = as_utc(when_utc)
    limit = as_utc(deadline) if deadline is not None else None
    daily_from = as_utc(daily_cap_from) if daily_cap_from is not None else None
    reasons: list[Wait] = []
    while True:
        morning = shift_out_of_quiet_hours(candidate, tz_name, policy)
        if morning != candidate:
            candidate = morning
            reasons.append("quiet_hours")
        if limit is not None and candidate > limit:
            return None
        later = _cap_free_at(previous, candidate, tz_name, policy, daily_from)
        if later is None:
            return SendTime(candidate, tuple(dict.fromkeys(reasons)))
        candidate = later[0]  # strictly later each round, and the sends are finite: it ends
        reasons.append(later[1])


def retry_delay(attempt: int, rng: random.Random) -> timedelta:
    """Backoff before retry number `attempt` (1 = first retry): full jitter, 30 s base, 1 h cap.

    Full jitter (a uniform draw up to the exponential ceiling) spreads out retries from many
    rows that failed together, e.g. during a provider outage.
    """
    if attempt < 1:
        raise ValueError("attempt counts from 1")
    ceiling = min(RETRY_CAP, RETRY_BASE * 2 ** min(attempt - 1, 20))
    return timedelta(seconds=rng.uniform(0, ceiling.total_seconds()))
