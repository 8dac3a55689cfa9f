"""`flask --app app import-csv FILE --clinic NAME [--create-missing] [--timezone TZ] [--dry-run]`."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext

from dashboards.importer.csvfile import UnreadableFile, read_table
from dashboards.importer.operations import ImportOutcome, import_table
from dashboards.importer.plan import Plan
from dashboards.risk.store import recompute_patients


@click.command("import-csv")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--clinic", "clinic_name", required=True, help="The clinic the history belongs to.")
@click.option(
    "--create-missing",
    is_flag=True,
    help="Create the clinic and unknown therapists (accounts without a password until an admin sets one).",
)
@click.option("--timezone", default="UTC", show_default=True, help="IANA zone of a clinic created by --create-missing.")
@click.option("--dry-run", is_flag=True, help="Check the file and report what would be written; write nothing.")
@with_appcontext
def import_csv_command(file: Path, clinic_name: str, create_missing: bool, timezone: str, dry_run: bool) -> None:
    """Import a clinic's session and questionnaire history from a CSV FILE (see docs/import.md).

    The whole file is checked first; on any problem nothing is written and every problem is
    listed by row and column. Importing the same file again changes nothing.
    """
    try:
        table = read_table(file.read_bytes())
    except OSError as exc:
        raise click.ClickException(f"{file} cannot be read ({exc.strerror})") from None
    except UnreadableFile as exc:
        raise click.ClickException(f"{file} {exc}") from None
    outcome = import_table(
        table, clinic_name=clinic_name, create_missing=create_missing, timezone=timezone, dry_run=dry_run
    )
    if outcome.problems:
        for problem in outcome.problems:
            click.echo(str(problem), err=True)
        count = len(outcome.problems)
        raise click.ClickException(f"{count} problem{'s' if count != 1 else ''} in {file.name}; nothing was written.")
    if outcome.written:
        # The whole history arrived at once: evaluate it as of every session, not just today.
        recompute_patients(outcome.affected_patient_ids, full_history=True)
    click.echo(summary(outcome, file.name))


def summary(outcome: ImportOutcome, file_name: str) -> str:
    plan = outcome.plan
    assert plan is not None
    if outcome.written:
        lines = [f"Imported {file_name} into {plan.clinic_name}.", f"  created: {_created(plan)}"]
    else:
        lines = [f"Dry run: {file_name} is valid; nothing was written.", f"  would create: {_created(plan)}"]
    lines.append(f"  unchanged: {plan.unchanged_rows} of {plan.rows} rows")
    if plan.therapists:
        lines.append(
            "  therapist accounts without a password (an admin must set one before they can sign in): "
            + ", ".join(plan.therapists)
        )
    return "\n".join(lines)


def _created(plan: Plan) -> str:
    counts = [
        (int(plan.create_clinic), "clinic", "clinics"),
        (len(plan.therapists), "therapist", "therapists"),
        (len(plan.patients), "patient", "patients"),
        (len(plan.sessions), "session", "sessions"),
        (len(plan.questionnaires), "questionnaire", "questionnaires"),
        (plan.responses, "response", "responses"),
    ]
    if plan.outcomes:  # files without outcome measures read as they always did
        counts.append((len(plan.outcomes), "outcome measure answered", "outcome measures answered"))
    return ", ".join(f"{n} {one if n == 1 else many}" for n, one, many in counts)


def register(app: Flask) -> None:
    app.cli.add_command(import_csv_command)
