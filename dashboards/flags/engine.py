"""The entry point: every rule over one treatment as of a date, and the current risk level."""

import datetime

from dashboards.flags.change import change_events
from dashboards.flags.engagement import disengagement_events
from dashboards.flags.events import Evaluation, Event, order, risk_level
from dashboards.flags.history import PatientHistory
from dashboards.flags.low_alliance import low_alliance_events
from dashboards.flags.repair import repair_events
from dashboards.flags.ruptures import rupture_events
from dashboards.flags.thresholds import DEFAULT_THRESHOLDS, Thresholds
from dashboards.flags.timeline import build_timeline

# Current events of these kinds turn current disengagement from watch into high: a rupture
# the patient reported (a quiet withdrawal counts: withdrawal in the answers and in behaviour
# together), or a fall of at least the reliable-change size. Not escalating: downward_trend,
# by definition a drift not (yet) beyond measurement error, so a drift plus two missed sessions
# stays two watch signals; and rupture_missed for a rupture the patient says was repaired,
# which is good news (docs/clinical-model.md) even when the therapist did not notice it.
RUPTURE_OR_DECLINE = frozenset({
    "unresolved_rupture", "rupture", "rupture_missed", "repeated_ruptures", "quiet_withdrawal",
    "reliable_decline", "sudden_drop",
})


def evaluate(history: PatientHistory, as_of: datetime.date,
             thresholds: Thresholds = DEFAULT_THRESHOLDS) -> Evaluation:
    """All events for the treatment as known on `as_of` (later sessions are ignored).

    Deterministic: the same history, date and thresholds always give the same result.
    """
    t = build_timeline(history, as_of, thresholds.recent_sessions)
    events: list[Event] = [
        *rupture_events(t, thresholds),
        *change_events(t, thresholds),
        *repair_events(t, thresholds),
        *low_alliance_events(t, thresholds),
    ]
    repaired = {e.session_number for e in events if e.code == "repaired_rupture"}
    escalate = any(e.current and e.code in RUPTURE_OR_DECLINE
                   and not (e.code == "rupture_missed" and e.session_number in repaired)
                   for e in events)
    events += disengagement_events(t, thresholds, escalate)
    return Evaluation(risk=risk_level(events), events=order(events))
