"""Risk flags for one treatment, as plain Python over plain data (no Flask, no database).

`evaluate(history, as_of)` computes every event and the current risk level;
`new_events(previous_keys, evaluation)` decides separately what is new enough to notify.
`cohort` generates synthetic treatments of known kinds for tests, benchmarks and demos.
"""

from dashboards.flags.cohort import DEFAULT_NORMS, KINDS, generate_cohort, generate_patient
from dashboards.flags.engine import evaluate
from dashboards.flags.events import Evaluation, Event, event_key, new_events, risk_level
from dashboards.flags.history import Answers, PatientHistory, ScaleNorm, SessionRecord
from dashboards.flags.stats import ls_slope, rci, s_diff
from dashboards.flags.thresholds import DEFAULT_THRESHOLDS, Thresholds

__all__ = [
    "DEFAULT_NORMS", "DEFAULT_THRESHOLDS", "KINDS", "Answers", "Evaluation", "Event",
    "PatientHistory", "ScaleNorm", "SessionRecord", "Thresholds", "evaluate", "event_key",
    "generate_cohort", "generate_patient", "ls_slope", "new_events", "rci", "risk_level",
    "s_diff",
]
