"""Outcome flags in the harness: simulated PHQ-9 and GAD-7 courses of a known shape, replayed through
the engine week by week, and how often each outcome flag fires per group.

Each patient is a stable patient of the alliance model (attendance, unanswered forms and alliance
answers as `simulate` makes them), who answers a PHQ-9 and a GAD-7 with every alliance form. The
true level starts from the intake distribution and moves as the group says (`outcome_parameters`);
each answer adds the measure's error, is rounded and kept within the scale, spread over the items
and scored by the app's own scorer.
"""

from __future__ import annotations

import random
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache

from dashboards.flags import DEFAULT_THRESHOLDS, Thresholds
from dashboards.outcomes import build_measures
from dashboards.validity.forms import Forms, builtin_forms
from dashboards.validity.metrics import GroupMetrics, group_metrics
from dashboards.validity.outcome_parameters import DEFAULT_OUTCOME_PARAMETERS, OutcomeParameters, outcome_sources
from dashboards.validity.parameters import DEFAULT_PARAMETERS, Parameters
from dashboards.validity.replay import replay
from dashboards.validity.simulate import SimulatedPatient, generate_patient
from feedback.instruments.loader import BUILTIN_DIR, load_file
from feedback.instruments.model import Instrument
from feedback.instruments.scoring import score

OUTCOME_GROUPS = ("improving", "stable_outcome", "deteriorating")
DIRECTION = {"improving": -1, "stable_outcome": 0, "deteriorating": 1}  # higher PHQ-9 and GAD-7 are worse
OUTCOME_CODES = ("reliable_deterioration", "no_reliable_improvement", "reliable_improvement", "recovery")
GOOD_NEWS = frozenset({"reliable_improvement", "recovery"})  # positive: shown, never notified
SCALES = {"phq-9": "phq9", "gad-7": "gad7"}


@cache
def outcome_forms() -> dict[str, Instrument]:
    return {form: load_file(BUILTIN_DIR / f"{form}.yaml") for form in SCALES}


def spread(rng: random.Random, items: Sequence[str], total: int, top: int = 3) -> dict[str, int]:
    """Item answers (0..top) adding up to `total`, the points placed at random."""
    values = dict.fromkeys(items, 0)
    for _ in range(total):
        item = rng.choice([i for i in items if values[i] < top])
        values[item] += 1
    return values


def generate_outcome_patient(group: str, index: int, seed: int, forms_: Forms,
                             p: Parameters = DEFAULT_PARAMETERS,
                             op: OutcomeParameters = DEFAULT_OUTCOME_PARAMETERS) -> SimulatedPatient:
    base = generate_patient("stable", index, seed, forms_, p)
    rng = random.Random(f"{seed}:outcome:{group}:{index}")  # noqa: S311  (simulation, not secrets)
    first = rng.gauss(0, 1)
    standing = {"phq9": first, "gad7": op.measures_r * first + (1 - op.measures_r**2) ** 0.5 * rng.gauss(0, 1)}
    rows = []
    for s in base.history.sessions:
        if s.patient is None or not s.patient.answered:
            continue  # the outcome forms come with the alliance form
        done = min(s.number - 1, op.change_sessions) / op.change_sessions
        for form, instrument in outcome_forms().items():
            scale = SCALES[form]
            mean, true_sd, error_sd = op.measure(scale)
            observed_sd = (true_sd**2 + error_sd**2) ** 0.5
            true = mean + true_sd * standing[scale] + DIRECTION[group] * op.change_sd * observed_sd * done
            items = instrument.scales[scale].items
            total = round(min(max(true + rng.gauss(0, error_sd), 0), 3 * len(items)))
            rows.append((s.number, s.date, instrument, score(instrument, spread(rng, items, total))))
    history = replace(base.history, outcomes=build_measures(rows))
    return replace(base, group=group, history=history)


@dataclass(frozen=True)
class OutcomeResult:
    parameters: OutcomeParameters
    groups: tuple[GroupMetrics, ...]
    intake: dict[str, tuple[float, float]]  # scale -> (mean, SD) of the first answers, all groups
    retest: dict[str, float | None]  # scale -> achieved session-to-session r, stable_outcome group


def run_outcomes(patients_per_group: int, seed: int, thresholds: Thresholds = DEFAULT_THRESHOLDS,
                 forms: Forms | None = None, groups: Sequence[str] = OUTCOME_GROUPS,
                 op: OutcomeParameters = DEFAULT_OUTCOME_PARAMETERS) -> OutcomeResult:
    forms = forms or builtin_forms()
    cohort = {g: [generate_outcome_patient(g, i, seed, forms, op=op) for i in range(patients_per_group)]
              for g in groups}
    metrics = tuple(group_metrics(g, ps, [replay(p, thresholds) for p in ps]) for g, ps in cohort.items())
    everyone = [p for ps in cohort.values() for p in ps]
    stable = cohort.get("stable_outcome", everyone)
    return OutcomeResult(op, metrics, {s: _intake(everyone, s) for s in SCALES.values()},
                         {s: _retest(stable, s) for s in SCALES.values()})


def _totals(patient: SimulatedPatient, scale: str) -> dict[int, float]:
    measure = patient.history.outcomes.get(scale)
    return {x.session_number: x.total for x in measure.scores} if measure else {}


def _intake(patients: Sequence[SimulatedPatient], scale: str) -> tuple[float, float]:
    firsts = [next(iter(t.values())) for p in patients if (t := _totals(p, scale))]
    return statistics.fmean(firsts), statistics.stdev(firsts)


def _retest(patients: Sequence[SimulatedPatient], scale: str) -> float | None:
    """As the alliance's (achieved.retest_r): correlation across patients of consecutive sessions."""
    series = [_totals(p, scale) for p in patients]
    rs = []
    for k in range(1, 20):
        pairs = [(s[k], s[k + 1]) for s in series if k in s and k + 1 in s]
        if len(pairs) >= 3 and len({a for a, _ in pairs}) > 1 and len({b for _, b in pairs}) > 1:
            rs.append(statistics.correlation([a for a, _ in pairs], [b for _, b in pairs]))
    return statistics.fmean(rs) if rs else None


def flag_rate(m: GroupMetrics, code: str) -> float:
    """% of the group ever notified of an alert, or ever shown a positive flag, of this code."""
    return (m.positives_by_kind if code in GOOD_NEWS else m.alerted_by_kind).get(code, 0.0)


def outcome_markdown(result: OutcomeResult) -> list[str]:
    names = [g.group for g in result.groups]

    def row(code: str) -> str:
        return f"| `{code}` | " + " | ".join(f"{flag_rate(g, code):.0f}%" for g in result.groups) + " |"

    intake = "; ".join(f"{s} {m:.1f} (SD {sd:.1f})" for s, (m, sd) in result.intake.items())
    retest = "; ".join(f"{s} {r:.2f}" if r is not None else f"{s} –" for s, r in result.retest.items())
    return [
        "### Outcome flags (PHQ-9 and GAD-7 answered with every alliance form)",
        "",
        "Patients ever notified (watch, high) or shown (positive) each outcome flag, by the true course of "
        "their symptoms; 20 weekly sessions, replayed as above.",
        "",
        "| code | " + " | ".join(names) + " |",
        "|" + "---|" * (len(names) + 1),
        *(row(code) for code in OUTCOME_CODES),
        "",
        f"Achieved: first answers {intake}; session-to-session test–retest (stable_outcome) {retest}.",
        "",
        "| name | value | source |",
        "|---|---|---|",
        *(f"| {n} | {v:g} | {s} |" for n, v, s in outcome_sources(result.parameters)),
    ]
