"""Every command the clinician side adds to `flask --app app` (README lists them), and the audit
row each command that changes data leaves (dashboards/audit/commands.py)."""

from __future__ import annotations

from flask import Flask

from dashboards import backup
from dashboards.audit import commands as audited_commands
from dashboards.auth import cli as auth_cli
from dashboards.demo import cli as demo_cli
from dashboards.digest import cli as digest_cli
from dashboards.fhir import cli as fhir_cli
from dashboards.importer import cli as importer_cli
from dashboards.risk import cli as risk_cli
from dashboards.setup import cli as setup_cli
from dashboards.validity import cli as validity_cli


def register(app: Flask) -> None:
    for commands in (setup_cli, auth_cli, importer_cli, fhir_cli, risk_cli, validity_cli, digest_cli, backup, demo_cli):
        commands.register(app)
    # Last, after the patient side's commands too (app.register_cli): it may not import the trail.
    audited_commands.install(app.cli)
