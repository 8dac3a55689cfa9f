"""When a queued SMS goes and why, as staff see it, and the last check agreeing with the planner:
the planner, the dispatcher and the therapist's page read the rules in one place (`timing`)."""

from __future__ import annotations

from datetime import timedelta

from feedback.delivery import planner, staff
from feedback.delivery.dispatcher import Dispatcher
from feedback.delivery.settings import delivery
from feedback.delivery.timing import Planned
from feedback.extensions import db
from tests.delivery.conftest import english, local, patient_invitation, rows


def planned_for(recorded) -> Planned | None:
    return english(staff.invitation_delivery(patient_invitation(recorded)).planned)


def test_a_queued_invitation_says_when_it_goes_and_why(clock, sms_session):
    clock(local(2026, 1, 14, 15, 0))
    afternoon, _ = sms_session(starts_at=local(2026, 1, 14, 14, 0))
    clock(local(2026, 1, 14, 15, 10))
    assert planned_for(afternoon) == Planned(local(2026, 1, 14, 15, 20), "the 30-minute wait after the session")

    clock(local(2026, 1, 14, 20, 55))
    evening, _ = sms_session(starts_at=local(2026, 1, 14, 20, 0))  # due 21:20: quiet hours
    assert planned_for(evening) == Planned(
        local(2026, 1, 15, 8, 0), "the 30-minute wait after the session and quiet hours (21:00–08:00)")


def test_a_second_session_the_same_day_waits_for_the_daily_cap(clock, make_sms_patient, sms_session):
    patient = make_sms_patient()
    clock(local(2026, 1, 14, 12, 0))
    sms_session(patient, starts_at=local(2026, 1, 14, 10, 0))
    later, _ = sms_session(patient, starts_at=local(2026, 1, 14, 11, 0))

    assert planned_for(later) == Planned(
        local(2026, 1, 15, 8, 0), "the limit of one message a day and quiet hours (21:00–08:00)")


def test_a_due_message_goes_now_and_a_retry_says_so(clock, sms_session):
    clock(local(2026, 1, 14, 15, 30))
    recorded, row = sms_session(starts_at=local(2026, 1, 14, 14, 0))
    assert planned_for(recorded) == Planned(local(2026, 1, 14, 15, 30), None)  # due: the next round takes it

    row.attempts, row.last_error, row.due_at = 1, "provider error (HTTP 503)", local(2026, 1, 14, 15, 33)
    db.session.commit()
    assert planned_for(recorded) == Planned(local(2026, 1, 14, 15, 33), "a sending problem (it is tried again)")


def test_sent_or_cancelled_messages_have_no_plan(clock, sms_session):
    clock(local(2026, 1, 14, 15, 30))
    recorded, row = sms_session(starts_at=local(2026, 1, 14, 14, 0))
    row.status, row.sent_at = "sent", local(2026, 1, 14, 15, 30)
    db.session.commit()
    assert planned_for(recorded) is None


def test_a_fresh_link_sent_now_passes_the_last_check_but_one_for_later_waits(clock, sms_session):
    clock(local(2026, 1, 14, 9, 0))
    recorded, row = sms_session(starts_at=local(2026, 1, 14, 8, 0))
    row.status, row.sent_at = "sent", local(2026, 1, 14, 9, 0)  # the morning's SMS went out
    db.session.commit()
    found = delivery()
    dispatcher = Dispatcher(found.sender, found.cipher)
    invitation = patient_invitation(recorded)

    clock(local(2026, 1, 14, 15, 0))
    planner.send_fresh_link(invitation)  # at the next allowed time: tomorrow 08:00
    assert dispatcher.run().total == 0

    clock(local(2026, 1, 14, 15, 5))
    planner.send_fresh_link(invitation, send_now=True)
    assert dispatcher.run().sent == 1  # the daily cap counts only what went after the request
    assert [(r.kind, r.status) for r in rows()] == [
        ("invitation", "sent"), ("fresh_link", "cancelled"), ("fresh_link", "sent")]

    # Asked for again at once: the one that just went counts, so this one waits for tomorrow.
    clock(local(2026, 1, 14, 15, 6))
    again = planner.send_fresh_link(invitation)
    assert again.planned.when == local(2026, 1, 15, 8, 0)
    clock(again.message.due_at - timedelta(minutes=1))
    assert dispatcher.run().total == 0
