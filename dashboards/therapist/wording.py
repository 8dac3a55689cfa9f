"""Words for what the therapist pages show: event names, risk levels, attendance, end reasons, and
questionnaire answers as text. Colour never carries a meaning alone, so every badge has its word."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from dashboards.charts.dates import long_date
from dashboards.flags.wording import capital, label
from feedback.instruments.model import Instrument, Item

if TYPE_CHECKING:
    from feedback.delivery.planner import FreshLink

#: Every event code of the flag engine (docs/flags.md), as a badge names it.
EVENT_NAMES = {
    "unresolved_rupture": "Unresolved rupture",
    "rupture": "Rupture",
    "repaired_rupture": "Tension talked through",
    "appeasement": "Possible appeasement",
    "unnamed_confrontation": "Frustration not named",
    "rupture_missed": "Rupture you did not note",
    "repeated_ruptures": "Repeated ruptures",
    "reliable_decline": "Reliable decline",
    "downward_trend": "Downward trend",
    "sudden_drop": "Sudden drop",
    "low_alliance": "Low alliance",
    "quiet_withdrawal": "Possible quiet withdrawal",
    "disengagement": "Disengagement",
    "rupture_repair_episode": "Dip and recovery",
    "reliable_deterioration": "Reliable deterioration",
    "no_reliable_improvement": "No reliable improvement",
    "reliable_improvement": "Reliable improvement",
    "recovery": "Recovery",
}
SEVERITY_WORDS = {"high": "High", "watch": "Watch", "note": "Note", "positive": "Good sign"}
RISK_WORDS = {"high": "High risk", "watch": "Watch", "none": "No flag"}
ATTENDANCE_WORDS = {"scheduled": "Scheduled", "attended": "Attended", "cancelled": "Cancelled by the patient",
                    "clinic_cancelled": "Cancelled by the clinic", "no_show": "No-show"}
END_REASON_WORDS = {"completed": "Completed", "dropped_out": "Dropped out", "transferred": "Transferred"}
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
#: An SMS due within this is said to go "now": the worker looks for due messages every 10 seconds
#: by default (DELIVERY_DISPATCH_SECONDS), so a minute covers it and the page's age.
SOON = timedelta(minutes=1)
DISENGAGEMENT_SUBJECTS = {"unanswered": "unanswered forms", "missed": "missed sessions", "gap": "long gap"}


def event_name(code: str, subject: str | None = None) -> str:
    """"Reliable decline (bond)", "Disengagement (unanswered forms)", "Unresolved rupture"."""
    name = EVENT_NAMES.get(code, capital(code.replace("_", " ")))
    if subject:
        name += f" ({DISENGAGEMENT_SUBJECTS.get(subject) or label(subject)})"
    return name


def flag_label(severity: str, code: str, subject: str | None = None) -> str:
    """A badge's words: "High · Unresolved rupture", "Watch · Sudden drop (bond)"."""
    return f"{SEVERITY_WORDS.get(severity, capital(severity))} · {event_name(code, subject)}"


def stored_event_name(event: Any) -> str:
    """The name of a stored event (`dashboards.risk.models.RiskEvent`), with its subject."""
    return event_name(event.code, event.subject)


def stored_flag_label(event: Any) -> str:
    return f"{SEVERITY_WORDS.get(event.severity, capital(event.severity))} · {stored_event_name(event)}"


def number_words(numbers: Mapping[str, object]) -> list[tuple[str, str]]:
    """An event's numbers as (name, value) pairs for a small list: "tension" → "5"."""
    return [(key.replace("_", " "), _plain(value)) for key, value in numbers.items()]


def answer_text(item: Item, value: object, instrument: Instrument, language: str) -> str:
    """One answer as the form offered it: "4 of 5 (Completely)", "Yes", an option's label, the text."""
    if item.type == "likert" and isinstance(value, int) and not isinstance(value, bool):
        anchor = item.anchors.get(value)
        words = f" ({instrument.text(anchor, language)})" if anchor else ""
        return f"{value} of {item.max}{words}"
    if item.type == "yes_no" and isinstance(value, bool):
        return "Yes" if value else "No"
    if item.type in ("single_choice", "multiple_choice"):
        chosen = value if isinstance(value, list) else [value]
        labels = {o.id: instrument.text(o.label, language) for o in item.options}
        return "; ".join(labels.get(str(v), str(v)) for v in chosen)
    return str(value)


def clinic_time(moment: datetime | None, zone: ZoneInfo, *, with_time: bool = True) -> str:
    """"Tue 3 Mar 2026, 09:00" in the clinic's zone (the same in any server locale)."""
    if moment is None:
        return "—"
    local = moment.astimezone(zone)
    day = f"{WEEKDAYS[local.weekday()]} {long_date(local.date())}"
    return f"{day}, {local:%H:%M}" if with_time else day


def send_time(moment: datetime, now: datetime, zone: ZoneInfo) -> str:
    """When an SMS goes, said as a person would: "now", "today at 16:30", "tomorrow at 08:00",
    "on Thu 16 Jan 2026 at 08:00" (in the clinic's zone)."""
    if moment <= now + SOON:
        return "now"
    local, today = moment.astimezone(zone), now.astimezone(zone).date()
    days = {today: "today", today + timedelta(days=1): "tomorrow"}
    day = days.get(local.date()) or f"on {WEEKDAYS[local.weekday()]} {long_date(local.date())}"
    return f"{day} at {local:%H:%M}"


def fresh_link_done(number: int, respondent: str, sent: FreshLink, now: datetime, zone: ZoneInfo) -> str:
    """What the therapist is told after asking for a fresh link: where it goes, and exactly when."""
    if respondent == "therapist":
        return f"Your form for session {number} has a new link; the old one no longer works."
    if sent.planned is not None:
        because = f", because of {sent.planned.because}" if sent.planned.because else ""
        return (f"A fresh link for session {number} will go to the patient by SMS "
                f"{send_time(sent.planned.when, now, zone)}{because}. The old link no longer works.")
    return (f"A fresh link for session {number} is ready to hand over ({sent.not_by_sms or 'not by SMS'}); "
            "the old link no longer works.")


def percent(value: float | None) -> str:
    return "—" if value is None else f"{round(100 * value)}%"


def _plain(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".").replace("-", "−")
    if isinstance(value, list):
        return ", ".join(map(_plain, value))
    return str(value).replace("_", " ") if isinstance(value, str) and " " not in value else str(value)


def grouped_flags(flags: Sequence[Any]) -> list[tuple[Any, int, bool]]:
    """One badge per kind of flag (code and subject): (the latest, how many, any of them new).
    Three low-alliance sessions read as one "Low alliance ×3" badge, not three."""
    seen: dict[tuple[str, str | None], list[Any]] = {}
    for flag in flags:  # already most severe first, then latest
        seen.setdefault((flag.code, flag.subject), []).append(flag)
    return [(same[0], len(same), any(f.is_new for f in same)) for same in seen.values()]
