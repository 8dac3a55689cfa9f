"""Outcome flags: the treatment's PHQ-9, GAD-7 (any outcome scale with caseness and reliable change)
from the first (intake) score to each later one, by the NHS Talking Therapies definitions
(`dashboards.outcomes.classify`):

- `reliable_deterioration` (high): a reliable worsening on one measure (a rise on the PHQ-9 and
  GAD-7) and no reliable improvement on another. Patients who get worse are the ones routine outcome
  monitoring is for (Lambert 2013);
- `no_reliable_improvement` (watch): after outcome_review_sessions attended sessions, still at a
  clinical level with no reliable change (a project choice from issue 17, thresholds.py);
- `reliable_improvement` and `recovery` (positive): good news, never notified.

Each is judged at every session with an outcome answer, on the scores up to it, so an event keeps
the session where it began when later answers arrive; it is current while the latest answers still
show it, and its numbers are those of the latest answers of its stretch. Which way is worse is each
measure's own (`higher_is` in its instrument file): the reasons say which way a score moved and which
side of its cut-off it is on, so a clinic's measure whose higher scores are better reads right.
"""

import math
from collections.abc import Callable

from dashboards.flags.events import Event
from dashboards.flags.thresholds import Thresholds
from dashboards.flags.timeline import Timeline, runs
from dashboards.outcomes.classify import Change, Outcome, classify
from feedback.instruments.outcomes import DETERIORATION, IMPROVEMENT

#: Changes that must show in outcome_confirm answers in a row (thresholds.py): each answer is compared
#: with the same intake score, and weekly checks multiply the chances of a change by noise alone.
CONFIRMED = frozenset({"reliable_deterioration", "reliable_improvement", "recovery"})
SEVERITY = {"reliable_deterioration": "high", "no_reliable_improvement": "watch",
            "reliable_improvement": "positive", "recovery": "positive"}


def total(x: float) -> str:
    """Questionnaire totals are whole numbers: "9", not "9.0"."""
    return f"{x:g}"


def reading(c: Change) -> str:
    """"PHQ-9 9 → 16"."""
    return f"{c.measure.name} {total(c.first.total)} → {total(c.last.total)}"


def _lead(outcome: Outcome, rank: Callable[[Change], float]) -> Change:
    return max(outcome.changes, key=rank)


def _size(direction: str) -> Callable[[Change], float]:
    """Changes in `direction` first, the largest against its reliable-change size first."""
    def rank(c: Change) -> float:
        unit = c.measure.rules.reliable_change or 1.0
        return (c.direction == direction) * 1000 + abs(c.points) / unit
    return rank


def _severity(c: Change, score: float) -> float:
    """How far toward the measure's worse end a total is, against its cut-off (the larger, the worse)."""
    cutoff = c.measure.rules.caseness or 1.0
    if c.measure.rules.higher_is == "worse":
        return score / cutoff
    return cutoff / score if score > 0 else math.inf


def _still_case(c: Change) -> float:
    return bool(c.case_at_end) * 1000 + _severity(c, c.last.total)


def _case_side(c: Change, case: bool) -> str:
    """The side of the cut-off a case ("at or above") or a non-case ("below") is on, by the measure's direction."""
    worse = c.measure.rules.higher_is == "worse"
    return ("at or above" if worse else "at or below") if case else ("below" if worse else "above")


def _numbers(lead: Change, outcome: Outcome) -> dict[str, float | int | str]:
    rules = lead.measure.rules
    others = [reading(c) for c in outcome.changes if c is not lead]
    found: dict[str, float | int | str] = {
        "measure": lead.measure.name, "first": lead.first.total, "latest": lead.last.total,
        "first_session": lead.first.session_number, "session": lead.last.session_number,
    }
    if rules.reliable_change is not None:
        found["reliable_change"] = rules.reliable_change
    if rules.caseness is not None:
        found["caseness"] = rules.caseness
    if others:
        found["also"] = "; ".join(others)
    return found


def _moved(c: Change) -> str:
    """"a reliable rise" or "a reliable fall": which way the score went (better or worse is the measure's)."""
    if c.direction is None:
        return "within measurement error"
    return f"a reliable {'rise' if c.points > 0 else 'fall'}"


def _also(lead: Change, outcome: Outcome) -> str:
    others = [f"{reading(c)}, {_moved(c)}" for c in outcome.changes if c is not lead]
    return f" ({'; '.join(others)})" if others else ""


def _span(c: Change) -> str:
    return f"from {total(c.first.total)} at session {c.first.session_number} to {total(c.last.total)} at session " \
           f"{c.last.session_number}"


def _reliable(direction: str, outcome: Outcome) -> tuple[Change, str]:
    """A reliable deterioration's or improvement's reason, led by the measure that changed most that way;
    a deterioration adds that it is worth talking through."""
    lead = _lead(outcome, _size(direction))
    worse, moved = direction == DETERIORATION, "rose" if lead.points > 0 else "fell"  # which way is the measure's
    return lead, (f"{lead.measure.name} {moved} {_span(lead)}: {total(abs(lead.points))} points, at least the "
                  f"{total(lead.measure.rules.reliable_change or 0)} that count as a reliable change"
                  f"{' (more than measurement error explains)' if worse else ''}{_also(lead, outcome)}"
                  f"{'; worth talking through with the patient.' if worse else '.'}")


def _no_improvement(outcome: Outcome, sessions: int) -> tuple[Change, str]:
    lead = _lead(outcome, _still_case)
    return lead, (f"After {sessions} attended sessions {lead.measure.name} is {total(lead.last.total)} (it was "
                  f"{total(lead.first.total)} at session {lead.first.session_number}), still {_case_side(lead, True)} "
                  f"the clinical cut-off of {total(lead.measure.rules.caseness or 0)}, with no reliable improvement"
                  f"{_also(lead, outcome)}; a review of the treatment plan with the patient may help.")


def _recovery(outcome: Outcome, sessions: int) -> tuple[Change, str]:
    lead = _lead(outcome, lambda c: bool(c.case_at_start) * 1000 + _severity(c, c.first.total))
    cutoffs = " and ".join(f"{c.measure.name} {_case_side(c, False)} {total(c.measure.rules.caseness or 0)}"
                           for c in outcome.changes if c.measure.rules.caseness is not None)
    reliable = " and reliably improved (reliable recovery)" if outcome.reliably_improved else ""
    return lead, (f"At a clinical level at the start ({lead.measure.name} {total(lead.first.total)} at session "
                  f"{lead.first.session_number}), now out of the clinical range on every measure ({cutoffs})"
                  f"{reliable}: {'; '.join(reading(c) for c in outcome.changes)}.")


Holds = Callable[[Outcome, int, Thresholds], bool]  # (outcome so far, attended sessions, thresholds)
Explain = Callable[[Outcome, int], tuple[Change, str]]  # the measure the reason leads with, and the reason
RULES: dict[str, tuple[Holds, Explain]] = {
    "reliable_deterioration": (lambda o, n, th: o.reliably_deteriorated, lambda o, n: _reliable(DETERIORATION, o)),
    "no_reliable_improvement": (
        lambda o, n, th: (n >= th.outcome_review_sessions and o.case_at_end
                          and not o.reliably_improved and not o.reliably_deteriorated),
        _no_improvement),
    "reliable_improvement": (lambda o, n, th: o.reliably_improved, lambda o, n: _reliable(IMPROVEMENT, o)),
    "recovery": (lambda o, n, th: o.recovered, _recovery),
}


def outcome_events(t: Timeline, th: Thresholds) -> list[Event]:
    measures = [m for m in t.outcomes.values() if m.scores]
    answered = sorted({s.session_number for m in measures for s in m.scores})
    if not answered:
        return []
    attended = [s.number for s in t.sessions if s.attendance == "attended"]
    judged = [(n, classify(measures, through=n), sum(a <= n for a in attended)) for n in answered]
    judged = [j for j in judged if j[1].paired]
    events = []
    for code, (holds, explain) in RULES.items():
        flagged = {n for n, outcome, sessions in judged if holds(outcome, sessions, th)}
        for stretch in runs(judged, lambda j: j[0] in flagged):  # noqa: B023  (used at once, in this pass)
            confirm = th.outcome_confirm if code in CONFIRMED else 1
            if len(stretch) < confirm:
                continue  # one answer beyond the reliable change may be noise: wait for the next
            _, outcome, sessions = stretch[-1]
            lead, reason = explain(outcome, sessions)
            numbers = _numbers(lead, outcome) | ({"sessions": sessions} if code == "no_reliable_improvement" else {})
            if code == "recovery":
                numbers["reliable"] = int(outcome.reliably_improved)
            if stretch[-1] is not judged[-1]:
                numbers["until_session"] = stretch[-1][0]
            events.append(Event(code=code, severity=SEVERITY[code], session_number=stretch[confirm - 1][0],
                                reason=reason, numbers=numbers, current=stretch[-1] is judged[-1]))
    return events
