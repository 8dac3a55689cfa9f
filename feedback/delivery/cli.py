"""`flask --app app worker` and `flask --app app delivery ...`: run and inspect SMS delivery."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import func, select

from feedback.delivery import staff
from feedback.delivery.dispatcher import Dispatcher
from feedback.delivery.planner import cancel_stale, plan_missing, plan_reminders
from feedback.delivery.resolver import resolve_uncertain
from feedback.delivery.settings import delivery
from feedback.delivery.worker import run_worker
from feedback.extensions import db
from feedback.models import Clinic
from feedback.models.outbox import STATUSES, OutboxMessage

delivery_cli = AppGroup("delivery", help="Inspect and nudge SMS delivery (the worker does it all on its own).")


@click.command("worker")
@with_appcontext
def worker_command() -> None:
    """Run the worker: sends due SMS, plans reminders, sweeps expired links, refreshes flags.

    Run one or more in production, next to the web processes; stop with SIGTERM.
    """
    run_worker(current_app._get_current_object())  # type: ignore[attr-defined]


@delivery_cli.command("status")
def status_command() -> None:
    """Count outbox messages by status."""
    counts = dict(db.session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all())
    for status in STATUSES:
        click.echo(f"{status:<12} {counts.get(status, 0)}")


@delivery_cli.command("problems")
@click.argument("clinic_name")
def problems_command(clinic_name: str) -> None:
    """List failed, undelivered and long-uncertain messages of a clinic."""
    clinic = db.session.scalar(select(Clinic).where(Clinic.name == clinic_name))
    if clinic is None:
        raise click.ClickException(f"no clinic named {clinic_name!r}")
    for p in staff.needs_attention(clinic.id):
        code = f" (error {p.error_code})" if p.error_code else ""
        click.echo(f"#{p.outbox_id}  {p.patient_code:<10} {p.channel:<5} {p.kind:<10} {p.status:<11} {p.reason}{code}")


@delivery_cli.command("run-once")
def run_once_command() -> None:
    """Plan, sweep, resolve and dispatch once, in this process (for operators and debugging)."""
    found = delivery()
    click.echo(f"planned {plan_missing()} invitation SMS and {plan_reminders()} reminders")
    click.echo(f"cancelled {cancel_stale()} stale SMS")
    click.echo(f"uncertain: {resolve_uncertain(found.sender, found.cipher)}")
    click.echo(f"dispatched: {Dispatcher(found.sender, found.cipher).run()}")


@delivery_cli.command("confirm-sent")
@click.argument("outbox_id", type=int)
def confirm_sent_command(outbox_id: int) -> None:
    """Mark an uncertain message as sent (you checked it in the Twilio console)."""
    if not staff.confirm_sent(outbox_id):
        raise click.ClickException(f"message #{outbox_id} is not uncertain")
    click.echo(f"message #{outbox_id} marked sent")


@delivery_cli.command("send-again")
@click.argument("outbox_id", type=int)
def send_again_command(outbox_id: int) -> None:
    """Queue an uncertain or failed message again (you checked it did not arrive)."""
    if not staff.send_again(outbox_id):
        raise click.ClickException(f"message #{outbox_id} is not uncertain, failed or undelivered")
    click.echo(f"message #{outbox_id} queued again")


def register(app: Flask) -> None:
    app.cli.add_command(worker_command)
    app.cli.add_command(delivery_cli)
