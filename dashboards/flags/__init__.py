"""Risk flags for one treatment, as plain Python over plain data (no Flask, no database).

`evaluate(history, as_of)` computes every event and the current risk level;
`new_events(previous_keys, evaluation)` decides separately what is new enough to notify.
Synthetic treatments for tests, benchmarks and the demo are made in `dashboards/demo/cohort.py`;
the norms come from the instrument files (`dashboards/risk/norms.py`).
"""

from dashboards.flags.engine import evaluate
from dashboards.flags.events import Evaluation, Event, event_key, new_events, risk_level
from dashboards.flags.history import Answers, PatientHistory, ScaleNorm, SessionRecord
from dashboards.flags.stats import within_sd
from dashboards.flags.thresholds import DEFAULT_THRESHOLDS, Thresholds

__all__ = [
    "DEFAULT_THRESHOLDS", "Answers", "Evaluation", "Event", "PatientHistory", "ScaleNorm",
    "SessionRecord", "Thresholds", "evaluate", "event_key", "new_events", "risk_level", "within_sd",
]
