"""Every number the risk rules use, with its default and where it comes from.

A clinic may override any of them (`Thresholds.from_mapping`), e.g. from its settings file.
Defaults:

- reliable_z = 1.96: two-tailed p < .05 for the Reliable Change Index (Jacobson & Truax 1991).
- decline_confirm_sessions = 2: a reliable decline is flagged (high) only once the scale is
  reliably below the baseline at two consecutive scored sessions. Routine outcome monitoring
  confirms deterioration before alerting; a single low session is already shown as a
  `sudden_drop` (watch) and, if it comes back, is a rupture–repair episode, which docs/clinical-model.md
  counts as good news, not risk. Recovery is confirmed the same way: the decline stays current
  until the scale is not reliably below at two consecutive scored sessions, so one better
  session inside a lasting decline does not clear it. A clinic may set 1 for the
  single-session rule (both ways).
- baseline_sessions = 3: the patient's own baseline is the mean of their first three scored
  sessions; no baseline (and no reliable-change or trend flag) before that.
- recent_sessions = 3: the current level reflects the last three scheduled sessions.
- rupture_tension_min = 3, rupture_unresolved_max = 2, rupture_repaired_min = 4: on the 1–5
  rupture items, "moderate" tension or more that was "not at all"/"little" resolved is an
  unresolved rupture; resolved 4–5 is a repair (Post-Session Questionnaire tradition,
  Muran, Safran & Eubanks-Carter).
- Repaired ruptures (resolution at or above rupture_repaired_min) never count toward
  repeated_ruptures: resolved ruptures go with good outcomes (docs/clinical-model.md), so two of them are
  not a risk signal; a rupture whose resolution was not answered counts, as it may not be repaired.
- indicator_min = 3: a withdrawal/confrontation indicator answered "somewhat" or more names
  the rupture's likely kind (for the guidance panel).
- quiet_withdrawal_min = 4: without a reported rupture, `held_back` or `went_along` answered 4
  or 5 ("quite a lot" or "very much") is a quiet withdrawal (watch). Withdrawal is the kind
  therapists miss most and patients rarely name as a problem (docs/clinical-model.md), so the plain-language
  indicators must catch it; 4 rather than indicator_min's 3 keeps it to clear signals, since
  "somewhat" holding back happens in ordinary sessions too.
- repeated_min = 2 of repeated_window = 3 answered sessions: "ruptures in several recent sessions".
- trend_window = 4 scored sessions, trend_slope = −0.15 points per session (project value: a
  drift of ~0.5 points over four sessions, smaller than a reliable change), ending at least
  trend_rci = −1 below the baseline, i.e. one S_diff (RCI −1, half-way to a reliable change).
  A "drift" ending within one S_diff of the baseline cannot be told from measurement error:
  on the two-item bond scale one answer one step lower for two sessions (4.5, 4.5, 4.0, 4.0)
  has a slope of −0.2, yet is only 0.5 points, less than its S_diff of 0.57.
- early_sessions = 3: a low alliance in the first three sessions predicts dropout
  (Horvath & Bedi 2002; Sharf, Primavera & Diener 2010), so it is flagged high there.
- unanswered_run = 2, missed_min = 2 of missed_window = 4, gap_weeks = 4: project values for
  disengagement (two consecutive unanswered questionnaires, two missed of four, a month's gap).
- repair_drop_sd = 1 (and 2, reported separately), repair_within = 2 sessions,
  repair_tolerance_sd = 0.25, repair_running_window = 3: a rupture–repair episode is a dip of
  at least 1 norm SD below the running level that is back within two sessions. The tolerance
  (a quarter SD: 0.18 on the alliance scale, about one answer step on one of six items) lets
  "back to nearly the usual level" count, since integer answers rarely return exactly.
- change_scales = bond and alliance: the scales watched for decline, drops and repair.
"""

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Thresholds:
    reliable_z: float = 1.96
    decline_confirm_sessions: int = 2
    baseline_sessions: int = 3
    recent_sessions: int = 3
    rupture_tension_min: int = 3
    rupture_unresolved_max: int = 2
    rupture_repaired_min: int = 4
    indicator_min: int = 3
    quiet_withdrawal_min: int = 4
    repeated_window: int = 3
    repeated_min: int = 2
    trend_window: int = 4
    trend_slope: float = -0.15
    trend_rci: float = -1.0
    early_sessions: int = 3
    unanswered_run: int = 2
    missed_window: int = 4
    missed_min: int = 2
    gap_weeks: float = 4.0
    repair_drop_sd: float = 1.0
    repair_large_drop_sd: float = 2.0
    repair_within: int = 2
    repair_tolerance_sd: float = 0.25
    repair_running_window: int = 3
    change_scales: tuple[str, ...] = ("bond", "alliance")

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            _check_type(f.name, getattr(self, f.name), type(f.default))
        positive = ("reliable_z", "decline_confirm_sessions", "baseline_sessions",
                    "recent_sessions", "quiet_withdrawal_min", "repeated_window", "repeated_min",
                    "unanswered_run", "missed_window", "missed_min", "gap_weeks",
                    "repair_drop_sd", "repair_large_drop_sd", "repair_within",
                    "repair_running_window")
        bad = [name for name in positive if getattr(self, name) <= 0]
        if self.trend_window < 2:
            bad.append("trend_window (needs at least 2 sessions)")
        if self.trend_slope > 0:
            bad.append("trend_slope (a decline is a negative slope)")
        if self.trend_rci > 0:
            bad.append("trend_rci (a drift ends below the baseline: zero or negative)")
        if self.repair_tolerance_sd < 0:
            bad.append("repair_tolerance_sd")
        if bad:
            raise ValueError("invalid threshold values: " + ", ".join(bad))

    @classmethod
    def from_mapping(cls, overrides: Mapping[str, object]) -> "Thresholds":
        """Defaults with a clinic's overrides; unknown names are refused, not ignored."""
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(overrides) - known)
        if unknown:
            raise ValueError(
                f"unknown threshold(s): {', '.join(unknown)}; known: {', '.join(sorted(known))}"
            )
        values = {k: tuple(v) if isinstance(v, list) else v for k, v in overrides.items()}
        return dataclasses.replace(DEFAULT_THRESHOLDS, **values)


def _check_type(name: str, value: object, expected: type) -> None:
    # bool is an int in Python; a settings file saying `gap_weeks: true` is a mistake.
    if isinstance(value, bool):
        ok = False
    elif expected is float:
        ok = isinstance(value, int | float)
    elif expected is tuple:
        ok = isinstance(value, tuple) and all(isinstance(v, str) for v in value)
    else:
        ok = isinstance(value, expected)
    if not ok:
        raise ValueError(f"threshold {name} must be a {expected.__name__}, got {value!r}")


DEFAULT_THRESHOLDS = Thresholds()
