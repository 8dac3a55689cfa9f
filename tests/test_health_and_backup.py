"""Health endpoints, proxy headers and consistent backups."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import threading
from pathlib import Path

import pytest
from flask import request
from sqlalchemy import create_engine, func, make_url, select, text

from app import create_app
from feedback.extensions import db
from feedback.models import Response
from tests.factories import CALM, answer_patient_form


def test_health_and_readiness(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    assert client.get("/readyz").get_json() == {"status": "ok"}


def test_readiness_fails_when_the_database_is_gone(tmp_path):
    app = create_app({"APP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing/x.db"})
    assert app.test_client().get("/readyz").status_code == 503


def test_proxy_headers_are_trusted_only_when_configured():
    def seen(app):
        @app.get("/_scheme")
        def _scheme():
            return f"{request.scheme}://{request.host} {request.remote_addr}"

        headers = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "clinic.example.org", "X-Forwarded-For": "203.0.113.9"}
        return app.test_client().get("/_scheme", headers=headers).text

    assert seen(create_app({"APP_ENV": "testing", "TRUSTED_PROXY_COUNT": 1})) == "https://clinic.example.org 203.0.113.9"
    assert seen(create_app({"APP_ENV": "testing"})).startswith("http://localhost ")


def _responses_in(url: str) -> int:
    engine = create_engine(url)
    with engine.connect() as conn:
        count = conn.execute(text("SELECT count(*) FROM responses")).scalar_one()
    engine.dispose()
    return count


def test_backup_while_writing_restores_the_same_responses(app, runner, make_patient, make_session, tmp_path, database_url):
    patient = make_patient()
    for _ in range(3):
        answer_patient_form(make_session(patient), CALM)
    expected = db.session.scalar(select(func.count()).select_from(Response))
    target = tmp_path / "backup.dump"

    # A writer keeps another connection busy during the backup; the copy must still be consistent.
    stop = threading.Event()

    def keep_reading() -> None:
        engine = create_engine(database_url)
        with engine.connect() as conn:
            while not stop.is_set():
                conn.execute(text("SELECT count(*) FROM invitations")).scalar_one()
        engine.dispose()

    reader = threading.Thread(target=keep_reading)
    reader.start()
    try:
        result = runner.invoke(args=["backup", str(target)])
    finally:
        stop.set()
        reader.join()
    assert result.exit_code == 0, result.output

    if make_url(database_url).get_backend_name() == "sqlite":
        assert sqlite3.connect(target).execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert _responses_in(f"sqlite:///{target}") == expected
    else:
        if not shutil.which("pg_restore"):
            pytest.skip("pg_restore not installed")
        base = make_url(database_url)
        restored = f"{base.database}_restore"
        admin = create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{restored}"'))
            conn.execute(text(f'CREATE DATABASE "{restored}"'))
        subprocess.run(["pg_restore", "--no-owner", f"--dbname={restored}", "--host=127.0.0.1",
                        f"--username={base.username}", str(target)], check=True)
        url = base.set(database=restored).render_as_string(hide_password=False)
        assert _responses_in(url) == expected
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{restored}" WITH (FORCE)'))
        admin.dispose()

    again = runner.invoke(args=["backup", str(target)])
    assert again.exit_code == 1 and "already exists" in again.output


def test_backup_refuses_in_memory(tmp_path):
    app = create_app({"APP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "x.db")])
    assert result.exit_code == 1 and "in-memory" in result.output
    assert not Path(tmp_path / "x.db").exists()
