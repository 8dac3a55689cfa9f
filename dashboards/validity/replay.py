"""Evaluate a simulated treatment as the app does, after every scheduled session.

Mirrors `dashboards/risk/store.py` (formerly `operations.py`): on each day the engine
evaluates the history known that day (`evaluate(history, as_of=day)`), and what to notify is
`new_events(stored_keys, evaluation)` where the stored keys are those of every event of the
previous evaluation (`store` keeps one row per event key and deletes the keys an evaluation no
longer returns, so an event that disappears and comes back is notified again).

Production detail kept on purpose: a questionnaire not answered yet on the day of its session
is still open, i.e. no answers at all (`histories._answers` returns None before the link
expires); a week later, at the next session, it is an unanswered invitation.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, replace

from dashboards.flags import (
    DEFAULT_THRESHOLDS,
    SessionRecord,
    Thresholds,
    evaluate,
    event_key,
    new_events,
)
from dashboards.validity.simulate import SimulatedPatient

Tag = tuple[str, str]  # (event code, severity)


@dataclass(frozen=True)
class Day:
    session: int  # the scheduled week, 1-based (a session may or may not be recorded that day)
    date: datetime.date
    risk: str  # none | watch | high
    new: tuple[Tag, ...]  # notified that day
    current: tuple[Tag, ...]  # current events (the ones behind the level)
    positives: tuple[str, ...]  # codes of the positive events shown that day


def as_known_on(session: SessionRecord, day: datetime.date) -> SessionRecord:
    """The session as the database would show it on `day`: a form of that very day not yet
    answered is an open invitation (no answers), not an unanswered one."""
    if session.date != day:
        return session
    patient = None if session.patient is not None and not session.patient.answered else session.patient
    therapist = None if session.therapist is not None and not session.therapist.answered else session.therapist
    return replace(session, patient=patient, therapist=therapist)


def replay(patient: SimulatedPatient, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> tuple[Day, ...]:
    history = patient.history
    stored: set[str] = set()  # the event keys production has stored for this patient
    days = []
    for week, day in enumerate(patient.dates, start=1):
        # Outcome answers (if any) stay: the engine reads those of days up to `day` itself.
        known = replace(history, sessions=tuple(as_known_on(s, day) for s in history.sessions if s.date <= day))
        evaluation = evaluate(known, as_of=day, thresholds=thresholds)
        fresh = new_events(stored, evaluation)
        stored = {event_key(e) for e in evaluation.events}
        days.append(Day(
            session=week, date=day, risk=evaluation.risk,
            new=tuple((e.code, e.severity) for e in fresh),
            current=tuple((e.code, e.severity) for e in evaluation.current_events),
            positives=tuple(e.code for e in evaluation.events if e.severity == "positive"),
        ))
    return tuple(days)
