"""One statement as a transaction of its own, sent past the ORM session on PostgreSQL: the survey
link's lookup, its first-open stamp and its answer.

They are the app's busiest statements. Through the session, each paid for the session's transaction
bookkeeping, a switch of its pooled connection to autocommit and back, and SQLAlchemy's execution
of a statement: the lookup cost 0.26 ms of the web worker's CPU, against 0.09 ms here, and the survey
page served 0.32× the baseline's requests, against 0.42× (bench/RESULTS.md, 2026-12-05).

Here: a second pool of the same database, with the same engine options, whose connections stay in
autocommit (nothing to begin, nothing to roll back when one goes back); each statement compiled once
per app; values bound and read through the columns' own types (`UTCDateTime`'s aware times, JSON),
as SQLAlchemy binds and reads them; a driver's error raised as SQLAlchemy's (an `IntegrityError` is
one), its values hidden as the app's engine hides them. The pool is disposed with the app's engine.
For plain statements with bound values, as the survey's are: one that needs values SQLAlchemy
computes as it runs (a column's Python default) is refused.

Only when the session holds no transaction. In one, the statement joins it, sees what it wrote and
commits with it (the clinic tablet, tests that share a session). On SQLite always the session:
pysqlite begins nothing before a write, so there is nothing to save.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.exc import DBAPIError, StatementError
from sqlalchemy.sql.expression import Executable

from feedback.extensions import db, ping_after_idle

_EXTENSION = "feedback.alone"


def init_app(app: Flask) -> None:
    """The autocommit pool for a PostgreSQL app, made (not connected) with its engine; none for SQLite.
    Call inside an app context, after `db.init_app`."""
    engine = db.engine
    if engine.dialect.name != "postgresql":
        return
    pool = create_engine(
        engine.url, **{**app.config["SQLALCHEMY_ENGINE_OPTIONS"], "isolation_level": "AUTOCOMMIT",
                       "pool_reset_on_return": None},
    )
    ping_after_idle(pool)
    event.listen(engine, "engine_disposed", lambda _: pool.dispose())  # tests drop their databases
    app.extensions[_EXTENSION] = _Pool(pool)


def read(statement: Executable, params: Mapping[str, Any]) -> Any | None:
    """The statement's first row (its columns by name), or None. In the session's transaction, the
    row as that transaction sees it, and the transaction goes on."""
    return _run(statement, params, commit=False)


def write(statement: Executable, params: Mapping[str, Any]) -> Any | None:
    """The statement, committed; its first row (RETURNING), or None. In the session's transaction,
    that transaction is committed with it, or rolled back if it fails."""
    return _run(statement, params, commit=True)


def _run(statement: Executable, params: Mapping[str, Any], *, commit: bool) -> Any | None:
    pool: _Pool | None = current_app.extensions.get(_EXTENSION)
    # A request's session is made on first use: none yet, no transaction (and none is made here).
    if pool is None or (db.session.registry.has() and db.session().in_transaction()):
        return _in_session(statement, params, commit=commit)
    connection = _checked_out(pool.engine)
    try:
        # After the checkout: a pool's first connection tells its dialect the server's version.
        compiled = pool.compiled(statement, tuple(params))
        row = _send(connection, compiled, compiled.bound(params))
    finally:
        connection.close()  # back to the pool, in autocommit as it came
    # A write with no RETURNING of its own gives None (PostgreSQL's INSERT returns its key regardless).
    return None if row is None or not compiled.readers else compiled.read(row)


def _in_session(statement: Executable, params: Mapping[str, Any], *, commit: bool) -> Any | None:
    """A Core statement on the session's connection: nothing is flushed, nothing enters its identity map."""
    session = db.session()
    try:
        result = session.connection().execute(statement, params)
        row = result.first() if result.returns_rows else None
        if commit:
            session.commit()
    except BaseException:
        if commit:
            session.rollback()
        raise
    return row


@dataclass(frozen=True)
class Sent:
    sql: str
    params: Any  # as bound for the driver
    alone: bool  # sent past the session, on this module's pool
    many: bool = False  # an executemany
    autocommit: bool | None = None  # a statement sent alone: its connection's, as it left


_WATCHERS: list[Callable[[Sent], object]] = []


@contextmanager
def watched(watcher: Callable[[Sent], object]) -> Iterator[None]:
    """`watcher` is given every statement the app sends while the block runs: on the app's engine,
    and past it here, which SQLAlchemy's events do not see. For the tests that pin a request's
    statements, and for `bench/plans.py`. Inside an app context."""

    def on_engine(conn: Any, cursor: Any, sql: str, params: Any, context: Any, executemany: bool) -> None:
        watcher(Sent(sql, params, alone=False, many=executemany))

    engine = db.engine
    event.listen(engine, "before_cursor_execute", on_engine)
    _WATCHERS.append(watcher)
    try:
        yield
    finally:
        _WATCHERS.remove(watcher)
        event.remove(engine, "before_cursor_execute", on_engine)


def _checked_out(engine: Engine) -> Any:
    """A connection of the pool. A database out of reach is SQLAlchemy's error, as through the
    session (the error pages catch those), not the driver's."""
    dialect = engine.dialect
    try:
        return engine.raw_connection()
    except dialect.loaded_dbapi.Error as error:
        raise DBAPIError.instance(None, None, error, dialect.loaded_dbapi.Error, hide_parameters=True,
                                  connection_invalidated=True, dialect=dialect) from error


def _send(connection: Any, compiled: _Compiled, bound: dict[str, Any]) -> tuple[Any, ...] | None:
    """The one place a statement leaves on this pool's connection: its first row."""
    for watcher in _WATCHERS:
        watcher(Sent(compiled.sql, bound, alone=True, autocommit=connection.driver_connection.autocommit))
    dialect = compiled.dialect
    cursor = connection.cursor()
    try:
        cursor.execute(compiled.sql, bound)
        return cursor.fetchone() if compiled.returns_rows else None
    except dialect.loaded_dbapi.Error as error:
        gone = dialect.is_disconnect(error, connection, cursor)
        if gone:
            connection.invalidate(error)
        raise DBAPIError.instance(compiled.sql, bound, error, dialect.loaded_dbapi.Error, hide_parameters=True,
                                  connection_invalidated=gone, dialect=dialect) from error
    except BaseException:
        # Interrupted (a timeout's signal, a worker told to stop): the statement may still be running,
        # and the pool resets nothing on return. The connection is closed, not reused.
        connection.invalidate()
        raise
    finally:
        cursor.close()


@dataclass(frozen=True)
class _Compiled:
    """A statement in the dialect's SQL, with its binds' and its columns' type processors."""

    dialect: Dialect
    sql: str
    defaults: dict[str, Any]  # values given in the statement itself
    binders: dict[str, Callable[[Any], Any]]
    returns_rows: bool
    row: type
    readers: tuple[Callable[[Any], Any] | None, ...]

    @classmethod
    def of(cls, statement: Executable, dialect: Dialect, names: tuple[str, ...]) -> _Compiled:
        # By the names of the values given, as SQLAlchemy compiles: an INSERT sets the columns given.
        compiled = statement.compile(dialect=dialect, column_keys=list(names))
        binds = compiled.binds.items()
        # What SQLAlchemy's execution adds and this does not: values computed as the statement runs
        # (a column's Python default or onupdate, a callable bind), IN lists rendered per call,
        # bind names that need escaping. Refused here rather than sent as NULLs or broken SQL.
        if (compiled.insert_prefetch or compiled.update_prefetch or compiled.post_compile_params
                or compiled.literal_execute_params or compiled.escaped_bind_names
                or any(bind.callable is not None for _, bind in binds)):
            raise ValueError(f"not a statement to send alone: {compiled.string!r}")
        columns = statement.exported_columns  # a SELECT's columns, a write's RETURNING
        return cls(
            dialect,
            compiled.string,
            defaults={name: bind.value for name, bind in binds if not bind.required},
            binders={name: processor for name, bind in binds
                     if (processor := bind.type.dialect_impl(dialect).bind_processor(dialect)) is not None},
            returns_rows=statement.is_select or bool(compiled.effective_returning),
            row=namedtuple("Row", [column.key for column in columns]),  # noqa: PYI024
            readers=tuple(column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns),
        )

    def bound(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """The values as the driver takes them; a value its type refuses is SQLAlchemy's error."""
        values = {**self.defaults, **params}
        try:
            return {name: binder(values[name]) if (binder := self.binders.get(name)) else values[name]
                    for name in values}
        except Exception as error:
            raise StatementError(str(error), self.sql, None, error, hide_parameters=True) from error

    def read(self, row: tuple[Any, ...]) -> Any:
        return self.row._make(value if reader is None else reader(value)
                              for reader, value in zip(self.readers, row, strict=True))


@dataclass(frozen=True)
class _Pool:
    """The autocommit engine, and its statements compiled once each (per app: tests make many)."""

    engine: Engine
    statements: dict[tuple[Executable, tuple[str, ...]], _Compiled] = field(default_factory=dict)

    def compiled(self, statement: Executable, names: tuple[str, ...]) -> _Compiled:
        found = self.statements.get((statement, names))
        if found is None:
            found = self.statements[statement, names] = _Compiled.of(statement, self.engine.dialect, names)
        return found
