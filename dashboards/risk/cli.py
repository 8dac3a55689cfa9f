"""`flask --app app flags` (report) and `flask --app app recompute-flags` (refresh the store)."""

from __future__ import annotations

from datetime import date

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy import select

from dashboards.flags import evaluate
from dashboards.risk.histories import load_histories
from dashboards.risk.report import PatientFlags, to_csv, to_json
from dashboards.risk.store import local_today, recompute_clinic, thresholds
from dashboards.setup.operations import SetupError, find_clinic
from feedback.extensions import db
from feedback.links import session_instruments
from feedback.models import Clinic, Patient, User, utcnow


@click.command("flags")
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json", show_default=True)
@click.option("--patient", "patient_code", default=None, help="Only this patient.")
@click.option("--clinic", "clinic_name", default=None, help="Only this clinic.")
@click.option("--as-of", "as_of", default=None, help="Evaluation date YYYY-MM-DD (default: today, clinic time).")
@with_appcontext
def flags_command(fmt: str, patient_code: str | None, clinic_name: str | None, as_of: str | None) -> None:
    """Print every patient's risk level and events, with reasons and numbers."""
    try:
        day = date.fromisoformat(as_of) if as_of else None
    except ValueError:
        raise click.ClickException(f"--as-of {as_of!r} is not a date like 2026-11-26") from None
    query = (
        select(Patient.id, Patient.code, User.email, Clinic.timezone)
        .join(User, User.id == Patient.therapist_id)
        .join(Clinic, Clinic.id == Patient.clinic_id)
        .order_by(Clinic.name, Patient.code)
    )
    try:
        if clinic_name:
            query = query.where(Patient.clinic_id == find_clinic(clinic_name).id)
    except SetupError as exc:
        raise click.ClickException(str(exc)) from None
    if patient_code:
        query = query.where(Patient.code == patient_code)
    patients = db.session.execute(query).all()
    if patient_code and not patients:
        raise click.ClickException(f"no patient {patient_code}")
    now = utcnow()
    histories = load_histories([p.id for p in patients], session_instruments()["patient"], now)
    limits = thresholds()
    rows = []
    for pid, code, email, timezone in patients:
        when = day or local_today(timezone, now)
        rows.append(PatientFlags(code, email, when, evaluate(histories[pid], when, limits)))
    click.echo(to_json(rows) if fmt == "json" else to_csv(rows), nl=fmt == "json")


@click.command("recompute-flags")
@click.option("--clinic", "clinic_name", default=None, help="Only this clinic (default: all).")
@click.option("--full-history", is_flag=True, help="Decide 'ever rated high' afresh over every session date too.")
@click.option("--not-news", is_flag=True,
              help="Mark nothing found as new (after an upgrade or a threshold change: no 'new' marks, no digest).")
@with_appcontext
def recompute_command(clinic_name: str | None, full_history: bool, not_news: bool) -> None:
    """Re-evaluate and store every patient's flags (after an import or a threshold change)."""
    try:
        clinics = [find_clinic(clinic_name)] if clinic_name else db.session.scalars(select(Clinic)).all()
    except SetupError as exc:
        raise click.ClickException(str(exc)) from None
    for clinic in clinics:
        results = recompute_clinic(clinic.id, full_history=full_history, announce=not not_news)
        levels = [e.risk for e in results.values()]
        click.echo(
            f"{clinic.name}: {len(levels)} patients — high {levels.count('high')}, "
            f"watch {levels.count('watch')}, none {levels.count('none')}"
        )


def register(app: Flask) -> None:
    app.cli.add_command(flags_command)
    app.cli.add_command(recompute_command)
