"""Shared fixtures: an app on a migrated database (SQLite by default, PostgreSQL when
TEST_DATABASE_URL is set), a client, a CLI runner, and factories for test data."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path

import pytest
from flask import Flask, g
from flask.testing import FlaskClient, FlaskCliRunner
from flask_migrate import upgrade
from jinja2.bccache import Bucket, BytecodeCache
from sqlalchemy import Engine, create_engine, make_url, text

from app import create_app
from feedback.config import normalise_database_url
from feedback.extensions import db
from tests import password_hashing, rule_builders, smtp_sink
from tests.statements import sent_statements

pytest_plugins = ["tests.browser_support"]  # real-browser fixtures, one browser per run
rule_builders.install()
password_hashing.install()

ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS = str(ROOT / "migrations")
POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")


class SharedTemplateCode(BytecodeCache):
    """Compiled templates kept for the whole run: every test builds its own app, and compiling
    the same templates again for each was a large part of the suite's time. Keyed by template
    name and source checksum (Jinja's bucket key), so an edited template is compiled afresh."""

    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


TEMPLATE_CODE = SharedTemplateCode()


def _app_for(url: str, **extra: object) -> Flask:
    app = create_app({"APP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url, **extra})
    app.jinja_env.bytecode_cache = TEMPLATE_CODE
    return app


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Build the schema once per run from the committed migrations (not create_all), so every
    test also exercises them. Yields a database URL, or a template SQLite file's URL.

    On PostgreSQL each run gets its own scratch database next to TEST_DATABASE_URL's, so
    parallel runs on one server cannot disturb each other."""
    if POSTGRES_URL:
        url = create_scratch_database(normalise_database_url(POSTGRES_URL))
    else:
        url = "sqlite:///" + str(tmp_path_factory.mktemp("template") / "template.db")
    app = _app_for(url)
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        db.engine.dispose()
    yield url
    if POSTGRES_URL:
        _emptying_engine(url).dispose()
        _drop_database(normalise_database_url(POSTGRES_URL), make_url(url).database)


def create_scratch_database(base_url: str, label: str = "run") -> str:
    """A new, empty database next to `base_url`'s, named for `label` and this process; its URL."""
    base = make_url(base_url)
    name = f"{base.database}_{label}_{os.getpid()}"
    _drop_database(base_url, name)
    engine = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def _drop_database(base_url: str, name: str) -> None:
    engine = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


@pytest.fixture
def database_url(migrated_database: str, tmp_path: Path) -> Iterator[str]:
    if POSTGRES_URL:
        yield migrated_database
        _empty_all(migrated_database)
    else:
        # A copy of the migrated template per test: isolated and much faster than migrating.
        source = Path(migrated_database.removeprefix("sqlite:///"))
        target = tmp_path / "test.db"
        shutil.copy(source, target)
        yield "sqlite:///" + str(target)


@cache
def _emptying_engine(url: str) -> Engine:
    return create_engine(url)


def _empty_all(url: str) -> None:
    """Empty every table a test wrote to and restart every id sequence it used, as a fresh
    database would be.

    TRUNCATE … RESTART IDENTITY of all 27 tables cost ~70 ms a test (it swaps every table's and
    index's files). Most tests touch a handful of small tables, so this finds the tables that hold
    rows in one query and DELETEs from those (~1 ms). `session_replication_role = replica` (which
    needs a superuser: README says so) turns triggers off for this transaction only: the foreign
    keys' (so the order does not matter) and the audit trail's append-only one."""
    names = [t.name for t in db.metadata.sorted_tables]
    with _emptying_engine(url).begin() as conn:
        filled = conn.execute(text(" UNION ALL ".join(
            f"SELECT '{name}' WHERE EXISTS (SELECT 1 FROM {name})" for name in names
        ))).scalars().all()
        if filled:
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        for name in filled:
            conn.execute(text(f"DELETE FROM {name}"))
        # A rolled-back insert moves a sequence too, so the used sequences are asked for directly.
        used = conn.execute(text("SELECT sequencename FROM pg_sequences WHERE last_value IS NOT NULL"))
        for sequence in used.scalars().all():
            conn.execute(text(f"ALTER SEQUENCE {sequence} RESTART"))


class PerRequestGlobalsClient(FlaskClient):
    """A test client whose every request starts with an empty `flask.g`, as in production.

    The shared `app` fixture keeps one app context pushed for the whole test, and Flask reuses it
    for each test request, so `g` (Flask-Login's current user, Flask-WTF's CSRF token, the CSP
    nonce) would otherwise leak from one request, or one client, to the next.
    """

    def open(self, *args, **kwargs):
        vars(g._get_current_object()).clear()
        return super().open(*args, **kwargs)


@pytest.fixture
def sink() -> Iterator[smtp_sink.Sink]:
    """A real SMTP server on loopback that keeps what it receives (tests/smtp_sink.py)."""
    with smtp_sink.serve() as server:
        yield server


@pytest.fixture
def app_config() -> dict[str, object]:
    """Override in a test module to change settings for its app."""
    return {}


@pytest.fixture
def app(database_url: str, app_config: dict[str, object]) -> Iterator[Flask]:
    app = _app_for(database_url, **app_config)
    app.test_client_class = PerRequestGlobalsClient
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token_from(html: str) -> str:
    match = CSRF_FIELD.search(html)
    assert match, "page has no CSRF token field"
    return match.group(1)


from tests.factories import *  # noqa: E402,F403  (factory fixtures)


@pytest.fixture
def count_statements(app: Flask) -> Callable[[], object]:
    """`with count_statements() as seen: ...` then `len(seen)`: every SQL statement sent meanwhile."""
    return sent_statements
