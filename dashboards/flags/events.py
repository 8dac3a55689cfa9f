"""What the engine reports, the current risk level, and which events are new.

Evaluating and deciding to notify are separate steps (as in Redash's alerts): `evaluate`
always recomputes every event from the data; `new_events` compares stable keys with the keys
already seen and picks what is worth telling the therapist about.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from feedback.phrases import Phrase

SEVERITIES = ("high", "watch", "note", "positive")
#: The severities that are alerts: they set the risk level and are notified. A note is shown on
#: the patient's page only (a slight tension, a drift within ordinary variation); a positive
#: event is good news.
ALERTS = ("high", "watch")
RISK_LEVELS = ("none", "watch", "high")


@dataclass(frozen=True)
class Event:
    code: str
    severity: str  # "high" | "watch" | "note" | "positive"
    session_number: int | None  # the session it belongs to; None = not tied to a session
    reason: str  # one plain-English sentence with the numbers (given as a Phrase: its English)
    numbers: Mapping[str, float | int | str]  # the numbers behind it, JSON-serialisable
    current: bool  # counts toward the current risk level
    # Tells apart events sharing code and session: the scale ("bond", "alliance") or the
    # disengagement signal ("unanswered", "missed", "gap").
    subject: str | None = None
    #: The reason as a phrase, stored beside it and read in each clinician's language; set from a
    #: Phrase given as `reason`.
    message: Phrase | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if isinstance(self.reason, Phrase):
            object.__setattr__(self, "message", self.reason)
            object.__setattr__(self, "reason", str(self.reason))

    def to_dict(self) -> dict[str, object]:
        return {
            "key": event_key(self),
            "code": self.code,
            "severity": self.severity,
            "session_number": self.session_number,
            "subject": self.subject,
            "current": self.current,
            "reason": self.reason,
            "numbers": dict(self.numbers),
        }


@dataclass(frozen=True)
class Evaluation:
    risk: str  # "none" | "watch" | "high"
    events: tuple[Event, ...]  # ordered by session, then code

    def to_dict(self) -> dict[str, object]:
        """Plain data for JSON or CSV export."""
        return {"risk": self.risk, "events": [e.to_dict() for e in self.events]}

    @property
    def current_events(self) -> tuple[Event, ...]:
        return tuple(e for e in self.events if e.current)


def event_key(event: Event) -> str:
    """Stable identity of an event across evaluations, e.g. "reliable_decline:bond:9"."""
    parts = [event.code, event.subject, event.session_number]
    return ":".join(str(p) for p in parts if p is not None)


def risk_level(events: Iterable[Event]) -> str:
    """High if any current high event, watch if any current watch event; notes and positives never count."""
    severities = {e.severity for e in events if e.current}
    if "high" in severities:
        return "high"
    return "watch" if "watch" in severities else "none"


def order(events: Iterable[Event]) -> tuple[Event, ...]:
    """By session (events without a session last), then code, then subject."""
    return tuple(sorted(events, key=lambda e: (
        e.session_number is None, e.session_number or 0, e.code, e.subject or "")))


def new_events(previous: Iterable[str], evaluation: Evaluation) -> list[Event]:
    """Current alerts whose key is not among the keys already seen (`previous`).

    Notes and positive events are shown on the dashboard, not notified; events that are no
    longer current (e.g. found in old data on a first evaluation) are history, not news.
    """
    seen = set(previous)
    return [
        e for e in evaluation.events
        if e.current and e.severity in ALERTS and event_key(e) not in seen
    ]
