"""Outcome histories for the demo clinic: a PHQ-9 and a GAD-7 with every answered alliance form (the
demo clinic's battery asks both at every session), following one of three courses.

Where the numbers come from. The intake level and its spread, and each answer's measurement error,
are the validation harness's sourced figures (`dashboards/validity/outcome_parameters.py`: PHQ-9 at
entry to UK primary-care psychological therapy M 15.47, SD 4.29; test–retest .84 for the PHQ-9 and
.83 for the GAD-7; the GAD-7 scaled from the PHQ-9 by the ranges). The size of the change, 2 intake
SDs (PHQ-9 about 8.6 points) built up over the treatment, is chosen for the demo, a little larger
than the harness's 1.5 so that an improving patient also recovers, and each patient's intake
position (in SDs) is chosen so the course is plain to see. Item patterns are plausible, not
estimated: the points of a total go more often to the core items (low mood and interest; nerves and
worry) and never to PHQ-9 item 9 unless a course says so. A demo tool, not a validation.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from dashboards.validity.outcome_parameters import DEFAULT_OUTCOME_PARAMETERS
from feedback.instruments.model import Instrument

DIRECTION = {"improving": -1.0, "not_improving": 0.0, "deteriorating": 1.0}  # higher totals are worse
CHANGE_SDS = 2.0
#: How often each item gets one of a total's points (relative); 0: never.
WEIGHTS = {
    "phq9": {"phq9_1": 3, "phq9_2": 3, "phq9_3": 3, "phq9_4": 3, "phq9_5": 2, "phq9_6": 2, "phq9_7": 2, "phq9_8": 1,
             "phq9_9": 0},
    "gad7": {"gad7_1": 3, "gad7_2": 3, "gad7_3": 3, "gad7_4": 2, "gad7_5": 1, "gad7_6": 2, "gad7_7": 2},
}
DIFFICULTY = ((5, "not_difficult"), (10, "somewhat"), (20, "very"), (28, "extremely"))  # below the total


@dataclass(frozen=True)
class Course:
    kind: str  # a key of DIRECTION
    intake_sds: float  # where the patient starts, in intake SDs from the mean
    onset: float = 0.0  # share of the answered sessions before the change starts (a bond can fall first)
    #: Answer PHQ-9 item 9 with "Several days" at the last answered session (the demo's one safety alert).
    risk_at_end: bool = False


def outcome_answers(course: Course, sessions: Sequence[int], instruments: Mapping[str, Instrument],
                    *, seed: int) -> dict[int, list[tuple[Instrument, dict[str, object]]]]:
    """Per answered session number, each outcome measure with its item answers (`instruments` by scale id)."""
    rng = random.Random(f"demo-outcomes:{seed}")  # noqa: S311  (synthetic data, not secrets)
    answers: dict[int, list[tuple[Instrument, dict[str, object]]]] = {}
    for index, number in enumerate(sessions):
        progress = index / max(len(sessions) - 1, 1)
        done = max(0.0, progress - course.onset) / (1 - course.onset)
        answers[number] = []
        for scale, instrument in instruments.items():
            mean, true_sd, error_sd = DEFAULT_OUTCOME_PARAMETERS.measure(scale)
            observed_sd = (true_sd**2 + error_sd**2) ** 0.5
            level = mean + observed_sd * (course.intake_sds + DIRECTION[course.kind] * CHANGE_SDS * done)
            top = 3 * sum(1 for weight in WEIGHTS[scale].values() if weight)
            total = round(min(max(level + rng.gauss(0, error_sd), 0), top))
            items: dict[str, object] = dict(_spread(rng, WEIGHTS[scale], total))
            if scale == "phq9" and course.risk_at_end and number == sessions[-1]:
                items["phq9_9"] = 1
                total += 1
            items[f"{scale}_difficulty"] = next(word for below, word in DIFFICULTY if total < below)
            answers[number].append((instrument, items))
    return answers


def _spread(rng: random.Random, weights: Mapping[str, int], total: int) -> dict[str, int]:
    """Item answers (0-3) adding up to `total`, each point going to an item by its weight."""
    values = dict.fromkeys(weights, 0)
    for _ in range(total):
        open_items = [item for item, weight in weights.items() if weight and values[item] < 3]
        item = rng.choices(open_items, weights=[weights[i] for i in open_items])[0]
        values[item] += 1
    return values
