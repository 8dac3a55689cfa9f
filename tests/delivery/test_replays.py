"""The processed-webhook key: recorded once, in the caller's transaction, on SQLite and
PostgreSQL; a copy racing the first waits for it and then counts as a repeat."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from feedback.delivery.replays import first_time
from feedback.extensions import db
from feedback.models import ProcessedWebhook

SID = "SM" + "f" * 32


def keys() -> list[tuple[str, str]]:
    return [tuple(k) for k in db.session.execute(select(ProcessedWebhook.message_sid, ProcessedWebhook.event))]


def test_a_key_is_recorded_once_and_the_transaction_stays_usable(app):
    assert first_time(SID, "delivered")
    assert not first_time(SID, "delivered")
    # A plain INSERT would have failed here and, on PostgreSQL, aborted the transaction.
    assert db.session.scalar(select(func.count()).select_from(ProcessedWebhook)) == 1
    db.session.commit()

    assert keys() == [(SID, "delivered")]


def test_each_status_and_the_inbound_kind_are_keys_of_their_own(app):
    assert [first_time(SID, event) for event in ("sent", "delivered", "inbound")] == [True, True, True]
    assert first_time("SM" + "e" * 32, "sent")


@pytest.mark.parametrize(("first_ends", "second_acts"), [("commit", False), ("rollback", True)])
def test_a_copy_racing_the_first_waits_for_its_outcome(app, first_ends, second_acts):
    db.session.commit()
    assert first_time(SID, "inbound")  # the first copy, its transaction still open
    seen: list[bool] = []

    def second_copy() -> None:
        with app.app_context():
            try:
                seen.append(first_time(SID, "inbound"))
                db.session.commit()
            finally:
                db.session.remove()

    racer = threading.Thread(target=second_copy)
    racer.start()
    racer.join(0.5)
    assert racer.is_alive(), "the second copy should wait on the first one's key"

    getattr(db.session, first_ends)()
    racer.join(15)

    assert seen == [second_acts]
    assert keys() == [(SID, "inbound")]
