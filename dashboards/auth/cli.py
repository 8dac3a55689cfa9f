"""Account commands for the operator: `flask --app app accounts COMMAND EMAIL`.

COMMAND is disable, enable, reset-password, password-link or reset-2fa.

Creating clinics and accounts is `flask clinics add` and `flask users add` (dashboards/setup/cli.py).
Every command here is written to the audit trail (actor: the command line).
"""

from __future__ import annotations

import os

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select

from dashboards.auth import accounts
from dashboards.auth.passwords import PasswordPolicyError
from feedback.extensions import db
from feedback.models import User

accounts_cli = AppGroup("accounts", help="Disable, enable, or reset the password or 2FA of clinician accounts.")

PASSWORD_ENV = "NEW_USER_PASSWORD"  # noqa: S105  (the variable's name, not a password)


def _user(email: str) -> User:
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"no account {email}")
    return user


@accounts_cli.command("disable")
@click.argument("email")
def disable(email: str) -> None:
    """Stop an account from signing in and end its sessions now."""
    user = _user(email)
    accounts.disable(user, actor=None)
    click.echo(f"Disabled {user.email}; its sessions have ended.")


@accounts_cli.command("enable")
@click.argument("email")
def enable(email: str) -> None:
    """Let a disabled account sign in again."""
    user = _user(email)
    accounts.enable(user, actor=None)
    click.echo(f"Enabled {user.email}.")


@accounts_cli.command("reset-password")
@click.argument("email")
def reset_password(email: str) -> None:
    """Set a new password (asked for, or read from $NEW_USER_PASSWORD); ends the account's sessions."""
    user = _user(email)
    password = os.environ.get(PASSWORD_ENV) or click.prompt(
        "New password (12-128 characters)", hide_input=True, confirmation_prompt=True
    )
    try:
        accounts.set_password(user, password, actor=None)
    except PasswordPolicyError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Password of {user.email} reset; its sessions have ended.")


@accounts_cli.command("password-link")
@click.argument("email")
def password_link(email: str) -> None:
    """Print a one-time link for the account's owner to set their own password."""
    user = _user(email)
    click.echo(accounts.issue_password_link(user, actor=None))


@accounts_cli.command("reset-2fa")
@click.argument("email")
def reset_two_factor(email: str) -> None:
    """Forget the account's authenticator and recovery codes; it enrols again at next sign-in."""
    user = _user(email)
    accounts.reset_two_factor(user, actor=None)
    click.echo(f"Two-factor sign-in of {user.email} reset; it will enrol again at the next sign-in.")


def register(app: Flask) -> None:
    app.cli.add_command(accounts_cli)
