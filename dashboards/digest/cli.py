"""`flask --app app digest [--dry-run]`: run once a day from cron."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext

from dashboards.digest.run import DEFAULTS, send_digests
from feedback.mail import MailConfigError


@click.command("digest")
@click.option("--dry-run", is_flag=True, help="Print the e-mails that would go out; send and mark nothing.")
@with_appcontext
def digest_command(dry_run: bool) -> None:
    """E-mail each therapist their patients' new high-risk flags (codes and names only). Run daily."""
    try:
        run = send_digests(dry_run=dry_run)
    except MailConfigError as exc:
        raise click.ClickException(str(exc)) from None
    for name in run.unknown_clinics:
        click.echo(f"DIGEST_CLINICS names no clinic called {name!r}", err=True)
    if not run.clinics:
        click.echo("The digest is off: set DIGEST_ENABLED=1, or DIGEST_CLINICS to clinic names.")
        return
    if dry_run:
        for message in run.messages:
            click.echo(f"--- to {message['To']}: {message['Subject']}\n{message.get_content()}")
        click.echo(f"Dry run: {len(run.messages)} e-mail(s) would be sent; nothing was sent or marked.")
        return
    for digest in run.sent:
        click.echo(f"Sent to {digest.to}: {len(digest.patients)} patient(s), {len(digest.event_ids)} flag(s).")
    for digest, reason in run.failed:
        click.echo(f"Not sent to {digest.to}: {reason}", err=True)
    if not run.sent and not run.failed:
        click.echo("No new high-risk flags: nothing to send.")
    if run.failed:
        raise SystemExit(1)


def register(app: Flask) -> None:
    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    app.cli.add_command(digest_command)
