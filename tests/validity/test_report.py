import json

import pytest
from click.testing import CliRunner
from flask import Flask

from dashboards.validity.cli import register, validate_flags_command
from dashboards.validity.metrics import WINDOWS
from dashboards.validity.report import run, to_json, to_markdown
from dashboards.validity.simulate import AT_RISK, GROUPS

METRICS = ("ever high", "any alert", "high after onset", "median latency", "target window",
           "any alert after onset", "new alerts / 100 patient-sessions", "positive flag",
           "flagged on a typical day")


@pytest.fixture(scope="module")
def small():
    return run(patients_per_group=20, seed=3)


def test_the_table_has_every_group_and_metric(small):
    text = to_markdown(small)
    header = next(line for line in text.splitlines() if line.startswith("| group |"))
    for metric in METRICS:
        assert metric in header
    rows = {line.split(" | ")[0].strip("| ") for line in text.splitlines() if line.startswith("| ")}
    assert set(GROUPS) <= rows
    for section in ("New alerts by kind", "Positive flags by kind", "Achieved by the generator", "Parameters"):
        assert section in text
    assert "Seed 3 · 20 patients per group" in text
    for scale in ("bond", "task", "goal", "alliance"):
        assert f"| {scale} | 0." in text  # the achieved test-retest r per scale


def test_detection_metrics_only_for_groups_at_risk(small):
    for g in small.groups:
        assert (g.detected is not None) == (g.group in AT_RISK)
        assert (g.in_window is not None) == (g.group in WINDOWS)
        assert 0 <= g.ever_high <= g.ever_alert <= 100
        assert sum(g.alerts_by_kind.values()) == pytest.approx(g.new_alerts)


def test_same_seed_same_table_and_another_seed_another():
    first, again = run(patients_per_group=8, seed=42), run(patients_per_group=8, seed=42)
    assert to_markdown(first) == to_markdown(again)
    assert to_json(first) == to_json(again)
    assert to_markdown(run(patients_per_group=8, seed=43)) != to_markdown(first)


def test_json_carries_the_same_numbers(small):
    data = json.loads(to_json(small))
    assert [g["group"] for g in data["groups"]] == list(GROUPS)
    assert data["seed"] == 3 and data["patients_per_group"] == 20
    assert all(p["source"] for p in data["parameters"])


def test_the_command_runs_without_an_app_context():
    result = CliRunner().invoke(validate_flags_command, ["--patients-per-group", "3", "--seed", "1",
                                                         "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["patients_per_group"] == 3


def test_register_adds_the_command_to_an_app():
    app = Flask("validity-test")
    register(app)
    assert "validate-flags" in app.cli.commands
