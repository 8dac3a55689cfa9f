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

import datetime
import math
from bisect import bisect_right
from collections.abc import Callable, Collection, Iterable

from dashboards.flags.events import Event
from dashboards.flags.thresholds import Thresholds
from dashboards.flags.timeline import Timeline, runs
from dashboards.outcomes.classify import Change, Outcome, classify
from dashboards.outcomes.series import Measure
from feedback.instruments.outcomes import DETERIORATION, IMPROVEMENT
from feedback.phrases import Listed, Num, Phrase, phrase
from feedback.translatable import N_

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


def _case_side(c: Change, case: bool) -> Phrase:
    """The side of the cut-off a case ("at or above") or a non-case ("below") is on, by the measure's direction."""
    worse = c.measure.rules.higher_is == "worse"
    if case:
        return Phrase(N_("at or above") if worse else N_("at or below"))
    return Phrase(N_("below") if worse else N_("above"))


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


def _moved(c: Change) -> Phrase:
    """"a reliable rise" or "a reliable fall": which way the score went (better or worse is the measure's)."""
    if c.direction is None:
        return Phrase(N_("within measurement error"))
    return Phrase(N_("a reliable rise") if c.points > 0 else N_("a reliable fall"))


def _also(lead: Change, outcome: Outcome) -> Phrase | str:
    others = [phrase(N_("%(reading)s, %(moved)s"), reading=reading(c), moved=_moved(c))
              for c in outcome.changes if c is not lead]
    return phrase(N_(" (%(others)s)"), others=Listed(tuple(others), sep="; ")) if others else ""


def _span(c: Change) -> Phrase:
    return phrase(N_("from %(first)s at session %(first_session)s to %(last)s at session %(last_session)s"),
                  first=Num(c.first.total), first_session=c.first.session_number, last=Num(c.last.total),
                  last_session=c.last.session_number)


def _reliable(direction: str, outcome: Outcome) -> tuple[Change, Phrase]:
    """A reliable deterioration's or improvement's reason, led by the measure that changed most that way;
    a deterioration adds that it is worth talking through."""
    lead = _lead(outcome, _size(direction))
    moved = Phrase(N_("rose") if lead.points > 0 else N_("fell"))  # which way is better is the measure's
    reason = (N_("%(measure)s %(moved)s %(span)s: %(points)s points, at least the %(reliable)s that count as a "
                 "reliable change (more than measurement error explains)%(also)s; worth talking through with the "
                 "patient.") if direction == DETERIORATION else
              N_("%(measure)s %(moved)s %(span)s: %(points)s points, at least the %(reliable)s that count as a "
                 "reliable change%(also)s."))
    return lead, phrase(reason, measure=lead.measure.name, moved=moved, span=_span(lead), points=Num(abs(lead.points)),
                        reliable=Num(lead.measure.rules.reliable_change or 0), also=_also(lead, outcome))


def _no_improvement(outcome: Outcome, sessions: int) -> tuple[Change, Phrase]:
    lead = _lead(outcome, _still_case)
    return lead, phrase(
        N_("After %(sessions)s attended sessions %(measure)s is %(latest)s (it was %(first)s at session "
           "%(first_session)s), still %(side)s the clinical cut-off of %(cutoff)s, with no reliable "
           "improvement%(also)s; a review of the treatment plan with the patient may help."),
        sessions=sessions, measure=lead.measure.name, latest=Num(lead.last.total), first=Num(lead.first.total),
        first_session=lead.first.session_number, side=_case_side(lead, True),
        cutoff=Num(lead.measure.rules.caseness or 0), also=_also(lead, outcome))


def _recovery(outcome: Outcome, sessions: int) -> tuple[Change, Phrase]:
    lead = _lead(outcome, lambda c: bool(c.case_at_start) * 1000 + _severity(c, c.first.total))
    cutoffs = Listed(tuple(phrase(N_("%(measure)s %(side)s %(cutoff)s"), measure=c.measure.name,
                                  side=_case_side(c, False), cutoff=Num(c.measure.rules.caseness or 0))
                           for c in outcome.changes if c.measure.rules.caseness is not None))
    reliable = Phrase(N_(" and reliably improved (reliable recovery)")) if outcome.reliably_improved else ""
    return lead, phrase(
        N_("At a clinical level at the start (%(measure)s %(first)s at session %(session)s), now out of the clinical "
           "range on every measure (%(cutoffs)s)%(reliable)s: %(readings)s."),
        measure=lead.measure.name, first=Num(lead.first.total), session=lead.first.session_number, cutoffs=cutoffs,
        reliable=reliable, readings=Listed(tuple(reading(c) for c in outcome.changes), sep="; "))


Holds = Callable[[Outcome, int, Thresholds], bool]  # (outcome so far, attended sessions, thresholds)
Explain = Callable[[Outcome, int], tuple[Change, Phrase]]  # the measure the reason leads with, and the reason
RULES: dict[str, tuple[Holds, Explain]] = {
    "reliable_deterioration": (lambda o, n, th: o.reliably_deteriorated, lambda o, n: _reliable(DETERIORATION, o)),
    "no_reliable_improvement": (
        lambda o, n, th: (n >= th.outcome_review_sessions and o.case_at_end
                          and not o.reliably_improved and not o.reliably_deteriorated),
        _no_improvement),
    "reliable_improvement": (lambda o, n, th: o.reliably_improved, lambda o, n: _reliable(IMPROVEMENT, o)),
    "recovery": (lambda o, n, th: o.recovered, _recovery),
}


Judged = tuple[int, Outcome, int]  # an answered session, the outcome through it, attended sessions by then


def _judge(measures: list[Measure], attended: tuple[int, ...], th: Thresholds
           ) -> tuple[list[Judged], dict[str, set[int]]]:
    """The judged sessions (those with paired scores) and, per rule, the ones where it holds.
    `attended`: the attended sessions' numbers, in order."""
    answered = sorted({s.session_number for m in measures for s in m.scores})
    judged = [(n, classify(measures, through=n), bisect_right(attended, n)) for n in answered]
    judged = [j for j in judged if j[1].paired]
    flagged = {code: {n for n, outcome, sessions in judged if holds(outcome, sessions, th)}
               for code, (holds, _) in RULES.items()}
    return judged, flagged


def _answers_to_confirm(code: str, th: Thresholds) -> int:
    """How many judged sessions in a row a rule must hold on before its event is raised."""
    return th.outcome_confirm if code in CONFIRMED else 1


def _attended(t: Timeline) -> tuple[int, ...]:
    return tuple(s.number for s in t.sessions if s.attendance == "attended")


def outcome_events(t: Timeline, th: Thresholds, severities: Collection[str] | None = None) -> list[Event]:
    """`severities`: only the events of the rules of these severities (else every rule's)."""
    judged, flagged_by = _judge([m for m in t.outcomes.values() if m.scores], _attended(t), th)
    events = []
    for code, (_, explain) in RULES.items():
        if severities is not None and SEVERITY[code] not in severities:
            continue
        flagged = flagged_by[code]
        for stretch in runs(judged, lambda j: j[0] in flagged):  # noqa: B023  (used at once, in this pass)
            confirm = _answers_to_confirm(code, th)
            if len(stretch) < confirm:
                continue  # one answer beyond the reliable change may be noise: wait for the next
            events.append(_event(code, explain, stretch[confirm - 1][0], stretch[-1], stretch[-1] is judged[-1]))
    return events


def rated_high_on(t: Timeline, days: Iterable[datetime.date], th: Thresholds) -> bool | None:
    """Whether an outcome rule rates the treatment high (a current, confirmed reliable deterioration)
    on any of `days`, judged once over `t`, the treatment as of the latest of them (no day is
    after `t.as_of`); a first evaluation asks this of every session date.

    A day's judgements are the first of `t`'s when what is known on a day is a prefix in session
    order (each session's answers carry its date, and the dates follow the numbers): the outcome
    through session n reads nothing after n. Otherwise (a rescheduled session) None: each day must
    be judged on its own."""
    measures = [m for m in t.outcomes.values() if m.scores]
    dates = _dates_in_order(t, measures)
    if dates is None:
        return None
    judged, flagged_by = _judge(measures, _attended(t), th)
    numbers = [n for n, _, _ in judged]
    answered = sorted({s.session_number for m in measures for s in m.scores})
    answered_on = [dates[n] for n in answered]
    # Per judged session, how many judged sessions in a row up to it each high rule holds on.
    in_a_row: dict[str, list[int]] = {}
    for code in (c for c, severity in SEVERITY.items() if severity == "high"):
        run, in_a_row[code] = 0, []
        for n in numbers:
            run = run + 1 if n in flagged_by[code] else 0
            in_a_row[code].append(run)
    for day in days:
        known = bisect_right(answered_on, day)  # the answers known on the day
        last = bisect_right(numbers, answered[known - 1]) - 1 if known else -1  # its last judged session
        if last >= 0 and any(row[last] >= _answers_to_confirm(code, th) for code, row in in_a_row.items()):
            return True
    return False


def _dates_in_order(t: Timeline, measures: list[Measure]) -> dict[int, datetime.date] | None:
    """Each session's date, by number, when every answer carries its session's date and the dates
    never go back as the numbers rise; else None."""
    dates = {s.number: s.date for s in t.sessions}
    for m in measures:
        for score in m.scores:
            if dates.setdefault(score.session_number, score.date) != score.date:
                return None
    in_order = [dates[n] for n in sorted(dates)]
    return dates if all(a <= b for a, b in zip(in_order, in_order[1:], strict=False)) else None


def _event(code: str, explain: Explain, began: int, last: Judged, current: bool) -> Event:
    number, outcome, sessions = last
    lead, reason = explain(outcome, sessions)
    numbers = _numbers(lead, outcome) | ({"sessions": sessions} if code == "no_reliable_improvement" else {})
    if code == "recovery":
        numbers["reliable"] = int(outcome.reliably_improved)
    if not current:
        numbers["until_session"] = number
    return Event(code=code, severity=SEVERITY[code], session_number=began, reason=reason, numbers=numbers,
                 current=current)
