"""The Flask extension objects and the declarative base, bound to an app by `create_app`.

They live here, on the ground floor, so that models, views and commands on both sides import
them without importing `app` (which imports every blueprint): no import circle through the
factory.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import InvalidatePoolError
from sqlalchemy.orm import DeclarativeBase

P = ParamSpec("P")
R = TypeVar("R")


class Base(DeclarativeBase):
    # Named constraints so Alembic can alter them on SQLite (batch mode) and PostgreSQL alike.
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
    # WAL lets readers and one writer work at once; the busy timeout makes writers queue
    # instead of failing when several processes share the file.
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # Safe with WAL (no corruption; a power cut may lose the last commits, not old ones).
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


#: A connection back in the pool for less than this is taken to be alive; one idle for longer is
#: pinged before use. A project choice: under load every connection is reused within milliseconds,
#: and the ping was a round trip of a survey page's two on PostgreSQL (bench/RESULTS.md); at a
#: clinic's everyday pace nearly every request is still pinged. A database restarted within that
#: second fails the request that next uses each connection, as it fails the requests in flight.
PING_AFTER_IDLE_SECONDS = 1.0


def ping_after_idle(engine: Engine) -> None:
    """SQLAlchemy's `pool_pre_ping`, skipped for a connection that was in use a moment ago: a dead
    connection found by the ping is replaced with a new one before the request gets it."""
    dialect = engine.dialect

    def returned(dbapi_connection: Any, record: Any, *_: Any) -> None:
        record.info["returned_at"] = time.monotonic()

    def check(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        at = record.info.get("returned_at")
        if at is not None and time.monotonic() - at < PING_AFTER_IDLE_SECONDS:
            return
        try:
            alive = dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error:
            alive = False
        if not alive:
            # As pool_pre_ping does: this connection and every older one in the pool are replaced
            # (a restarted database has dropped them all); the request gets a new one.
            raise InvalidatePoolError("a pooled connection is gone")

    event.listen(engine.pool, "connect", returned)  # a new connection is alive
    event.listen(engine.pool, "checkin", returned)
    event.listen(engine.pool, "checkout", check)


def hold_sqlite_write_lock() -> None:
    """SQLite has no row locks: start the session's transaction with `BEGIN IMMEDIATE`, which takes
    the database's write lock before anything is read (WAL readers go on; other writers queue for
    up to the busy timeout). Nothing on PostgreSQL, whose callers lock rows; nothing inside a
    transaction that has already written, which holds the lock (pysqlite begins one only then)."""
    connection = db.session.connection()
    if connection.dialect.name == "sqlite" and not connection.connection.dbapi_connection.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def without_transaction(view: Callable[P, R]) -> Callable[P, R]:
    """For a view that only reads (the outcome measures' pages on a survey link): the session's
    connection in autocommit, so PostgreSQL gets no BEGIN and no ROLLBACK, two round trips of each
    page's few. Each statement sees what was committed when it began, as under the READ COMMITTED
    every other request uses. SQLite (pysqlite) begins only before a write, so it is left as it is.
    Afterwards the connection goes back out of autocommit, as at the end of a request, so nothing
    else can run on it in autocommit (tests share one session across requests). A view that wrote
    twice would commit each write on its own: tests/survey/test_answer_path.py pins the statements
    of the pages that use this. (The alliance form's page and answer, one or two statements, send
    them past the session: feedback/alone.py.)"""

    @functools.wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        session = db.session()
        # Something has read already: stay in its transaction. On SQLite, switching costs PRAGMAs
        # (0.26 ms a GET, measured) and saves nothing.
        if session.in_transaction() or session.get_bind().dialect.name != "postgresql":
            return view(*args, **kwargs)
        session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        try:
            return view(*args, **kwargs)
        finally:
            session.rollback()  # nothing to undo: it returns the connection to the pool, which resets it

    return wrapper
