"""The dispatcher when a send may or may not have happened, and its races: an uncertain send and how it is
resolved, a dispatcher that died mid-send or whose claim expired, a STOP landing between the checks and
the send, a claim passed to another worker. The real Twilio SDK against the fake Twilio API."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from feedback.delivery import claims, resolver, staff
from feedback.delivery import dispatcher as dispatcher_module
from feedback.delivery.dispatcher import Outcomes
from feedback.delivery.optout import record_opt_out
from feedback.delivery.rules import Go
from feedback.extensions import db
from feedback.models.outbox import OutboxMessage
from tests.delivery.conftest import DUE, number_of, posts, rows
from tests.twilio_behaviours import Drop, Hang


def test_a_send_without_an_answer_is_uncertain_and_never_resent_blindly(planned, clock, dispatcher, fake_twilio):
    fake_twilio.queue(Hang(seconds=3))  # longer than the sender's 1 s timeout; Twilio got it

    assert dispatcher.run().uncertain == 1
    clock(DUE + timedelta(hours=1))
    dispatcher.run()

    assert len(posts(fake_twilio)) == 1
    [row] = rows()
    assert (row.status, row.provider_id) == ("uncertain", None)


def test_the_resolver_finds_an_uncertain_message_at_twilio(planned, clock, dispatcher, fake_twilio):
    fake_twilio.queue(Hang(seconds=3))
    dispatcher.run()

    clock(DUE + timedelta(minutes=2))
    found = resolver.resolve_uncertain(dispatcher.sender, dispatcher.cipher)

    assert found.sent == 1
    [row] = rows()
    assert (row.status, row.provider_id) == ("sent", fake_twilio.messages[0]["sid"])
    list_call = fake_twilio.requests[-1]
    assert (list_call.method, list_call.query["To"]) == ("GET", number_of(row.patient))
    assert len(posts(fake_twilio)) == 1


def test_an_uncertain_message_twilio_never_got_waits_for_staff(planned, clock, dispatcher, fake_twilio):
    recorded, _ = planned
    fake_twilio.queue(Drop(create=False))  # the connection broke before Twilio took it
    dispatcher.run()
    clinic_id = recorded.session.patient.clinic_id

    clock(DUE + timedelta(minutes=5))
    assert resolver.resolve_uncertain(dispatcher.sender, dispatcher.cipher).not_found == 1
    assert staff.needs_attention(clinic_id) == []  # still within the grace period

    clock(DUE + timedelta(minutes=20))
    resolver.resolve_uncertain(dispatcher.sender, dispatcher.cipher)
    [problem] = staff.needs_attention(clinic_id)
    assert problem.status == "uncertain"
    assert dispatcher.run().total == 0  # never re-sent on its own

    assert staff.send_again(problem.outbox_id)  # staff checked with the patient
    assert dispatcher.run().sent == 1
    assert len(fake_twilio.messages) == 1


def test_a_dispatcher_that_died_during_the_send_leaves_an_uncertain_row(planned, clock, dispatcher, fake_twilio):
    _, row = planned
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row.id)
        .values(status="sending", attempts=1, claimed_by="dead:1:x", last_attempt_at=DUE, claim_expires_at=DUE)
    )
    db.session.commit()

    dispatcher.run()

    assert fake_twilio.requests == []
    assert rows()[0].status == "uncertain"


def test_rows_claimed_by_a_dead_dispatcher_are_taken_back_when_the_claim_expires(
    planned, clock, dispatcher, fake_twilio
):
    _, row = planned
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row.id)
        .values(status="claimed", claimed_by="dead:1:x", claim_expires_at=DUE + timedelta(minutes=2))
    )
    db.session.commit()

    assert dispatcher.run().total == 0  # the claim still holds
    clock(DUE + timedelta(minutes=2))
    assert dispatcher.run().sent == 1
    assert len(posts(fake_twilio)) == 1


def test_a_stop_that_lands_between_the_checks_and_the_send_still_wins(planned, dispatcher, fake_twilio, monkeypatch):
    recorded, row = planned
    claims.claim_due(dispatcher.worker, now=DUE, ttl=timedelta(minutes=2), limit=10)

    def checks_pass_then_stop_arrives(**facts):
        record_opt_out([recorded.session.patient.id])  # the webhook commits right now
        return Go()

    monkeypatch.setattr(dispatcher_module, "send_verdict", checks_pass_then_stop_arrives)
    outcomes = Outcomes()
    dispatcher._deliver(row.id, outcomes)

    assert outcomes.skipped == 1
    assert fake_twilio.requests == []
    assert rows()[0].status == "cancelled"


def test_a_row_whose_claim_passed_to_another_worker_is_left_to_it(planned, clock, dispatcher, fake_twilio):
    _, row = planned
    claims.claim_due(dispatcher.worker, now=DUE, ttl=timedelta(minutes=2), limit=10)
    clock(DUE + timedelta(minutes=3))  # this worker stalled; its claim lapsed
    claims.claim_due("another", now=DUE + timedelta(minutes=3), ttl=timedelta(minutes=2), limit=10)

    outcomes = Outcomes()
    dispatcher._deliver(row.id, outcomes)

    assert outcomes.skipped == 1 and fake_twilio.requests == []
    assert rows()[0].claimed_by == "another"
