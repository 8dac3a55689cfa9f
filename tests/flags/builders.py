"""Hand-built treatments for the flag tests: one line per session, only what a test needs."""

import datetime
from collections.abc import Sequence

from dashboards.demo.cohort import DEFAULT_NORMS
from dashboards.flags import Answers, Evaluation, Event, PatientHistory, SessionRecord

START = datetime.date(2024, 1, 1)
SCALES = ("bond", "task", "goal", "alliance")


def day(number: int) -> datetime.date:
    """Session `number` is held weekly from START."""
    return START + datetime.timedelta(weeks=number - 1)


def patient(alliance: float | None = 4.2, bond: float | None = 4.2, *, rupture: bool = False,
            **items: object) -> Answers:
    """An answered patient form; task and goal follow the alliance (they are not flagged)."""
    scores = {"bond": bond, "task": alliance, "goal": alliance, "alliance": alliance}
    return Answers(answered=True, scores=scores, items={"rupture": rupture, **items})


def therapist(rupture: bool = False) -> Answers:
    return Answers(answered=True, scores=dict.fromkeys(SCALES, 4.0), items={"rupture": rupture})


UNANSWERED = Answers(answered=False, scores={}, items={})


def session(number: int, patient_form: Answers | None = None, therapist_form: Answers | None = None,
            attendance: str = "attended", date: datetime.date | None = None) -> SessionRecord:
    return SessionRecord(number=number, date=date or day(number), attendance=attendance,
                         patient=patient_form, therapist=therapist_form)


def history(*sessions: SessionRecord, ended_on: datetime.date | None = None) -> PatientHistory:
    return PatientHistory(sessions=list(sessions), norms=DEFAULT_NORMS, ended_on=ended_on)


def from_scores(alliance: Sequence[float | None], bond: Sequence[float | None] | None = None,
                ) -> PatientHistory:
    """One attended, answered session per score (None = not scored); bond steady at 4.2 unless
    given, so a test about the alliance sees only alliance events."""
    bonds = bond if bond is not None else [4.2] * len(alliance)
    return history(*(session(i + 1, patient(a, b)) for i, (a, b) in
                     enumerate(zip(alliance, bonds, strict=True))))


def last_day(h: PatientHistory) -> datetime.date:
    return max(s.date for s in h.sessions)


def find(evaluation: Evaluation, code: str, subject: str | None = None) -> list[Event]:
    return [e for e in evaluation.events
            if e.code == code and (subject is None or e.subject == subject)]


def codes(evaluation: Evaluation) -> set[str]:
    return {e.code for e in evaluation.events}


def rated(alliance: float | None, bond: float | None, task: float | None, goal: float | None,
          **items: object) -> Answers:
    """An answered patient form with every subscale given (patient() makes task and goal
    follow the alliance), for tests about which part of the alliance fell."""
    scores = {"bond": bond, "task": task, "goal": goal, "alliance": alliance}
    return Answers(answered=True, scores=scores, items={"rupture": False, **items})


def from_rows(*rows: tuple[float | None, float | None, float | None, float | None]) -> PatientHistory:
    """One attended, answered session per (alliance, bond, task, goal) row."""
    return history(*(session(i + 1, rated(*row)) for i, row in enumerate(rows)))


def resolved_rupture(alliance: float | None, tension: int = 3, resolved: int = 4) -> Answers:
    """A patient form reporting tension (strength `tension`) rated talked through (`resolved`)."""
    return patient(alliance, rupture=True, rupture_tension=tension, rupture_resolved=resolved)
