"""A statement sent alone (feedback/alone.py): the same rows and the same stored values as through
SQLAlchemy, its own transaction on PostgreSQL, the session's transaction when one is open, and the
driver's failures as SQLAlchemy's."""

from __future__ import annotations

import signal
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import create_engine, func, insert, select
from sqlalchemy.exc import IntegrityError, OperationalError, StatementError

from feedback import alone, extensions, survey_link, tokens
from feedback.extensions import db
from feedback.invitations import _CLAIM_STORE_AND_MARK, _OPENED
from feedback.models import Invitation, Response, TherapySession
from tests.statements import ALONE, sent_statements


def _on_postgres() -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no pool of its own: the session's connection (see the SQLite test)")


def _elsewhere(statement):  # noqa: ANN001, ANN202
    """The statement's rows as another connection sees them: what has been committed."""
    with db.engine.connect() as other:
        return other.execute(statement).all()


def _link(make_session, make_patient):  # noqa: ANN001, ANN202
    """An invitation whose row has every kind of value the survey reads: times, JSON, text."""
    patient = make_patient()
    patient.outcome_battery = [{"instrument": "phq-9", "every": 4}]
    patient.clinic.crisis_text = {"en": "Call 999 in an emergency."}
    db.session.commit()
    link = make_session(patient).links["patient"]
    return link.invitation.id, tokens.hash_token(link.token)


def test_a_read_gives_what_sqlalchemy_gives_and_a_write_commits_on_its_own(app, make_session, make_patient):
    _on_postgres()
    invitation_id, digest = _link(make_session, make_patient)
    expected = db.session.connection().execute(survey_link._BY_TOKEN_HASH, {"digest": digest}).one()
    db.session.rollback()  # a request's session: no transaction open

    with sent_statements(marked=True) as seen:
        row = alone.read(survey_link._BY_TOKEN_HASH, {"digest": digest})
        opened = datetime(2026, 3, 4, 9, 30, tzinfo=timezone(timedelta(hours=-5)))  # 14:30 UTC
        alone.write(_OPENED, {"invitation": invitation_id, "opened": opened})

    assert tuple(row) == tuple(expected) and row._fields == tuple(expected._fields)
    assert row.expires_at.tzinfo is UTC and row.crisis_text == {"en": "Call 999 in an emergency."}
    assert row.patient_battery == [{"instrument": "phq-9", "every": 4}]
    assert [sql.startswith(ALONE) for sql in seen] == [True, True]  # in autocommit, nothing on the session
    assert not db.session().in_transaction()
    # Committed at once, stored as naive UTC as the model stores it, read back aware.
    assert _elsewhere(select(Invitation.opened_at).where(Invitation.id == invitation_id)) == [
        (datetime(2026, 3, 4, 14, 30, tzinfo=UTC),)]
    assert alone.read(survey_link._BY_TOKEN_HASH, {"digest": digest}).opened_at == opened
    assert alone.read(survey_link._BY_TOKEN_HASH, {"digest": "0" * 64}) is None
    with pytest.raises(StatementError, match="naive"):  # the column's type refuses a time without its zone
        alone.write(_OPENED, {"invitation": invitation_id, "opened": datetime(2026, 3, 4, 9, 30)})


def test_in_the_sessions_transaction_a_read_sees_its_rows_and_a_write_commits_it(app, make_session, make_patient):
    _on_postgres()
    invitation_id, digest = _link(make_session, make_patient)
    invitation = db.session.get(Invitation, invitation_id)
    invitation.token_hash = "f" * 64  # flushed, not committed
    db.session.flush()

    with sent_statements(marked=True) as seen:
        assert alone.read(survey_link._BY_TOKEN_HASH, {"digest": "f" * 64}).id == invitation_id
        assert _elsewhere(select(Invitation.id).where(Invitation.token_hash == "f" * 64)) == []
        alone.write(_OPENED, {"invitation": invitation_id, "opened": datetime.now(UTC)})

    assert not any(sql.startswith(ALONE) for sql in seen)
    assert _elsewhere(select(Invitation.id).where(Invitation.token_hash == "f" * 64)) == [(invitation_id,)]


def test_a_drivers_error_is_sqlalchemys_without_the_values_and_the_pool_goes_on(app, make_session, make_patient):
    _on_postgres()
    invitation_id, digest = _link(make_session, make_patient)
    db.session.rollback()
    row = {"invitation_id": invitation_id, "submitted_at": datetime.now(UTC), "answers": {"comment": "private words"},
           "scores": {}, "language": "en"}
    alone.write(insert(Response.__table__), row)

    with pytest.raises(IntegrityError) as raised:  # one response per invitation
        alone.write(insert(Response.__table__), row)

    assert "private words" not in str(raised.value) and "hidden" in str(raised.value)
    assert alone.read(survey_link._BY_TOKEN_HASH, {"digest": digest}).id == invitation_id


def _sent_by_sqlalchemy_and_alone(statement, first: dict, second: dict) -> tuple[alone.Sent, alone.Sent]:  # noqa: ANN001
    """The statement as SQLAlchemy sends it (in the session's transaction), then as sent alone."""
    seen: list[alone.Sent] = []
    with alone.watched(seen.append):
        db.session.execute(select(1))  # a transaction: the statement joins it
        alone.write(statement, first)
        alone.write(statement, second)
    assert [sent.alone for sent in seen] == [False, False, True]
    return seen[1], seen[2]


def _plain(params: dict) -> dict:
    return {name: getattr(value, "obj", value) for name, value in params.items()}  # psycopg's Json: its value


def test_the_survey_writes_send_what_sqlalchemy_sends(app, make_session, make_patient):
    _on_postgres()
    first, _ = _link(make_session, make_patient)
    second, _ = _link(make_session, make_patient)
    opened = datetime(2026, 3, 4, 9, 30, tzinfo=timezone(timedelta(hours=2)))
    by_sqlalchemy, sent_alone = _sent_by_sqlalchemy_and_alone(
        _OPENED, {"invitation": first, "opened": opened}, {"invitation": second, "opened": opened})
    assert sent_alone.sql == by_sqlalchemy.sql
    assert _plain(sent_alone.params) == {**_plain(by_sqlalchemy.params), "invitation": second}

    answer = {"completed_at": opened, "changed_at": opened, "given_answers": {"comment": "x"},
              "given_scores": {"bond": 4.5}, "given_seconds_taken": 61, "given_language": "es"}
    patient_of = dict(db.session.execute(select(Invitation.id, TherapySession.patient_id).join(Invitation.session)).all())
    by_sqlalchemy, sent_alone = _sent_by_sqlalchemy_and_alone(
        _CLAIM_STORE_AND_MARK, {**answer, "invitation": first, "patient_id": patient_of[first]},
        {**answer, "invitation": second, "patient_id": patient_of[second]})
    assert sent_alone.sql == by_sqlalchemy.sql
    assert _plain(sent_alone.params) == {**_plain(by_sqlalchemy.params), "invitation": second,
                                         "patient_id": patient_of[second]}
    assert _elsewhere(select(Response.invitation_id, Response.language).order_by(Response.id)) == [
        (first, "es"), (second, "es")]


def test_a_statement_whose_values_sqlalchemy_computes_as_it_runs_is_refused(app, make_session, make_patient):
    _on_postgres()
    invitation_id, _ = _link(make_session, make_patient)
    db.session.rollback()
    with pytest.raises(ValueError, match="not a statement to send alone"):  # submitted_at's default: utcnow
        alone.write(insert(Response.__table__), {"invitation_id": invitation_id, "answers": {}, "scores": {}})
    assert _elsewhere(select(func.count()).select_from(Response)) == [(0,)]


def test_a_database_out_of_reach_is_sqlalchemys_error_and_the_link_pages_say_so(app, client, make_session):
    _on_postgres()
    token = make_session().links["patient"].token
    db.session.rollback()
    app.extensions[alone._EXTENSION] = alone._Pool(create_engine("postgresql+psycopg://postgres@127.0.0.1:1/none"))

    with pytest.raises(OperationalError):
        alone.read(survey_link._BY_TOKEN_HASH, {"digest": tokens.hash_token(token)})
    page = client.get(f"/s/{token}")
    refused = client.post(f"/s/{token}", data={"csrf_token": "not this link's"})

    assert page.status_code == 500 and "Something went wrong" in page.text  # the app's own page
    assert refused.status_code == 400 and "Please try again" in refused.text


def test_an_interrupted_statement_does_not_leave_its_connection_in_the_pool(app):
    _on_postgres()
    backend = select(func.pg_backend_pid().label("pid"))
    db.session.rollback()
    first = alone.read(backend, {}).pid

    def interrupt(signum, frame):  # noqa: ANN001, ANN202
        raise TimeoutError("the request's time is up")

    previous = signal.signal(signal.SIGALRM, interrupt)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.2)
        with pytest.raises(TimeoutError):
            alone.read(select(func.pg_sleep(2).label("slept")), {})
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)

    assert alone.read(backend, {}).pid != first  # a new connection, not one still busy sleeping


def test_a_connection_the_server_dropped_fails_once_then_is_replaced_or_pinged_away(app, monkeypatch):
    _on_postgres()
    backend = select(func.pg_backend_pid().label("pid"))
    db.session.rollback()
    first = alone.read(backend, {}).pid
    _elsewhere(select(func.pg_terminate_backend(first)))

    # Back in the pool a moment ago, so not pinged: the statement fails, and its connection goes.
    with pytest.raises(OperationalError) as raised:
        alone.read(backend, {})
    assert raised.value.connection_invalidated
    second = alone.read(backend, {}).pid
    assert second != first

    # Idle for longer than the ping's threshold: the ping finds it gone and a new one serves.
    _elsewhere(select(func.pg_terminate_backend(second)))
    monkeypatch.setattr(extensions, "PING_AFTER_IDLE_SECONDS", 0)
    assert alone.read(backend, {}).pid not in (first, second)


def test_disposing_the_apps_engine_closes_the_pools_connections(app):
    _on_postgres()
    pool = app.extensions[alone._EXTENSION].engine
    db.session.rollback()
    alone.read(select(func.pg_backend_pid().label("pid")), {})
    assert pool.pool.checkedin() == 1

    db.engine.dispose()  # as a test's end does before its database is emptied or dropped

    assert pool.pool.checkedin() == 0


def test_on_sqlite_the_statements_run_on_the_session(app, make_session, make_patient):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL: the tests above")
    invitation_id, digest = _link(make_session, make_patient)
    db.session.rollback()
    assert alone._EXTENSION not in app.extensions

    with sent_statements(marked=True) as seen:
        assert alone.read(survey_link._BY_TOKEN_HASH, {"digest": digest}).id == invitation_id
        alone.write(_OPENED, {"invitation": invitation_id, "opened": datetime.now(UTC)})

    assert [sql.split()[0] for sql in seen] == ["SELECT", "UPDATE", "COMMIT"]
    assert _elsewhere(select(Invitation.opened_at.is_not(None)).where(Invitation.id == invitation_id)) == [(True,)]
