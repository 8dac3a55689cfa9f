"""Clinic hours: the clock an unacknowledged safety alert waits on before it goes to the directors
(pure: standard library only).

A project choice, not a sourced figure: Monday to Friday, 08:00 to 18:00 in the clinic's own time
zone, when someone is expected to read the dashboard. A deployment changes it with
SAFETY_CLINIC_HOURS, e.g. "Mon-Sat 07:30-19:00" or "Sun-Thu 08:00-17:00". The app knows no
public holidays: they count as clinic hours (an earlier escalation, never a later one).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DEFAULT = "Mon-Fri 08:00-18:00"
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_PATTERN = re.compile(r"^\s*([a-z]{3})\s*-\s*([a-z]{3})\s+(\d{2}):(\d{2})\s*-\s*(\d{2}):(\d{2})\s*$", re.I)
#: A deadline further than this is a mistake in the settings, not a plan.
MAX_DAYS = 400


@dataclass(frozen=True)
class ClinicHours:
    days: frozenset[int]  # date.weekday(): Monday 0
    opens: time
    closes: time

    def window(self, day: date, zone: ZoneInfo) -> tuple[datetime, datetime] | None:
        """That local day's open hours in UTC, or None on a closed day."""
        if day.weekday() not in self.days:
            return None
        return (datetime.combine(day, self.opens, tzinfo=zone).astimezone(UTC),
                datetime.combine(day, self.closes, tzinfo=zone).astimezone(UTC))


def parse(text: str) -> ClinicHours:
    """"Mon-Fri 08:00-18:00" (days inclusive, a range may wrap: "Sun-Thu"); ValueError says what is wrong."""
    match = _PATTERN.match(text or "")
    if not match:
        raise ValueError(f"clinic hours must look like {DEFAULT!r}, got {text!r}")
    first, last = (match.group(i).lower() for i in (1, 2))
    if first not in DAYS or last not in DAYS:
        raise ValueError(f"clinic hours name days as {', '.join(d.title() for d in DAYS)}; got {text!r}")
    start, end = DAYS.index(first), DAYS.index(last)
    days = frozenset((start + i) % 7 for i in range((end - start) % 7 + 1))
    try:
        opens = time(int(match.group(3)), int(match.group(4)))
        closes = time(int(match.group(5)), int(match.group(6)))
    except ValueError:
        raise ValueError(f"clinic hours have a time that does not exist: {text!r}") from None
    if opens >= closes:
        raise ValueError(f"clinic hours must close after they open: {text!r}")
    return ClinicHours(days, opens, closes)


def deadline(start: datetime, hours: float, zone: ZoneInfo, clinic_hours: ClinicHours) -> datetime:
    """The moment (UTC) when `hours` of clinic hours have passed since `start`.

    Outside clinic hours the clock waits: an alert raised on Friday evening with 4 hours counts
    from Monday's opening. Each day's window is taken in the clinic's zone, so a change of summer
    time moves the opening with the local clock.
    """
    remaining = timedelta(hours=max(hours, 0))
    day = start.astimezone(zone).date()
    for _ in range(MAX_DAYS):
        window = clinic_hours.window(day, zone)
        if window is not None and start < window[1]:
            begin = max(start, window[0])
            if remaining <= window[1] - begin:
                return begin + remaining
            remaining -= window[1] - begin
        day += timedelta(days=1)
    raise ValueError(f"{hours} clinic hours end more than {MAX_DAYS} days after {start.isoformat()}")
