"""Every command-line command that changes data leaves a row in the audit trail.

Nobody is signed in at the console, so the operator is the OS user who ran the command: action
`cli_command`, no actor, detail e.g. "cli user deploy: users add". A command run for a named
clinic (`--clinic`) is put in that clinic's trail, where its directors read it.

Each command of `flask --app app` is classified below by its full name, and a test checks that
every command is: a new command has to say whether it changes data. The row is written when the
command ends, also when it fails ("(failed)"), in a transaction of its own: the command commits
its own changes. A `--dry-run` changes nothing and is not recorded. The migrations (`db ...`)
are left out: they change the schema, not data, and the audit table may not exist before them.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable, Iterator
from functools import wraps
from typing import Any

import click
from sqlalchemy import select

from dashboards.audit import audit
from feedback.extensions import db
from feedback.models import Clinic
from feedback.text_hygiene import printable

CHANGES_DATA = frozenset({
    "clinics add", "users add", "patients add", "sessions add",
    "accounts disable", "accounts enable", "accounts reset-password", "accounts password-link", "accounts reset-2fa",
    "import-csv", "import-fhir", "recompute-flags", "digest", "demo", "worker",
    "delivery run-once", "delivery confirm-sent", "delivery send-again",
})
READS_ONLY = frozenset({
    "backup", "flags", "validate-flags", "instruments list", "instruments show", "delivery status", "delivery problems",
    "export-fhir",  # reads only; the export itself is recorded as the director's download is
    "translations update", "translations compile", "translations check",  # the catalogs' files in the checkout, no data
})
SCHEMA_GROUP = "db"
NAME_MAX = 64


def command_paths(group: click.Group, prefix: str = "") -> Iterator[tuple[str, click.Command]]:
    """Every command under `group` with its full name, e.g. ("accounts disable", <Command>)."""
    for name, command in group.commands.items():
        path = f"{prefix} {name}".strip()
        if isinstance(command, click.Group):
            yield from command_paths(command, path)
        else:
            yield path, command


def changes_data(path: str) -> bool:
    return path in CHANGES_DATA


def exempt(path: str) -> bool:
    return path in READS_ONLY or path.split(" ", 1)[0] == SCHEMA_GROUP


def install(group: click.Group) -> None:
    """Record each run of the commands that change data. Idempotent: every app the factory makes
    shares the same command objects, so a command already recording is left as it is."""
    for path, command in command_paths(group):
        if changes_data(path) and command.callback and not getattr(command.callback, "records_runs", False):
            command.callback = _recording(path, command.callback)


def _recording(path: str, callback: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(callback)
    def run(*args: Any, **kwargs: Any) -> Any:
        failed = True
        try:
            result = callback(*args, **kwargs)
            failed = False
            return result
        except (click.exceptions.Exit, SystemExit) as exc:
            failed = getattr(exc, "exit_code", getattr(exc, "code", 1)) not in (0, None)
            raise
        finally:
            if not kwargs.get("dry_run"):
                _record(path, kwargs.get("clinic_name"), failed=failed)

    run.records_runs = True  # type: ignore[attr-defined]
    return run


def _record(path: str, clinic_name: str | None, *, failed: bool) -> None:
    db.session.rollback()  # what the command left uncommitted is not part of its record
    clinic_id = db.session.scalar(select(Clinic.id).where(Clinic.name == clinic_name)) if clinic_name else None
    audit("cli_command", clinic_id=clinic_id, detail=f"cli user {operator()}: {path}{' (failed)' if failed else ''}")
    db.session.commit()


def operator() -> str:
    """The OS user running this process, as printable text (it comes from the environment)."""
    try:
        name = getpass.getuser()
    except (OSError, KeyError):  # no login name and no passwd entry, e.g. in a bare container
        name = f"uid {os.getuid()}"
    return printable(name[:NAME_MAX])
