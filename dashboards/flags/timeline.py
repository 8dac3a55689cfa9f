"""One treatment as the rules see it on a given date: sessions so far, in order, plus the
scored points of each scale. Built once per evaluation so each rule is a single pass."""

import datetime
import math
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple, TypeVar

from dashboards.flags.history import PatientHistory, ScaleNorm, SessionRecord
from dashboards.outcomes.series import Measure

T = TypeVar("T")


class Point(NamedTuple):
    number: int  # session number
    score: float


@dataclass(frozen=True)
class Timeline:
    sessions: tuple[SessionRecord, ...]  # dated on or before as_of, sorted by number
    points: Mapping[str, tuple[Point, ...]]  # scale -> the patient's scored sessions, in order
    norms: Mapping[str, ScaleNorm]
    recent: frozenset[int]  # numbers of the last few sessions (any attendance)
    as_of: datetime.date
    ended_on: datetime.date | None  # planned end of treatment
    outcomes: Mapping[str, Measure]  # outcome measures as known on as_of

    def is_recent(self, number: int | None) -> bool:
        return number in self.recent

    @property
    def ended(self) -> bool:
        """The treatment had a planned end on or before as_of."""
        return self.ended_on is not None and self.ended_on <= self.as_of


def build_timeline(history: PatientHistory, as_of: datetime.date, recent: int) -> Timeline:
    return next(timelines(history, (as_of,), recent))


def timelines(history: PatientHistory, days: Iterable[datetime.date], recent: int) -> Iterator[Timeline]:
    """The treatment as of each of `days`, its sessions sorted and scored once for all of them
    (a first evaluation looks at the treatment as of every session date)."""
    ordered = sorted(history.sessions, key=lambda s: s.number)
    all_sessions = _Dated.of([(s.date, s) for s in ordered])
    scored = {scale: _Dated.of(_scored(ordered, scale)) for scale in history.norms}
    outcomes = {scale: (m, _Dated.of([(s.date, s) for s in m.scores])) for scale, m in history.outcomes.items()}
    for day in days:
        sessions = all_sessions.known_on(day)
        yield Timeline(
            sessions=sessions,
            points={scale: points.known_on(day) for scale, points in scored.items()},
            norms=history.norms,
            recent=frozenset(s.number for s in sessions[-recent:]),
            as_of=day,
            ended_on=history.ended_on,
            outcomes={scale: measure.of(scores.known_on(day)) for scale, (measure, scores) in outcomes.items()},
        )


class _Dated(NamedTuple):
    """Items in session order with their dates."""

    dates: list[datetime.date]
    items: list
    in_order: bool  # the dates never go back: what is known on a day is a prefix

    @classmethod
    def of(cls, pairs: Sequence[tuple[datetime.date, T]]) -> "_Dated":
        dates = [on for on, _ in pairs]
        return cls(dates, [item for _, item in pairs], all(a <= b for a, b in zip(dates, dates[1:], strict=False)))

    def known_on(self, day: datetime.date) -> tuple:
        if self.in_order:
            return tuple(self.items[:bisect_right(self.dates, day)])
        return tuple(item for on, item in zip(self.dates, self.items, strict=True) if on <= day)


def as_score(value: object) -> float | None:
    """A stored scale score as a number, or None when the scale was not scored (never zero)."""
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None


def _scored(sessions: Sequence[SessionRecord], scale: str) -> list[tuple[datetime.date, Point]]:
    # Unanswered forms and unscored scales are skipped, never read as zero.
    points = []
    for s in sessions:
        if s.patient is not None and s.patient.answered:
            value = as_score(s.patient.scores.get(scale))
            if value is not None:
                points.append((s.date, Point(s.number, value)))
    return points


def runs(items: Iterable[T], holds: Callable[[T], bool]) -> list[list[T]]:
    """Maximal stretches of consecutive items for which `holds` is true."""
    found: list[list[T]] = []
    current: list[T] = []
    for item in items:
        if holds(item):
            current.append(item)
        elif current:
            found.append(current)
            current = []
    if current:
        found.append(current)
    return found


def mean(values: Sequence[float]) -> float:
    return sum(values) / len(values)
