"""`flask --app app export-fhir` and `import-fhir`: a clinic's questionnaires and answers as a FHIR
R4 Bundle, out to a file or stdout (streamed) and in, all or nothing (see docs/fhir.md)."""

from __future__ import annotations

import contextlib
import sys
from datetime import date
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from dashboards.audit.commands import operator
from dashboards.fhir.export import Selection, start_fhir_export
from dashboards.fhir.operations import (
    FhirImport,
    Matching,
    import_bundle,
    import_limit,
    parse_practitioners,
    size_problem,
)
from dashboards.importer.cli import summary
from dashboards.setup.operations import SetupError, find_clinic
from feedback.models import SESSION_YEARS, utcnow, within_session_years


@click.command("export-fhir")
@click.option("--clinic", "clinic_name", required=True, help="The clinic to export.")
@click.option("--patient", "patient_code", help="Only this patient (their pseudonymous code).")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="Only sessions on or after this date (YYYY-MM-DD).")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), help="Only sessions on or before this date.")
@click.option("--observations", is_flag=True, help="Add scale scores and flags as Observations, and the CodeSystem.")
@click.option("--practitioner-emails", is_flag=True,
              help="Name therapists by e-mail instead of their account number (only if the clinic opted in).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="File to write; default stdout.")
@with_appcontext
def export_fhir_command(clinic_name: str, patient_code: str | None, since, until, observations: bool,
                        practitioner_emails: bool, output: Path | None) -> None:
    """Write the clinic's questionnaires, sessions and answers as a FHIR R4 Bundle (collection)."""
    try:
        clinic = find_clinic(clinic_name)
    except SetupError as exc:
        raise click.ClickException(str(exc)) from None
    selection = Selection(patient_code, _day(since), _day(until), observations, practitioner_emails)
    chunks = start_fhir_export(clinic, None, selection, utcnow(), detail_prefix=f"cli user {operator()}: ")
    try:
        with output.open("w", encoding="utf-8") if output else contextlib.nullcontext(sys.stdout) as out:
            for chunk in chunks:
                out.write(chunk)
    except OSError as exc:
        raise click.ClickException(f"{output} cannot be written ({exc.strerror})") from None


def _day(value) -> date | None:
    if value is not None and not within_session_years(value):
        raise click.BadParameter(f"choose a date in the years {SESSION_YEARS[0]} to {SESSION_YEARS[1]}")
    return value.date() if value is not None else None


@click.command("import-fhir")
@click.argument("bundle", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--clinic", "clinic_name", required=True, help="The clinic the answers belong to.")
@click.option("--accept-system", "accept_systems", multiple=True,
              help="A patient identifier system whose values are this clinic's patient codes (repeatable).")
@click.option("--practitioner", "practitioners", multiple=True,
              help="'system|value=e-mail': the account a practitioner of the bundle is (repeatable).")
@click.option("--create-missing", is_flag=True, help="Create the clinic and therapists named by --practitioner.")
@click.option("--timezone", default="UTC", show_default=True, help="IANA zone of a clinic created by --create-missing.")
@click.option("--dry-run", is_flag=True, help="Check the bundle and report what would be written; write nothing.")
@with_appcontext
def import_fhir_command(bundle: Path, clinic_name: str, accept_systems: tuple[str, ...], practitioners: tuple[str, ...],
                        create_missing: bool, timezone: str, dry_run: bool) -> None:
    """Import QuestionnaireResponses (with their sessions and treatments) from a FHIR Bundle.

    The whole bundle is checked first; on any problem nothing is written and every problem is
    listed by entry and FHIR path. Importing the same bundle again changes nothing.
    """
    mapping, wrong = parse_practitioners(practitioners)
    if wrong:
        raise click.BadParameter("; ".join(wrong), param_hint="--practitioner")
    try:
        too_big = size_problem(bundle.stat().st_size, import_limit(current_app.config))
        if too_big:  # refused without reading it
            raise click.ClickException(f"{bundle.name}: {too_big}; nothing was written.")
        data = bundle.read_bytes()
    except OSError as exc:
        raise click.ClickException(f"{bundle} cannot be read ({exc.strerror})") from None
    result = import_bundle(data, clinic_name=clinic_name, matching=Matching(accept_systems, mapping),
                           create_missing=create_missing, timezone=timezone, dry_run=dry_run)
    if result.problems:
        for problem in result.problems:
            click.echo(str(problem), err=True)
        count = len(result.problems)
        raise click.ClickException(f"{count} problem{'s' if count != 1 else ''} in {bundle.name}; nothing was written.")
    click.echo(fhir_summary(result, bundle.name))


def fhir_summary(result: FhirImport, name: str) -> str:
    assert result.outcome is not None
    lines = [summary(result.outcome, name).replace(" rows", " resources")]
    if result.planned:
        lines.append(f"  left out: {result.planned} planned sessions (the import is for sessions that took place)")
    if result.read_over:
        lines.append(f"  read over: {result.read_over} Questionnaire, CodeSystem, Observation, Patient and "
                     "Practitioner entries (scores and flags are computed here again)")
    return "\n".join(lines)


def register(app: Flask) -> None:
    app.cli.add_command(export_fhir_command)
    app.cli.add_command(import_fhir_command)
