"""What the benches share: the machine's description, the app as production runs it, scratch
PostgreSQL databases and their settings, and replacing one bench's section of RESULTS.md."""

from __future__ import annotations

import os
import platform
import secrets
import sqlite3
from collections.abc import Callable, Mapping
from pathlib import Path

from cryptography.fernet import Fernet
from flask import Flask
from sqlalchemy import create_engine, make_url, text

from app import create_app

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "RESULTS.md"
POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def production_app(url: str) -> tuple[Flask, dict[str, str]]:
    """The app with production's settings on the database at `url`, and the environment its gunicorn
    and worker processes get (fresh secrets each run)."""
    env = {
        "APP_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(32),
        "PHONE_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "DATABASE_URL": url,
    }
    return create_app({"SQLALCHEMY_DATABASE_URI": url, **env}), env


def machine() -> str:
    model = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return (
        f"{os.cpu_count()} CPUs ({model}), {memory_gib()} GiB memory, Python {platform.python_version()}, "
        f"SQLite library {sqlite3.sqlite_version}, {platform.system()} {platform.release()}"
    )


def memory_gib() -> str:
    meminfo = Path("/proc/meminfo")
    if not meminfo.exists():
        return "?"
    for line in meminfo.read_text().splitlines():
        if line.startswith("MemTotal:"):
            return f"{int(line.split()[1]) / 1024 / 1024:.0f}"
    return "?"


def scratch_postgres(base_url: str, label: str) -> tuple[str, Callable[[], None]]:
    """A new, empty database next to `base_url`'s (dropped first if left over); its URL and a dropper."""
    base = make_url(base_url)
    name = f"{base.database}_bench_{label}_{os.getpid()}"
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return base.set(database=name).render_as_string(hide_password=False), drop


#: The planner settings docs/production.md asks of a PostgreSQL whose data is in memory or on SSD
#: and that shares a small host with the web processes. random_page_cost's default (4) prices an
#: index probe like a disk seek and turns the caseload's per-patient lookups into a scan of every
#: invitation of the clinic; parallel workers make the director's 90-day aggregate take three
#: processes' CPU from the two cores the web workers need.
PLANNER_SETTINGS = {"random_page_cost": "1.1", "max_parallel_workers_per_gather": "0"}


def tune_postgres(url: str, settings: Mapping[str, str] = PLANNER_SETTINGS) -> str:
    """Apply `settings` to the database at `url` (new connections see them); a description."""
    name = make_url(url).database
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        for key, value in settings.items():
            conn.execute(text(f'ALTER DATABASE "{name}" SET {key} = {value}'))
    engine.dispose()
    return ", ".join(f"{key} {value}" for key, value in settings.items())


def write_section(section: str, lines: list[str]) -> None:
    """Replace one bench's section of RESULTS.md (other benches keep theirs)."""
    start, end = f"<!-- bench:{section} -->", f"<!-- /bench:{section} -->"
    block = "\n".join([start, *lines, end])
    current = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n\nEach bench writes its own section.\n"
    if start in current and end in current:
        before, rest = current.split(start, 1)
        current = before + block + rest.split(end, 1)[1]
    else:
        current = current.rstrip("\n") + "\n\n" + block + "\n"
    RESULTS.write_text(current)
