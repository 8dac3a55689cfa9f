"""Set-up commands: `flask --app app clinics|users|patients|sessions add ...`.

Each refuses bad input with one clear line and a non-zero exit.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import click
from flask import Flask
from flask.cli import AppGroup

from dashboards.setup import operations as setup
from dashboards.setup.operations import SetupError
from feedback.links import link_validity, session_instruments, survey_url
from feedback.models import ATTENDANCE, CHANNELS, ROLES, utcnow
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
        clinic = setup.add_clinic(name, timezone)
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
        clinic = setup.find_clinic(clinic_name)
        password = os.environ.get(PASSWORD_ENV) or click.prompt(
            "Password (12-128 characters)", hide_input=True, confirmation_prompt=True
        )
        user = setup.add_user(email, clinic, role, password, display_name)
    except SetupError as exc:
        raise _fail(exc) from None
    click.echo(f"Created {user.role} {user.email} in {clinic.name}.")


@patients_cli.command("add")
@click.argument("code")
@click.option("--clinic", "clinic_name", required=True)
@click.option("--therapist", "therapist_email", required=True)
@click.option("--phone", default=None, help="Mobile number: +44 7700 900123, or as dialled in the clinic's country.")
@click.option("--sms-consent", is_flag=True, help="The patient agreed to receive links by SMS.")
@click.option("--email", default=None, help="E-mail address for links by e-mail (stored encrypted).")
@click.option("--email-consent", is_flag=True, help="The patient agreed to receive links by e-mail.")
@click.option("--channel", type=click.Choice(CHANNELS), default=None,
              help="How links go when the patient agreed to both (default: SMS, else e-mail, else the link).")
@click.option("--language", default=None, help="The patient's language (default: the clinic's).")
def add_patient(
    code: str, clinic_name: str, therapist_email: str, phone: str | None, sms_consent: bool, email: str | None,
    email_consent: bool, channel: str | None, language: str | None,
) -> None:
    """Register a patient under a pseudonymous CODE."""
    try:
        clinic = setup.find_clinic(clinic_name)
        therapist = setup.find_therapist(therapist_email, clinic)
        patient = setup.add_patient(
            code, clinic, therapist, phone=phone, sms_consent=sms_consent, email=email, email_consent=email_consent,
            channel=channel, language=language,
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
        clinic = setup.find_clinic(clinic_name) if clinic_name else None
        patient = setup.find_patient(code, clinic)
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


def register(app: Flask) -> None:
    for group in (clinics_cli, users_cli, patients_cli, sessions_cli):
        app.cli.add_command(group)
