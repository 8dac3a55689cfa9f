"""One short line per event for lists (the caseload, the patient's header, the director's view).

The full reason stays the explanation; a brief is written to fit one line on a phone (about 60
characters), so lists shorten by design instead of cutting a sentence mid-word. Built from the
event's stored code, subject, session and numbers, so it works for events stored before it existed.
"""

from collections.abc import Callable, Mapping
from typing import Any

from dashboards.flags.wording import capital, label, score

Numbers = Mapping[str, Any]


def _scale(subject: str | None) -> str:
    """"Alliance", "Bond": the badge beside the line already says which flag it is."""
    return "Alliance" if subject in (None, "alliance") else capital(label(subject))


def _of5(value: Any) -> str:
    return f"{value} of 5" if isinstance(value, int) else "not rated"


def _span(sessions: Any) -> str:
    """"7, 8, 9" -> "sessions 7–9"; one session -> "session 7"."""
    numbers = [part.strip() for part in str(sessions or "").split(",") if part.strip()]
    if not numbers:
        return ""
    return f"session {numbers[0]}" if len(numbers) == 1 else f"sessions {numbers[0]}–{numbers[-1]}"


def _decline(subject: str | None, at: int | None, n: Numbers) -> str:
    line = f"{_scale(subject)} {score(n['mean'])}, usual {score(n['baseline'])} ({_span(n.get('sessions'))})"
    return line + ("; since recovered" if "recovered_session" in n else "")


def _disengagement(subject: str | None, at: int | None, n: Numbers) -> str:
    if subject == "unanswered":
        return f"{n['unanswered']} questionnaires in a row unanswered"
    if subject == "missed":
        return f"{n['missed']} of the last {n['window']} sessions missed or cancelled"
    return f"No session for {n['weeks']:g} weeks"


def _marker(kind: str) -> Callable[[str | None, int | None, Numbers], str]:
    def line(subject: str | None, at: int | None, n: Numbers) -> str:
        where = _span(n.get("sessions")) or f"session {at}"
        return f"Signs of unspoken {kind} ({where})"
    return line


def _total(x: Any) -> str:
    return f"{x:g}"


def _outcome(n: Numbers) -> str:
    """"PHQ-9 9 → 16 since session 1"."""
    return f"{n['measure']} {_total(n['first'])} → {_total(n['latest'])} since session {n['first_session']}"


BRIEFS: dict[str, Callable[[str | None, int | None, Numbers], str]] = {
    "unresolved_rupture": lambda s, at, n: f"Tension {_of5(n.get('tension'))}, unresolved ({_of5(n.get('resolved'))})",
    "repeated_ruptures": lambda s, at, n: f"Unrepaired tension in {n['ruptures']} of the last {n['window']} sessions",
    "appeasement": lambda s, at, n: "Tension rated resolved, but with signs of withdrawal",
    "rupture": lambda s, at, n: f"Tension {_of5(n.get('tension'))}, resolution {_of5(n.get('resolved'))}",
    "repaired_rupture": lambda s, at, n: f"Tension talked through ({_of5(n.get('resolved'))})",
    "rupture_missed": lambda s, at, n: "Patient reported tension; the therapist's form noted none",
    "reliable_decline": _decline,
    "sudden_drop": lambda s, at, n: f"{_scale(s)} fell to {score(n['score'])}, usual {score(n['baseline'])}",
    "downward_trend": lambda s, at, n: f"{_scale(s)} a little below its usual {score(n['baseline'])}",
    "low_alliance": lambda s, at, n: (f"Alliance {score(n['score'])}, below the low cutoff"
                                      + (f", {n['in_a_row']} in a row" if n.get("in_a_row", 1) > 1 else "")),
    "disengagement": _disengagement,
    "quiet_withdrawal": _marker("withdrawal"),
    "unnamed_confrontation": _marker("frustration"),
    "rupture_repair_episode": lambda s, at, n: (f"{_scale(s)} dipped with a rupture, back by session "
                                                f"{n['return_session']}"),
    "reliable_deterioration": lambda s, at, n: _outcome(n),
    "no_reliable_improvement": lambda s, at, n: (f"{n['measure']} still {_total(n['latest'])} after {n['sessions']} "
                                                 f"sessions (was {_total(n['first'])})"),
    "reliable_improvement": lambda s, at, n: _outcome(n),
    "recovery": lambda s, at, n: (f"Out of the clinical range: {n['measure']} {_total(n['latest'])}, "
                                  f"was {_total(n['first'])}"),
}


def brief(code: str, subject: str | None, session_number: int | None, numbers: Numbers, reason: str = "") -> str:
    """The event in one short line; the session it belongs to is added by the caller's layout.

    Falls back to the reason's first clause for an event this module does not know (or whose
    stored numbers predate a key it needs), so a list never shows nothing."""
    make = BRIEFS.get(code)
    if make is not None:
        try:
            return make(subject, session_number, numbers)
        except (KeyError, TypeError, ValueError):
            pass
    return reason.split(";")[0].split(":")[0].rstrip(".")
