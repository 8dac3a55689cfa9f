"""`flask --app app backup FILE`: a consistent copy of the database while the app runs."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess  # noqa: S404  (pg_dump is the documented PostgreSQL backup tool)
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import make_url


def backup_sqlite(database: str, target: Path) -> None:
    """SQLite's online backup API: a consistent copy even while other processes write."""
    source = sqlite3.connect(database)
    try:
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
        finally:
            copy.close()
    finally:
        source.close()


def backup_postgres(url: str, target: Path) -> None:
    """pg_dump in custom format (restore with pg_restore); a consistent snapshot by design."""
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        raise click.ClickException("pg_dump is not installed (apt-get install postgresql-client)")
    parsed = make_url(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = parsed.password
    args = [pg_dump, "--format=custom", "--no-owner", f"--file={target}", f"--dbname={parsed.database}"]
    if parsed.host:
        args.append(f"--host={parsed.host}")
    if parsed.port:
        args.append(f"--port={parsed.port}")
    if parsed.username:
        args.append(f"--username={parsed.username}")
    result = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise click.ClickException(f"pg_dump failed: {result.stderr.strip()[:300]}")


@click.command("backup")
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(target: Path) -> None:
    """Write a consistent copy of the database to TARGET while the app keeps running."""
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    if target.exists():
        raise click.ClickException(f"{target} already exists; choose a new file name")
    target.parent.mkdir(parents=True, exist_ok=True)
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:":
            raise click.ClickException("an in-memory database cannot be backed up")
        backup_sqlite(url.database, target)
    elif url.get_backend_name() == "postgresql":
        backup_postgres(current_app.config["SQLALCHEMY_DATABASE_URI"], target)
    else:
        raise click.ClickException(f"no backup method for {url.get_backend_name()}")
    click.echo(f"Backup written to {target} ({target.stat().st_size} bytes).")


def register(app: Flask) -> None:
    app.cli.add_command(backup_command)
