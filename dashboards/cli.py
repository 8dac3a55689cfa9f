"""Set-up commands: `flask --app app clinics|users|patients|sessions add ...`.

Each refuses bad input with one clear line and a non-zero exit.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from werkzeug.serving import run_simple

from dashboards import setup_ops
from dashboards.risk.cli import flags_command, recompute_command
from dashboards.setup_ops import SetupError
from feedback.links import link_validity, session_instruments, survey_url
from feedback.models import ATTENDANCE, ROLES, utcnow
from feedback.sessions import SessionError, record_session

clinics_cli = AppGroup("clinics", help="Manage clinics.")
users_cli = AppGroup("users", help="Manage clinician accounts.")
patients_cli = AppGroup("patients", help="Manage patients.")
sessions_cli = AppGroup("sessions", help="Record therapy sessions.")

PASSWORD_ENV = "NEW_USER_PASSWORD"  # noqa: S105  (the variable's name, not a password)


def _fail(exc: Exception) -> click.ClickException:
    return click.ClickException(str(exc))


@clinics_cli.command("add")
@click.argument("name")
@click.option("--timezone", default="UTC", show_default=True, help="IANA zone, e.g. Europe/Berlin.")
def add_clinic(name: str, timezone: str) -> None:
    """Create a clinic."""
    try:
        clinic = setup_ops.add_clinic(name, timezone)
    except SetupError as exc:
        raise _fail(exc) from None
    click.echo(f"Created clinic {clinic.name} ({clinic.timezone}).")


@users_cli.command("add")
@click.argument("email")
@click.option("--clinic", "clinic_name", required=True)
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--name", "display_name", default="", help="Name shown in the dashboards.")
def add_user(email: str, clinic_name: str, role: str, display_name: str) -> None:
    """Create a clinician account. The password is asked for, or read from $NEW_USER_PASSWORD."""
    try:
        clinic = setup_ops.find_clinic(clinic_name)
        password = os.environ.get(PASSWORD_ENV) or click.prompt(
            "Password (12-128 characters)", hide_input=True, confirmation_prompt=True
        )
        user = setup_ops.add_user(email, clinic, role, password, display_name)
    except SetupError as exc:
        raise _fail(exc) from None
    click.echo(f"Created {user.role} {user.email} in {clinic.name}.")


@patients_cli.command("add")
@click.argument("code")
@click.option("--clinic", "clinic_name", required=True)
@click.option("--therapist", "therapist_email", required=True)
@click.option("--phone", default=None, help="Mobile number, international form (+44 7700 900123).")
@click.option("--sms-consent", is_flag=True, help="The patient agreed to receive links by SMS.")
@click.option("--language", default="en", show_default=True)
def add_patient(
    code: str, clinic_name: str, therapist_email: str, phone: str | None, sms_consent: bool, language: str
) -> None:
    """Register a patient under a pseudonymous CODE."""
    try:
        clinic = setup_ops.find_clinic(clinic_name)
        therapist = setup_ops.find_therapist(therapist_email, clinic)
        patient = setup_ops.add_patient(
            code, clinic, therapist, phone=phone, sms_consent=sms_consent, language=language
        )
    except SetupError as exc:
        raise _fail(exc) from None
    click.echo(f"Registered patient {patient.code} with {therapist.email} (channel: {patient.preferred_channel}).")


@sessions_cli.command("add")
@click.argument("code")
@click.option("--status", "attendance", type=click.Choice(ATTENDANCE), required=True)
@click.option(
    "--start", default=None, help="ISO time; without an offset it is the clinic's local time. Default: 50 minutes ago."
)
@click.option("--duration", default=50, show_default=True, type=click.IntRange(5, 480))
@click.option("--clinic", "clinic_name", default=None, help="Needed only if the code exists in several clinics.")
def add_session(code: str, attendance: str, start: str | None, duration: int, clinic_name: str | None) -> None:
    """Record a session for patient CODE; an attended one prints both questionnaire links."""
    try:
        clinic = setup_ops.find_clinic(clinic_name) if clinic_name else None
        patient = setup_ops.find_patient(code, clinic)
        starts_at = _parse_start(start, patient.clinic.zone, duration)
        recorded = record_session(
            patient,
            starts_at=starts_at,
            attendance=attendance,
            duration_minutes=duration,
            instruments=session_instruments(),
            valid_for=link_validity(),
        )
    except (SetupError, SessionError) as exc:
        raise _fail(exc) from None
    click.echo(f"Recorded session {recorded.session.number} for {patient.code}: {attendance}.")
    for respondent, link in recorded.links.items():
        click.echo(f"{respondent} link: {survey_url(link.token)}")


def _parse_start(value: str | None, zone: ZoneInfo, duration: int) -> datetime:
    if value is None:
        return utcnow() - timedelta(minutes=duration)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise SetupError(f"--start {value!r} is not an ISO time such as 2026-11-26T14:00") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)


@click.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--no-serve", is_flag=True, help="Only build and fill the database.")
@with_appcontext
def demo_command(host: str, port: int, no_serve: bool) -> None:
    """Build the database, fill it with a demo clinic once, print how to sign in, and serve."""
    from flask_migrate import upgrade

    from dashboards import demo

    app = current_app._get_current_object()
    if app.config["APP_ENV"] != "development":
        raise click.ClickException("the demo runs only with APP_ENV=development")
    upgrade(directory=app.extensions["migrate"].directory)
    app.config["PUBLIC_BASE_URL"] = app.config.get("PUBLIC_BASE_URL") or f"http://{host}:{port}"
    seeded = demo.seed()
    click.echo(f"\nDemo clinic: {seeded.clinic.name}")
    for email, role in seeded.accounts:
        click.echo(f"  {role:<9} {email}   password: {demo.PASSWORD}")
    click.echo("  (two-factor sign-in is switched off for the demo: DEV_SKIP_2FA, development only)")
    if seeded.survey_link:
        click.echo(f"\nOpen questionnaire (patient {demo.PATIENTS[0][0]}): {seeded.survey_link}")
    if no_serve:
        return
    app.config["DEV_SKIP_2FA"] = True
    from feedback.delivery.worker import start_in_process

    # No reloader, so this one process serves and runs the delivery jobs exactly once.
    start_in_process(app, use_reloader=False)
    click.echo("SMS go to this console (no Twilio configured); the delivery jobs run in this process.")
    click.echo(f"\nServing on http://{host}:{port}/  (Ctrl+C to stop)\n")
    # Flask refuses app.run() inside its own CLI; serve with Werkzeug directly.
    run_simple(host, port, app, use_reloader=False, threaded=True)


def register(app: Flask) -> None:
    for group in (clinics_cli, users_cli, patients_cli, sessions_cli):
        app.cli.add_command(group)
    app.cli.add_command(demo_command)
    app.cli.add_command(flags_command)
    app.cli.add_command(recompute_command)
