"""Per-group false alarms and detection from the replayed days of each patient.

Counting conventions (the table's footnotes say the same):
- patient-sessions: scheduled weekly sessions, recorded or not (patients × 20), the days the
  caseload is looked at;
- an alert: a notified event (watch or high) from `new_events`; "any alert": a day at watch
  or high;
- latency: scheduled sessions from the onset to the first day at high (0 = that day).
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from dashboards.validity.replay import Day
from dashboards.validity.simulate import AT_RISK, SimulatedPatient

# The windows issue 15 states its detection targets in (checked by `_in_window`).
WINDOWS = {
    "slow_decline": "high by 4 sessions after the decline ends",
    "sudden_drop": "high within 1 session of the drop",
    "unresolved_rupture": "high at the rupture's session",
    "low_from_start": "watch or high by session 3",
}


@dataclass(frozen=True)
class GroupMetrics:
    group: str
    patients: int
    ever_high: float  # % of patients ever at high
    ever_alert: float  # % ever at watch or high
    detected: float | None  # at-risk groups: % at high on or after the onset
    alerted_after_onset: float | None  # at-risk groups: % at watch or high on or after the onset
    median_latency: float | None  # sessions from onset to the first high, among the detected
    in_window: float | None  # % meeting the group's WINDOWS condition
    new_alerts: float  # notified events per 100 patient-sessions
    positive: float  # % of patients ever shown a positive event
    flagged_per_day: float  # mean over days of the % of the group at watch or high
    high_per_day: float  # mean over days of the % at high
    alerts_by_kind: dict[str, float] = field(default_factory=dict)  # code -> per 100 patient-sessions
    alerted_by_kind: dict[str, float] = field(default_factory=dict)  # code -> % of patients ever notified
    high_by_kind: dict[str, float] = field(default_factory=dict)  # code -> % of patients ever high by it
    positives_by_kind: dict[str, float] = field(default_factory=dict)  # code -> % of patients


def percent(count: int, total: int) -> float:
    return 100.0 * count / total if total else 0.0


def _first_high(days: Sequence[Day], onset: int) -> int | None:
    return next((d.session for d in days if d.session >= onset and d.risk == "high"), None)


def _in_window(patient: SimulatedPatient, days: Sequence[Day]) -> bool:
    onset = patient.onset or 1
    if patient.group == "slow_decline":
        end = (patient.decline_end or onset) + 4
        return any(onset <= d.session <= end and d.risk == "high" for d in days)
    if patient.group == "sudden_drop":
        return any(onset <= d.session <= onset + 1 and d.risk == "high" for d in days)
    if patient.group == "unresolved_rupture":
        return any(d.session == onset and d.risk == "high" for d in days)
    if patient.group == "low_from_start":
        return any(d.session <= 3 and d.risk != "none" for d in days)
    return False


def group_metrics(group: str, patients: Sequence[SimulatedPatient], replays: Sequence[Sequence[Day]]) -> GroupMetrics:
    n = len(patients)
    sessions = sum(len(days) for days in replays)
    alerts: Counter[str] = Counter()
    alerted_by: Counter[str] = Counter()
    high_by: Counter[str] = Counter()
    positive_by: Counter[str] = Counter()
    for days in replays:
        alerts.update(code for d in days for code, _ in d.new)
        alerted_by.update({code for d in days for code, _ in d.new})
        high_by.update({code for d in days for code, severity in d.current if severity == "high"})
        positive_by.update({code for d in days for code in d.positives})
    at_risk = group in AT_RISK
    latencies: list[int] = []
    detected = after_onset = windowed = 0
    if at_risk:
        for patient, days in zip(patients, replays, strict=True):
            onset = patient.onset or 1
            first = _first_high(days, onset)
            if first is not None:
                detected += 1
                latencies.append(first - onset)
            after_onset += any(d.session >= onset and d.risk != "none" for d in days)
            windowed += _in_window(patient, days)
    weeks = max((len(days) for days in replays), default=0)
    per_day = [[days[w] for days in replays if w < len(days)] for w in range(weeks)]
    return GroupMetrics(
        group=group,
        patients=n,
        ever_high=percent(sum(any(d.risk == "high" for d in days) for days in replays), n),
        ever_alert=percent(sum(any(d.risk != "none" for d in days) for days in replays), n),
        detected=percent(detected, n) if at_risk else None,
        alerted_after_onset=percent(after_onset, n) if at_risk else None,
        median_latency=float(statistics.median(latencies)) if latencies else None,
        in_window=percent(windowed, n) if group in WINDOWS else None,
        new_alerts=percent(sum(alerts.values()), sessions),
        positive=percent(sum(any(d.positives for d in days) for days in replays), n),
        flagged_per_day=statistics.fmean(percent(sum(d.risk != "none" for d in ds), len(ds)) for ds in per_day)
        if per_day else 0.0,
        high_per_day=statistics.fmean(percent(sum(d.risk == "high" for d in ds), len(ds)) for ds in per_day)
        if per_day else 0.0,
        alerts_by_kind={code: percent(k, sessions) for code, k in sorted(alerts.items())},
        alerted_by_kind={code: percent(k, n) for code, k in sorted(alerted_by.items())},
        high_by_kind={code: percent(k, n) for code, k in sorted(high_by.items())},
        positives_by_kind={code: percent(k, n) for code, k in sorted(positive_by.items())},
    )
