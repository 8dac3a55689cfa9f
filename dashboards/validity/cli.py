"""`flask validate-flags`: the harness's table for a seed, outside any request or database.

The instruments are read with the plain loader from the built-in directory, so the command
needs no app context; `register(app)` only adds it to the app's command line.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import click

from dashboards.validity.outcomes import OUTCOME_GROUPS
from dashboards.validity.report import DEFAULT_PATIENTS, DEFAULT_SEED, run, to_json, to_markdown
from dashboards.validity.simulate import GROUPS
from dashboards.validity.tradeoff import curve, parse_vary
from dashboards.validity.tradeoff import to_markdown as tradeoff_markdown

if TYPE_CHECKING:
    from flask import Flask


@click.command("validate-flags")
@click.option("--patients-per-group", type=click.IntRange(min=1), default=DEFAULT_PATIENTS, show_default=True)
@click.option("--seed", type=int, default=DEFAULT_SEED, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["markdown", "json"]), default="markdown", show_default=True)
@click.option("--vary", metavar="NAME=v1,v2,...",
              help="Instead of the table: a trade-off curve as one threshold moves.")
@click.option("--groups", metavar="G1,G2,...", help="Only these groups (default: all).")
def validate_flags_command(patients_per_group: int, seed: int, fmt: str, vary: str | None, groups: str | None) -> None:
    """Simulate cohorts of known shapes and print how often the flags fire for each."""
    started = time.perf_counter()
    chosen = tuple(groups.split(",")) if groups else GROUPS + OUTCOME_GROUPS
    unknown = sorted(set(chosen) - set(GROUPS) - set(OUTCOME_GROUPS))
    if unknown:
        raise click.BadParameter(f"unknown group(s) {', '.join(unknown)}; known: {', '.join(GROUPS + OUTCOME_GROUPS)}",
                                 param_hint="--groups")
    alliance = tuple(g for g in chosen if g in GROUPS)
    outcome = tuple(g for g in chosen if g in OUTCOME_GROUPS)
    if vary:
        try:
            name, values = parse_vary(vary)
            rows = curve(name, values, patients_per_group, seed, alliance, outcome)
        except ValueError as exc:  # an unknown name, or a value the thresholds refuse
            raise click.BadParameter(str(exc), param_hint="--vary") from None
        click.echo(tradeoff_markdown(name, rows, patients_per_group, seed), nl=False)
    else:
        result = run(patients_per_group=patients_per_group, seed=seed, groups=alliance, outcome_groups=outcome)
        click.echo(to_markdown(result) if fmt == "markdown" else to_json(result), nl=False)
    # On stderr, so that the table itself stays identical for a seed.
    click.echo(f"validate-flags: {time.perf_counter() - started:.1f} s", err=True)


def register(app: Flask) -> None:
    app.cli.add_command(validate_flags_command)
