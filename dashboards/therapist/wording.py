"""Words for what the therapist pages show: event names, risk levels, attendance, end reasons, and
questionnaire answers as text, in the reader's language (the dictionaries hold the English, marked
for translation, which exports such as FHIR use as they are). Colour never carries a meaning alone,
so every badge has its word."""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_skeleton, format_time
from babel.numbers import format_percent

from dashboards.flags.wording import capital, label
from dashboards.speech import SPEAKER, say
from feedback.i18n import current_locale
from feedback.i18n import gettext as _
from feedback.instruments.model import Instrument, Item
from feedback.translatable import N_

if TYPE_CHECKING:
    from feedback.delivery.planner import FreshLink

#: Every event code of the flag engine (docs/flags.md), as a badge names it.
EVENT_NAMES = {
    "unresolved_rupture": N_("Unresolved rupture"),
    "rupture": N_("Rupture"),
    "repaired_rupture": N_("Tension talked through"),
    "appeasement": N_("Possible appeasement"),
    "unnamed_confrontation": N_("Frustration not named"),
    "rupture_missed": N_("Rupture you did not note"),
    "repeated_ruptures": N_("Repeated ruptures"),
    "reliable_decline": N_("Reliable decline"),
    "downward_trend": N_("Downward trend"),
    "sudden_drop": N_("Sudden drop"),
    "low_alliance": N_("Low alliance"),
    "quiet_withdrawal": N_("Possible quiet withdrawal"),
    "disengagement": N_("Disengagement"),
    "rupture_repair_episode": N_("Dip and recovery"),
    "reliable_deterioration": N_("Reliable deterioration"),
    "no_reliable_improvement": N_("No reliable improvement"),
    "reliable_improvement": N_("Reliable improvement"),
    "recovery": N_("Recovery"),
}
SEVERITY_WORDS = {"high": N_("High"), "watch": N_("Watch"), "note": N_("Note"), "positive": N_("Good sign")}
RISK_WORDS = {"high": N_("High risk"), "watch": N_("Watch"), "none": N_("No flag")}
ATTENDANCE_WORDS = {"scheduled": N_("Scheduled"), "attended": N_("Attended"),
                    "cancelled": N_("Cancelled by the patient"), "clinic_cancelled": N_("Cancelled by the clinic"),
                    "no_show": N_("No-show")}
END_REASON_WORDS = {"completed": N_("Completed"), "dropped_out": N_("Dropped out"), "transferred": N_("Transferred")}
#: An SMS due within this is said to go "now": the worker looks for due messages every 10 seconds
#: by default (DELIVERY_DISPATCH_SECONDS), so a minute covers it and the page's age.
SOON = timedelta(minutes=1)
DISENGAGEMENT_SUBJECTS = {"unanswered": N_("unanswered forms"), "missed": N_("missed sessions"), "gap": N_("long gap")}


#: An SMS's (or e-mail's) state in the outbox (feedback/models/outbox.py), as staff read it.
MESSAGE_STATUS_WORDS = {
    "pending": N_("pending"), "claimed": N_("being sent"), "sending": N_("being sent"), "sent": N_("sent"),
    "delivered": N_("delivered"), "undelivered": N_("undelivered"), "failed": N_("failed"),
    "uncertain": N_("uncertain"), "cancelled": N_("cancelled"),
}
#: What an event's numbers are called in its list of numbers (the keys the engine writes).
NUMBER_NAMES = {
    "tension": N_("tension"), "resolved": N_("resolved"), "kind": N_("kind"), "threshold": N_("threshold"),
    "ruptures": N_("ruptures"), "window": N_("window"), "sessions": N_("sessions"),
    "tension_min": N_("tension min"), "repaired_min": N_("repaired min"), "baseline": N_("baseline"),
    "baseline_sessions": N_("baseline sessions"), "score": N_("score"), "mean": N_("mean"), "cusum": N_("cusum"),
    "k": N_("k"), "within_sd": N_("within sd"), "part": N_("part"), "part_before": N_("part before"),
    "part_after": N_("part after"), "recovered_session": N_("recovered session"), "z": N_("z"),
    "alarm": N_("alarm"), "in_a_row": N_("in a row"), "low_cutoff": N_("low cutoff"),
    "unanswered": N_("unanswered"), "missed": N_("missed"), "weeks": N_("weeks"),
    "return_session": N_("return session"), "dip_score": N_("dip score"), "usual": N_("usual"),
    "measure": N_("measure"), "first": N_("first"), "latest": N_("latest"), "first_session": N_("first session"),
    "change": N_("change"), "reliable_change": N_("reliable change"), "cutoff": N_("cutoff"),
    "items": N_("items"), "answers": N_("answers"), "confirm": N_("confirm"), "dip_session": N_("dip session"),
    "dip_z": N_("dip z"), "early": N_("early"), "held_back": N_("held back"), "went_along": N_("went along"),
    "frustrated": N_("frustrated"), "last_session": N_("last session"), "return_score": N_("return score"),
    "session": N_("session"), "caseness": N_("caseness"), "also": N_("also"), "reliable": N_("reliable"),
    "until_session": N_("until session"), "days": N_("days"), "since_session": N_("since session"),
    "threshold_weeks": N_("threshold weeks"),
}
#: Words among the values of an event's numbers.
VALUE_WORDS = {
    "not answered": N_("not answered"), "unspecified": N_("unspecified"), "withdrawal": N_("withdrawal"),
    "confrontation": N_("confrontation"), "withdrawal and confrontation": N_("withdrawal and confrontation"),
    "bond": N_("bond"), "task": N_("task"), "goal": N_("goal"), "alliance": N_("alliance"),
}
#: An SMS due within this is said to go "now": the worker looks for due messages every 10 seconds
#: by default (DELIVERY_DISPATCH_SECONDS), so a minute covers it and the page's age.
SOON = timedelta(minutes=1)


class Spoken(Mapping[str, str]):
    """One of the dictionaries above, read in the page's language (for templates: `RISK_WORDS[level]`)."""

    def __init__(self, words: Mapping[str, str]) -> None:
        self._words = words

    def __getitem__(self, key: str) -> str:
        return _(self._words[key])

    def __iter__(self) -> Iterator[str]:
        return iter(self._words)

    def __len__(self) -> int:
        return len(self._words)


def event_name(code: str, subject: str | None = None) -> str:
    """"Reliable decline (bond)", "Disengagement (unanswered forms)", "Unresolved rupture"."""
    name = _(EVENT_NAMES[code]) if code in EVENT_NAMES else capital(code.replace("_", " "))
    if subject:
        name += f" ({_(DISENGAGEMENT_SUBJECTS.get(subject) or label(subject))})"
    return name


def flag_label(severity: str, code: str, subject: str | None = None) -> str:
    """A badge's words: "High · Unresolved rupture", "Watch · Sudden drop (bond)"."""
    return f"{_severity(severity)} · {event_name(code, subject)}"


def _severity(severity: str) -> str:
    return _(SEVERITY_WORDS[severity]) if severity in SEVERITY_WORDS else capital(severity)


def stored_event_name(event: Any) -> str:
    """The name of a stored event (`dashboards.risk.models.RiskEvent`), with its subject."""
    return event_name(event.code, event.subject)


def stored_flag_label(event: Any) -> str:
    return f"{_severity(event.severity)} · {stored_event_name(event)}"


def stored_reason(event: Any) -> str:
    """A stored event's reason in the reader's language: from its phrase; an event stored before
    reasons were phrases has only its English sentence."""
    message = getattr(event, "reason_message", None)
    return say(message) if message else event.reason


def stored_main_reason(risk: Any) -> str:
    """A treatment's main reason (`PatientRisk`, a caseload row or a high-risk case) in the reader's
    language; the English sentence for a row stored before phrases."""
    message = getattr(risk, "main_reason_message", None)
    return say(message) if message else risk.main_reason


def number_words(numbers: Mapping[str, object]) -> list[tuple[str, str]]:
    """An event's numbers as (name, value) pairs for a small list: "tension" → "5"."""
    return [(_(NUMBER_NAMES[key]) if key in NUMBER_NAMES else key.replace("_", " "), _plain(value))
            for key, value in numbers.items()]


def answer_text(item: Item, value: object, instrument: Instrument, language: str) -> str:
    """One answer as the form offered it: "4 of 5 (Completely)", "Yes", an option's label, the text."""
    if item.type == "likert" and isinstance(value, int) and not isinstance(value, bool):
        anchor = item.anchors.get(value)
        if anchor:
            return _("%(value)s of %(max)s (%(anchor)s)", value=value, max=item.max,
                     anchor=instrument.text(anchor, language))
        return _("%(value)s of %(max)s", value=value, max=item.max)
    if item.type == "yes_no" and isinstance(value, bool):
        return _("Yes") if value else _("No")
    if item.type in ("single_choice", "multiple_choice"):
        chosen = value if isinstance(value, list) else [value]
        labels = {o.id: instrument.text(o.label, language) for o in item.options}
        return "; ".join(labels.get(str(v), str(v)) for v in chosen)
    return str(value)


def clock(local: datetime) -> str:
    """"09:00": the 24-hour clock in every language (a project choice: clinic hours, the quiet hours
    and appointment times are read at a glance and never mistaken for the other half of the day)."""
    return _clock(local.hour, local.minute, current_locale())


def clinic_time(moment: datetime | None, zone: ZoneInfo, *, with_time: bool = True) -> str:
    """"Tue, Mar 3, 2026, 09:00" / "mar, 3 mar 2026, 09:00": in the clinic's zone, the page's language."""
    if moment is None:
        return "—"
    local = moment.astimezone(zone)
    day = _day(local.date(), current_locale())
    return _("%(day)s, %(time)s", day=day, time=clock(local)) if with_time else day


# Cached: Babel parses the pattern (and finds the skeleton's) on every call, and a caseload page
# writes about a hundred dates and times, most of them on the same few days.
@functools.lru_cache(maxsize=4096)
def _day(day: date, locale: Locale) -> str:
    return format_skeleton("yMMMEd", day, locale=locale)


@functools.lru_cache(maxsize=4096)
def _clock(hour: int, minute: int, locale: Locale) -> str:
    return format_time(time(hour, minute), "HH:mm", locale=locale)


def send_time(moment: datetime, now: datetime, zone: ZoneInfo) -> str:
    """When an SMS goes, said as a person would: "now", "today at 16:30", "tomorrow at 08:00",
    "on Thu, Jan 16, 2026 at 08:00" (in the clinic's zone)."""
    if moment <= now + SOON:
        return _("now")
    local, today = moment.astimezone(zone), now.astimezone(zone).date()
    at = clock(local)
    if local.date() == today:
        return _("today at %(time)s", time=at)
    if local.date() == today + timedelta(days=1):
        return _("tomorrow at %(time)s", time=at)
    return _("on %(day)s at %(time)s", day=clinic_time(moment, zone, with_time=False), time=at)


def fresh_link_done(number: int, respondent: str, sent: FreshLink, now: datetime, zone: ZoneInfo) -> str:
    """What the therapist is told after asking for a fresh link: where it goes, and exactly when."""
    if respondent == "therapist":
        return _("Your form for session %(number)s has a new link; the old one no longer works.", number=number)
    if sent.planned is not None:
        when = send_time(sent.planned.when, now, zone)
        by_email = sent.message is not None and sent.message.channel == "email"
        if sent.planned.because and by_email:
            return _("A fresh link for session %(number)s will go to the patient by e-mail %(when)s, because of "
                     "%(because)s. The old link no longer works.", number=number, when=when,
                     because=say(sent.planned.because))
        if sent.planned.because:
            return _("A fresh link for session %(number)s will go to the patient by SMS %(when)s, because of "
                     "%(because)s. The old link no longer works.", number=number, when=when,
                     because=say(sent.planned.because))
        if by_email:
            return _("A fresh link for session %(number)s will go to the patient by e-mail %(when)s. The old link "
                     "no longer works.", number=number, when=when)
        return _("A fresh link for session %(number)s will go to the patient by SMS %(when)s. The old link no "
                 "longer works.", number=number, when=when)
    return _("A fresh link for session %(number)s is ready to hand over (%(why)s); the old link no longer works.",
             number=number, why=say(sent.not_by_sms) if sent.not_by_sms else _("not by SMS or e-mail"))


def percent(value: float | None) -> str:
    # + 0.0 turns -0.0 into 0.0: the cache takes them for one key (they are equal), and "-0%" says nothing.
    return "—" if value is None else _percent(value + 0.0, current_locale())


@functools.lru_cache(maxsize=4096)
def _percent(value: float, locale: Locale) -> str:
    return format_percent(value, locale=locale)


def _plain(value: object) -> str:
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, float):
        return SPEAKER.number(value, None)
    if isinstance(value, list):
        return ", ".join(map(_plain, value))
    if isinstance(value, str) and value in VALUE_WORDS:
        return _(VALUE_WORDS[value])
    return str(value).replace("_", " ") if isinstance(value, str) and " " not in value else str(value)


def grouped_flags(flags: Sequence[Any]) -> list[tuple[Any, int, bool]]:
    """One badge per kind of flag (code and subject): (the latest, how many, any of them new).
    Three low-alliance sessions read as one "Low alliance ×3" badge, not three."""
    seen: dict[tuple[str, str | None], list[Any]] = {}
    for flag in flags:  # already most severe first, then latest
        seen.setdefault((flag.code, flag.subject), []).append(flag)
    return [(same[0], len(same), any(f.is_new for f in same)) for same in seen.values()]
