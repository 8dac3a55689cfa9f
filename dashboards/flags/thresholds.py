"""Every number the risk rules use, with its default and where it comes from.

A deployment may override any of them (`Thresholds.from_mapping`; the FLAG_THRESHOLDS_JSON
environment variable, checked at start-up).
The defaults were chosen with the validation harness (`flask --app app validate-flags`,
docs/flags.md): a simulation whose noise comes from the literature, not from these rules, with
a trade-off curve (`--vary NAME=...`) where a target could not be met. "Project choice" marks a
number the literature does not give; the harness shows what it costs.

Change in the alliance (change.py). Within-person (session-to-session) noise is
σ_w = SD · √(1 − r) from the instrument's norms (SD of session scores, r = session-to-session
test–retest): the random-intercept split of the variance. Each scored session is compared with
the patient's own baseline, the mean of their earlier in-control sessions, as
z = (x − baseline) / (σ_w · √(1 + 1/n)).
- baseline_sessions = 4: no change flag before four scored sessions (project choice: with three,
  the baseline's own error made one stable patient in ten look like a decline; early alliance is
  judged by low_alliance instead).
- cusum_k = 0.75, cusum_h = 3.5: a one-sided lower CUSUM of z (Page 1954),
  S = max(0, S − z − k), alarms (`reliable_decline`, high) at S ≥ h. k is half the shift it is
  tuned to find (1.5 σ_w: the issue's slow decline of 1.5 between-person SD is larger); h sets
  the false-alarm budget: about 2% of stable patients over 20 weekly sessions in the harness.
  A lower h finds a sudden drop one session sooner but alarms for more stable patients (the
  trade-off curve in docs/flags.md).
- confirm_sessions = 2: an alarm needs evidence from two scored sessions that each fell more
  than k below the baseline ("confirm over more than one session before alerting"); one very
  low session is a `sudden_drop` instead.
- recovery_sessions = 2: a decline stays current until two scored sessions in a row are back
  within k of the baseline (project choice: one better session is not a recovery).
- drop_z = 3.0: one session at least three within-person SDs below the baseline is a
  `sudden_drop` (watch) at once (project choice; about 1 in 700 sessions under normal noise).
- trend_h = 1.75: while sessions keep the CUSUM at half the alarm level, a `downward_trend`
  note shows the drift on the page; never notified (project choice).
- change_scales = alliance: change is judged on the whole six-item alliance score; the two-item
  subscales have a lower test–retest and only explain which part fell.

Ruptures (ruptures.py), on the 1–5 items of the Post-Session Questionnaire tradition (Muran,
Safran & Eubanks-Carter). Unresolved ruptures predict dropout and poor outcome, resolved ones
good outcome (Eubanks, Muran & Safran 2018).
- rupture_tension_min = 3, rupture_unresolved_max = 2: "moderate" tension or more, resolved
  1–2 of 5, is an `unresolved_rupture` (high); rupture_repaired_min = 4: resolved 4–5 is
  repaired (a note, "tension talked through", or `appeasement`).
- alert_tension_min = 4: any other report, and a rupture the therapist's form missed, is an
  alert (watch) from strong tension up, or when the strength was not answered; slighter ones are
  notes (project choice: patients report tension in 19–42% of sessions, Eubanks-Carter, Muran &
  Safran 2015, so alerting on everyday tension made one stable patient in two an alert).
- repeated_min = 2 of repeated_window = 3 answered sessions with such unrepaired ruptures:
  `repeated_ruptures` (high), "ruptures in several recent sessions".
- indicator_min = 3: a withdrawal/confrontation indicator answered "somewhat" or more names the
  rupture's likely kind (for the guidance panel).
- marker_min = 4, marker_confirm = 2 of marker_window = 3 answered sessions (markers.py):
  `quiet_withdrawal` (held back, went along) and `unnamed_confrontation` (frustrated, no rupture
  named) are alerts (watch) when answered 4–5 in two of the last three answered sessions; one
  such answer is a note (project choice: a repeated answer is a pattern).
- `appeasement` (watch): a rupture rated resolved while the patient also went along with
  something they did not agree with (≥ marker_min), or rated the alliance below the low cutoff:
  withdrawal toward the therapist can look like agreement (Safran & Muran 2000).

Early and low alliance (low_alliance.py): one score below the instrument's low cutoff is a
watch; low_confirm = 2 in a row within early_sessions = 3 is high: a low early alliance predicts
dropout (Horvath & Bedi 2002; Sharf, Primavera & Diener 2010).

Disengagement (engagement.py), project values; missed = the patient's no-shows and
cancellations, never the clinic's own: unanswered_run = 3 questionnaires in a row, missed_min =
3 of missed_window = 4 sessions, gap_weeks = 4 without a session and no planned end. With
no-shows around 10% of sessions (a few % to 30% across outpatient studies), two of four missed
happen by chance for about half of stable patients over 20 weeks; three of four for a few %.
Current disengagement is high when an unresolved or repeated rupture or a decline is current or
was the last thing the patient answered.

Rupture–repair episodes (repair.py): a reported rupture of at least repair_tension_min = 2
("slight" or more) rated resolved, where the alliance dipped at least repair_dip_z = 1 within-
person SDs below the mean of the patient's earlier sessions, back within repair_within = 2
sessions to at least repair_return_z = 0.5 of it: the V-shaped rupture and repair (Safran &
Muran 2000; Stiles et al. 2004). The dip size is a trade-off (docs/flags.md): smaller dips
give more good news to repaired patients and to stable ones alike.

Outcomes (outcome.py), read by the instrument files' own rules (caseness, reliable change: NHS
Talking Therapies Manual), never by numbers here. outcome_review_sessions = 8: still a case with
no reliable improvement after eight attended sessions is `no_reliable_improvement` (watch). A
project choice taken from issue 17: about the length of a course of NHS Talking Therapies
treatment (7.9 sessions on average in 2021-22, NHS Digital), so a patient still at a clinical
level with no reliable change by then is one whose plan is worth reviewing; earlier, many
patients who go on to improve have not changed yet. outcome_confirm = 2: a reliable deterioration,
improvement or recovery counts once two outcome answers in a row show it (project choice, from the
harness: every weekly answer is compared with the same intake score, and with one answer 33% of
stable patients got a false `reliable_deterioration` over 20 sessions and 32% a false
`reliable_improvement`; with two, 7% and 8%, while 97% of deteriorating patients are still found;
three would cut stable patients' to 2% and find 93%; docs/outcomes.md).
"""

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass

# Thresholds that are answers on the patient form's 1–5 items.
LIKERT = ("rupture_tension_min", "rupture_unresolved_max", "rupture_repaired_min", "alert_tension_min",
          "indicator_min", "marker_min", "repair_tension_min")


@dataclass(frozen=True)
class Thresholds:
    baseline_sessions: int = 4
    recent_sessions: int = 3
    cusum_k: float = 0.75
    cusum_h: float = 3.5
    confirm_sessions: int = 2
    recovery_sessions: int = 2
    drop_z: float = 3.0
    trend_h: float = 1.75
    change_scales: tuple[str, ...] = ("alliance",)
    rupture_tension_min: int = 3
    rupture_unresolved_max: int = 2
    rupture_repaired_min: int = 4
    alert_tension_min: int = 4
    indicator_min: int = 3
    marker_min: int = 4
    marker_confirm: int = 2
    marker_window: int = 3
    repeated_window: int = 3
    repeated_min: int = 2
    early_sessions: int = 3
    low_confirm: int = 2
    unanswered_run: int = 3
    missed_window: int = 4
    missed_min: int = 3
    gap_weeks: float = 4.0
    repair_tension_min: int = 2
    repair_dip_z: float = 1.0
    repair_return_z: float = 0.5
    repair_within: int = 2
    outcome_review_sessions: int = 8
    outcome_confirm: int = 2

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            _check_type(f.name, getattr(self, f.name), type(f.default))
        positive = ("baseline_sessions", "recent_sessions", "cusum_h", "confirm_sessions", "recovery_sessions",
                    "drop_z",
                    "trend_h", "marker_min", "marker_confirm", "marker_window", "repeated_window",
                    "repeated_min", "low_confirm", "unanswered_run", "missed_window", "missed_min",
                    "gap_weeks", "repair_tension_min", "repair_dip_z", "repair_within",
                    "outcome_review_sessions", "outcome_confirm")
        bad = [name for name in positive if getattr(self, name) <= 0]
        if self.cusum_k < 0:
            bad.append("cusum_k")
        if self.trend_h > self.cusum_h:
            bad.append("trend_h (a trend note comes before the alarm: at most cusum_h)")
        if self.marker_confirm > self.marker_window:
            bad.append("marker_confirm (at most marker_window)")
        if self.repeated_min > self.repeated_window:
            bad.append("repeated_min (at most repeated_window)")
        if self.missed_min > self.missed_window:
            bad.append("missed_min (at most missed_window)")
        bad += [f"{name} (an answer on the 1–5 items)" for name in LIKERT if not 1 <= getattr(self, name) <= 5]
        if self.rupture_unresolved_max >= self.rupture_repaired_min:
            bad.append("rupture_unresolved_max (below rupture_repaired_min)")
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
        ok = isinstance(value, int | float) and math.isfinite(value)  # NaN would pass every comparison
    elif expected is tuple:
        ok = isinstance(value, tuple) and all(isinstance(v, str) for v in value)
    else:
        ok = isinstance(value, expected)
    if not ok:
        raise ValueError(f"threshold {name} must be a {expected.__name__}, got {value!r}")


DEFAULT_THRESHOLDS = Thresholds()
