"""`flask --app app demo`: the one command that builds, fills and serves a demo clinic on a laptop."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade
from werkzeug.serving import run_simple

from dashboards.demo.clinic import PASSWORD, PATIENTS, seed
from feedback.delivery.worker import start_in_process


@click.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--no-serve", is_flag=True, help="Only build and fill the database.")
@with_appcontext
def demo_command(host: str, port: int, no_serve: bool) -> None:
    """Build the database, fill it with a demo clinic once, print how to sign in, and serve."""
    app = current_app._get_current_object()
    if app.config["APP_ENV"] != "development":
        raise click.ClickException("the demo runs only with APP_ENV=development")
    upgrade(directory=app.extensions["migrate"].directory)
    app.config["PUBLIC_BASE_URL"] = app.config.get("PUBLIC_BASE_URL") or f"http://{host}:{port}"
    seeded = seed()
    click.echo(f"\nDemo clinic: {seeded.clinic.name}")
    for email, role in seeded.accounts:
        click.echo(f"  {role:<9} {email}   password: {PASSWORD}")
    click.echo("  (two-factor sign-in is switched off for the demo: DEV_SKIP_2FA, development only)")
    if seeded.added_session is not None:
        click.echo(f"\nAdded session {seeded.added_session} (attended, just now) for {PATIENTS[0][0]}: its earlier "
                   "questionnaire link had expired; its SMS goes to this console.")
    if seeded.survey_link:
        click.echo(f"\nOpen questionnaire (patient {PATIENTS[0][0]}): {seeded.survey_link}")
    if no_serve:
        return
    app.config["DEV_SKIP_2FA"] = True
    # No reloader, so this one process serves and runs the delivery jobs exactly once.
    start_in_process(app, use_reloader=False)
    click.echo("SMS go to this console (no Twilio configured); the delivery jobs run in this process.")
    click.echo(f"\nServing on http://{host}:{port}/  (Ctrl+C to stop)\n")
    # Flask refuses app.run() inside its own CLI; serve with Werkzeug directly.
    run_simple(host, port, app, use_reloader=False, threaded=True)


def register(app: Flask) -> None:
    app.cli.add_command(demo_command)
