"""The engine's input: one treatment's sessions and questionnaire answers, as plain data."""

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from dashboards.outcomes.series import Measure

# "cancelled" is a cancellation by the patient; "clinic_cancelled" one by the clinic (therapist
# ill, holidays), which says nothing about the patient's engagement.
ATTENDANCE = ("attended", "scheduled", "cancelled", "clinic_cancelled", "no_show")


@dataclass(frozen=True)
class ScaleNorm:
    """Reference values for one scale, from the instrument definition."""

    sd: float  # SD of session scores across patients and sessions
    reliability: float  # session-to-session test–retest r, 0..1: within-person SD = sd · √(1 − r)
    low_cutoff: float | None  # below this the alliance is "low"
    source: str  # where the numbers come from (text)

    def __post_init__(self) -> None:
        # Refuse unusable norms when the instrument loads, not later inside a dashboard:
        # r = 1 or SD = 0 would make every change "reliable" (division by zero).
        if self.sd <= 0 or not 0 <= self.reliability < 1:
            raise ValueError(
                f"scale norms need sd > 0 and 0 <= reliability < 1 "
                f"(got sd={self.sd}, reliability={self.reliability})"
            )


@dataclass(frozen=True)
class Answers:
    """One respondent's questionnaire for one session."""

    answered: bool  # False = invitation sent but not answered
    scores: Mapping[str, float | None]  # scale id -> score; None = not scored (too few items)
    items: Mapping[str, object]  # item id -> value (likert int, yes/no bool, choice str/list, text)


@dataclass(frozen=True)
class SessionRecord:
    number: int  # session number in the treatment, 1-based
    date: datetime.date
    attendance: str  # one of ATTENDANCE
    patient: Answers | None  # None = no questionnaire was sent to the patient
    therapist: Answers | None


@dataclass(frozen=True)
class PatientHistory:
    sessions: Sequence[SessionRecord]  # any order; the engine sorts by number
    norms: Mapping[str, ScaleNorm]  # patient instrument norms: "bond", "task", "goal", "alliance"
    ended_on: datetime.date | None = None  # planned end: no disengagement after it
    # Outcome measures (PHQ-9, GAD-7, ...) by scale id, from the outcome forms the patient answered.
    outcomes: Mapping[str, Measure] = field(default_factory=dict)
