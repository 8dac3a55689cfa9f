"""Run the harness and print its table (Markdown or JSON), deterministic for a seed."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from dashboards.flags import DEFAULT_THRESHOLDS, Thresholds
from dashboards.risk.norms import norms_of
from dashboards.validity.achieved import Achieved, achieved
from dashboards.validity.forms import Forms, builtin_forms
from dashboards.validity.metrics import WINDOWS, GroupMetrics, group_metrics
from dashboards.validity.outcome_parameters import outcome_sources
from dashboards.validity.outcomes import OUTCOME_GROUPS, OutcomeResult, outcome_markdown, run_outcomes
from dashboards.validity.parameters import DEFAULT_PARAMETERS, Parameters, sources
from dashboards.validity.replay import replay
from dashboards.validity.simulate import GROUPS, generate_cohort

DEFAULT_SEED = 20261203
DEFAULT_PATIENTS = 500


@dataclass(frozen=True)
class Result:
    seed: int
    patients_per_group: int
    parameters: Parameters
    thresholds: Thresholds
    forms: Forms
    groups: tuple[GroupMetrics, ...]
    achieved: Achieved | None  # of the stable group (None: no alliance group was run)
    outcomes: OutcomeResult | None = None  # the outcome flags' groups (improving, stable, deteriorating)


def run(patients_per_group: int = DEFAULT_PATIENTS, seed: int = DEFAULT_SEED,
        parameters: Parameters = DEFAULT_PARAMETERS, thresholds: Thresholds = DEFAULT_THRESHOLDS,
        forms: Forms | None = None, groups: Sequence[str] = GROUPS,
        outcome_groups: Sequence[str] = OUTCOME_GROUPS) -> Result:
    forms = forms or builtin_forms()
    outcomes = (run_outcomes(patients_per_group, seed, thresholds, forms, outcome_groups)
                if outcome_groups else None)
    if not groups:
        return Result(seed, patients_per_group, parameters, thresholds, forms, (), None, outcomes)
    cohort = generate_cohort(patients_per_group, seed, forms, parameters, tuple(groups))
    metrics = tuple(group_metrics(g, patients, [replay(p, thresholds) for p in patients])
                    for g, patients in cohort.items())
    stable = cohort.get("stable") or next(iter(cohort.values()))
    return Result(seed, patients_per_group, parameters, thresholds, forms, metrics,
                  achieved(stable, parameters.sessions), outcomes)


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f}%"


def _num(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]


def _by_kind(result: Result, attribute: str, fmt: Any) -> list[str]:
    codes = sorted({code for g in result.groups for code in getattr(g, attribute)})
    rows = [[f"`{code}`", *(fmt(getattr(g, attribute).get(code, 0.0)) for g in result.groups)] for code in codes]
    return _table(["code", *(g.group for g in result.groups)], rows) if rows else ["(none)"]


def _changed_thresholds(thresholds: Thresholds) -> str:
    changed = {f.name: getattr(thresholds, f.name) for f in dataclasses.fields(thresholds)
               if getattr(thresholds, f.name) != getattr(DEFAULT_THRESHOLDS, f.name)}
    return "defaults" if not changed else ", ".join(f"{k} = {v}" for k, v in changed.items())


def to_markdown(result: Result) -> str:
    p, f = result.parameters, result.forms
    out = [
        "## Flag validation: synthetic cohorts against the flag engine",
        "",
        f"Seed {result.seed} · {result.patients_per_group} patients per group · {p.sessions} weekly sessions "
        f"each · forms {f.patient.id} v{f.patient.version} and {f.therapist.id} v{f.therapist.version} · "
        f"engine thresholds: {_changed_thresholds(result.thresholds)}. Evaluated after every scheduled "
        "session as the app does (`evaluate` as of the day, `new_events` against the keys stored "
        "after the previous evaluation).",
        "",
    ]
    if result.groups:
        out += _alliance_markdown(result)
    if result.outcomes is not None:
        out += ["", *outcome_markdown(result.outcomes)]
    return "\n".join(out) + "\n"


def _alliance_markdown(result: Result) -> list[str]:
    p = result.parameters
    out = _table(
        ["group", "n", "ever high", "any alert", "high after onset", "median latency (sessions)",
         "target window", "any alert after onset", "new alerts / 100 patient-sessions", "positive flag",
         "flagged on a typical day", "high on a typical day"],
        [[g.group, str(g.patients), _pct(g.ever_high), _pct(g.ever_alert), _pct(g.detected),
          _num(g.median_latency), _pct(g.in_window), _pct(g.alerted_after_onset), _num(g.new_alerts),
          _pct(g.positive), _pct(g.flagged_per_day), _pct(g.high_per_day)] for g in result.groups])
    out += [
        "",
        "Target window: " + "; ".join(f"{g}: {w}" for g, w in WINDOWS.items()) + ". "
        "Patient-sessions are scheduled weeks (recorded or not). An alert is a notified event "
        "(watch or high); \"any alert\" is a day at watch or high. Latency counts scheduled "
        "sessions from the onset to the first day at high.",
        "",
        "### New alerts by kind (per 100 patient-sessions)",
        "",
        *_by_kind(result, "alerts_by_kind", _num),
        "",
        "### Patients notified at least once, by kind (%)",
        "",
        *_by_kind(result, "alerted_by_kind", _pct),
        "",
        "### What the high days came from (% of patients with a current high event of that kind)",
        "",
        *_by_kind(result, "high_by_kind", _pct),
        "",
        "### Positive flags by kind (% of patients)",
        "",
        *_by_kind(result, "positives_by_kind", _pct),
        "",
        *_achieved_markdown(result),
        "",
        "### Parameters",
        "",
        *_table(["name", "value", "source"], [[n, _value(v), s] for n, v, s in sources(p)]),
        "",
        f"Derived: latent session SD {p.session_sd:.3f}, item SD {p.item_sd:.3f} (before rounding), "
        f"within-person SD {p.within_sd:.3f}.",
    ]
    return out


def _achieved_markdown(result: Result) -> list[str]:
    a, norms = result.achieved, norms_of(result.forms.patient)
    if a is None:
        return []
    rows = [[s.scale, _num(s.retest_r, 2), f"{s.mean:.2f}", f"{s.between_sd:.2f}", f"{s.within_sd:.2f}",
             f"{s.at_ceiling:.0f}%",
             f"{norms[s.scale].sd:g} / {norms[s.scale].reliability:g}" if s.scale in norms else "–"]
            for s in a.scales]
    return [
        f"### Achieved by the generator ({a.patients} stable patients; target test–retest r "
        f"{result.parameters.retest_r:.2f})",
        "",
        *_table(["scale", "test–retest r", "mean", "between-person SD", "within-person SD",
                 "scores ≥ 4.5", "form's norms: SD / reliability"], rows),
        "",
        *_table(["rate", "achieved"], [[name, f"{value:.1f}%"] for name, value in a.rates.items()]),
    ]


def _value(value: Any) -> str:
    if isinstance(value, tuple):
        return "(" + ", ".join(_value(v) for v in value) + ")"
    return f"{value:g}" if isinstance(value, float) else str(value)


def to_json(result: Result) -> str:
    data = {
        "seed": result.seed,
        "patients_per_group": result.patients_per_group,
        "forms": {"patient": [result.forms.patient.id, result.forms.patient.version],
                  "therapist": [result.forms.therapist.id, result.forms.therapist.version]},
        "thresholds": dataclasses.asdict(result.thresholds),
        "groups": [dataclasses.asdict(g) for g in result.groups],
        "achieved": dataclasses.asdict(result.achieved) if result.achieved else None,
        "outcomes": _outcomes_json(result.outcomes),
        "parameters": [{"name": n, "value": v, "source": s} for n, v, s in sources(result.parameters)],
        "windows": WINDOWS,
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _outcomes_json(found: OutcomeResult | None) -> dict[str, object] | None:
    if found is None:
        return None
    return {"groups": [dataclasses.asdict(g) for g in found.groups], "intake": found.intake, "retest": found.retest,
            "parameters": [{"name": n, "value": v, "source": s} for n, v, s in outcome_sources(found.parameters)]}
