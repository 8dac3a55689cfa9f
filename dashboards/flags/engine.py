"""The entry point: every rule over one treatment as of a date, and the current risk level."""

import datetime
from collections.abc import Collection, Iterable
from itertools import chain

from dashboards.flags.change import Charts, change_events
from dashboards.flags.engagement import disengagement_events
from dashboards.flags.events import Evaluation, Event, order, risk_level
from dashboards.flags.history import PatientHistory
from dashboards.flags.low_alliance import low_alliance_events
from dashboards.flags.markers import marker_events
from dashboards.flags.outcome import outcome_events, rated_high_on
from dashboards.flags.repair import repair_events
from dashboards.flags.ruptures import rupture_events
from dashboards.flags.thresholds import DEFAULT_THRESHOLDS, Thresholds
from dashboards.flags.timeline import Timeline, build_timeline, timelines

# Current events of these kinds turn current disengagement from watch into high: withdrawal in
# behaviour together with an unresolved or repeated rupture, or a confirmed decline. Watch-level
# signals do not escalate: with everyday noise, escalating on them made a high for one stable
# patient in seven (docs/flags.md, the validation).
RUPTURE_OR_DECLINE = frozenset({"unresolved_rupture", "repeated_ruptures", "reliable_decline"})


def evaluate(history: PatientHistory, as_of: datetime.date,
             thresholds: Thresholds = DEFAULT_THRESHOLDS) -> Evaluation:
    """All events for the treatment as known on `as_of` (later sessions are ignored).

    Deterministic: the same history, date and thresholds always give the same result.
    """
    t = build_timeline(history, as_of, thresholds.recent_sessions)
    events = _alerting_events(t, thresholds) + marker_events(t, thresholds) + repair_events(t, thresholds)
    events += disengagement_events(t, thresholds, _escalates(t, events))
    return Evaluation(risk=risk_level(events), events=order(events))


def rated_high(history: PatientHistory, days: Iterable[datetime.date],
               thresholds: Thresholds = DEFAULT_THRESHOLDS) -> bool:
    """Whether `evaluate(history, day, thresholds).risk` is "high" on any of `days`, at a fraction
    of the cost: the history is sorted and scored once, its change charts reused from day to day
    (latest day first: an earlier day's chart is a slice of the later one's where its series begins
    the later one's), the outcome rules judged once for every day (`rated_high_on`), and the rules
    that never rate a treatment high nor escalate disengagement are left out: the marker and repair
    rules, and the outcome rules (reliable deterioration, their one high, escalates nothing)."""
    days = sorted(days, reverse=True)
    walk = timelines(history, days, thresholds.recent_sessions)
    latest = next(walk, None)
    if latest is None:
        return False
    by_outcome = rated_high_on(latest, days, thresholds)
    if by_outcome:
        return True
    charts = Charts()
    for t in chain([latest], walk):
        events = _alerting_events(t, thresholds, charts, outcome_severities=("high",) if by_outcome is None else ())
        if risk_level(events) == "high":
            return True
        # Current disengagement is high only when escalated (disengagement_events).
        if _escalates(t, events) and risk_level(disengagement_events(t, thresholds, True)) == "high":
            return True
    return False


def _alerting_events(t: Timeline, thresholds: Thresholds, charts: Charts | None = None,
                     outcome_severities: Collection[str] | None = None) -> list[Event]:
    """The rules that can rate a treatment high (and whose events escalate disengagement);
    `outcome_severities`: only the outcome events of these severities; None: all of them; (): none."""
    return [
        *rupture_events(t, thresholds),
        *change_events(t, thresholds, charts),
        *low_alliance_events(t, thresholds),
        *(outcome_events(t, thresholds, outcome_severities) if outcome_severities != () else ()),
    ]


def _escalates(t: Timeline, events: list[Event]) -> bool:
    # The last answered form counts even when silence has pushed it out of the recent sessions:
    # an unresolved rupture followed by unanswered forms is the classic way out of treatment.
    last_answered = max((s.number for s in t.sessions if s.patient is not None and s.patient.answered), default=None)
    return any(e.code in RUPTURE_OR_DECLINE and (e.current or e.session_number == last_answered) for e in events)
