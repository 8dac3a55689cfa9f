"""Trade-off curves: how false alarms and detection move together as one threshold moves.

Where a target cannot be met at the literature's noise level, docs/flags.md shows the curve and
the point chosen; `flask --app app validate-flags --vary NAME=v1,v2,...` makes it again.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from dashboards.flags import DEFAULT_THRESHOLDS, Thresholds
from dashboards.validity.forms import builtin_forms
from dashboards.validity.metrics import GroupMetrics
from dashboards.validity.outcomes import OUTCOME_CODES, OUTCOME_GROUPS, flag_rate
from dashboards.validity.report import run
from dashboards.validity.simulate import AT_RISK, GROUPS

STABLE = ("stable", "stable_minor_repaired")


def parse_vary(text: str) -> tuple[str, list[float | int]]:
    """"cusum_h=3,3.5,4" -> ("cusum_h", [3, 3.5, 4]), typed like the threshold's default."""
    name, _, values = text.partition("=")
    fields = {f.name: f for f in dataclasses.fields(Thresholds)}
    if name not in fields or not values:
        raise ValueError(f"--vary takes NAME=v1,v2,... with a numeric threshold name; got {text!r}")
    kind = type(getattr(DEFAULT_THRESHOLDS, name))
    if kind not in (int, float):
        raise ValueError(f"{name} is not a numeric threshold")
    try:
        return name, [kind(v) for v in values.split(",")]
    except ValueError:
        raise ValueError(f"{name} takes {kind.__name__} values; got {values!r}") from None


def curve(name: str, values: Sequence[float | int], patients_per_group: int, seed: int,
          groups: Sequence[str] = GROUPS, outcome_groups: Sequence[str] = ()
          ) -> list[tuple[float | int, tuple[GroupMetrics, ...]]]:
    forms = builtin_forms()
    rows = []
    for value in values:
        thresholds = dataclasses.replace(DEFAULT_THRESHOLDS, **{name: value})
        result = run(patients_per_group=patients_per_group, seed=seed, thresholds=thresholds, forms=forms,
                     groups=groups, outcome_groups=outcome_groups)
        rows.append((value, result.groups + (result.outcomes.groups if result.outcomes else ())))
    return rows


def _cells(m: GroupMetrics) -> list[tuple[str, str]]:
    if m.group in OUTCOME_GROUPS:  # each outcome flag: notified (alerts) or shown (good news), % of patients
        return [(code, f"{flag_rate(m, code):.0f}%") for code in OUTCOME_CODES]
    if m.group in STABLE:
        return [("ever high", f"{m.ever_high:.0f}%"), ("any alert", f"{m.ever_alert:.0f}%"),
                ("alerts/100", f"{m.new_alerts:.1f}"), ("positive", f"{m.positive:.0f}%")]
    if m.group in AT_RISK:
        window = "–" if m.in_window is None else f"{m.in_window:.0f}%"
        latency = "–" if m.median_latency is None else f"{m.median_latency:g}"
        return [("ever high", f"{m.ever_high:.0f}%"), ("in window", window), ("median latency", latency)]
    return [("ever high", f"{m.ever_high:.0f}%"), ("positive", f"{m.positive:.0f}%")]


def to_markdown(name: str, rows: list[tuple[float | int, tuple[GroupMetrics, ...]]], patients: int, seed: int) -> str:
    if not rows:
        return ""
    header = [name] + [f"{m.group}: {label}" for m in rows[0][1] for label, _ in _cells(m)]
    lines = [f"### Trade-off: {name} (seed {seed}, {patients} patients per group)", "",
             "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for value, groups in rows:
        marker = " (default)" if value == getattr(DEFAULT_THRESHOLDS, name) else ""
        lines.append("| " + " | ".join([f"{value:g}{marker}"] + [cell for m in groups for _, cell in _cells(m)]) + " |")
    return "\n".join(lines) + "\n"
