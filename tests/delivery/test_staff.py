"""What the therapist sees of delivery, and the two staff actions for an uncertain message."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from feedback.delivery import receipts, staff
from feedback.delivery.dispatcher import Attempt, _settle_sent
from feedback.extensions import db
from feedback.invitations import record_response
from feedback.models.outbox import OutboxMessage
from tests.delivery.conftest import link_of, local, patient_invitation, rows


def set_row(row_id: int, **values) -> None:
    db.session.execute(update(OutboxMessage).where(OutboxMessage.id == row_id).values(**values))
    db.session.commit()


def test_a_patient_without_sms_has_a_link_to_hand_over(clock, make_sms_patient, sms_session):
    clock(local(2026, 1, 14, 15, 0))
    recorded, _ = sms_session(make_sms_patient(sms_consent=False))
    invitation = patient_invitation(recorded)

    view = staff.invitation_delivery(invitation)

    assert (view.channel, view.status, view.link_to_hand_over) == ("link", None, link_of(invitation))


def test_a_queued_sms_needs_no_handing_over(clock, sms_session):
    clock(local(2026, 1, 14, 15, 0))
    recorded, _ = sms_session()

    view = staff.invitation_delivery(patient_invitation(recorded))

    assert (view.channel, view.status, view.link_to_hand_over) == ("sms", "pending", None)


def test_an_answered_invitation_has_nothing_to_hand_over(clock, make_sms_patient, sms_session):
    clock(local(2026, 1, 14, 15, 0))
    recorded, _ = sms_session(make_sms_patient(sms_consent=False))
    record_response(patient_invitation(recorded), {}, {})

    assert staff.invitation_delivery(patient_invitation(recorded)).link_to_hand_over is None


def test_staff_confirm_an_uncertain_message_arrived(clock, sms_session):
    clock(local(2026, 1, 14, 15, 0))
    _, row = sms_session()
    set_row(row.id, status="uncertain", attempts=1, last_attempt_at=local(2026, 1, 14, 15, 20))

    assert staff.confirm_sent(row.id)
    assert not staff.confirm_sent(row.id)  # only uncertain rows

    [confirmed] = rows()
    assert (confirmed.status, confirmed.last_error) == ("sent", "confirmed by staff")


def test_other_clinics_problems_are_not_listed(clock, make_clinic, make_user, make_sms_patient, sms_session):
    clock(local(2026, 1, 14, 15, 0))
    ours = make_sms_patient()
    _, theirs = sms_session(make_sms_patient(therapist=make_user(clinic=make_clinic())))
    set_row(theirs.id, status="failed", last_error="invalid phone number")

    assert staff.needs_attention(ours.clinic_id) == []


def test_a_status_callback_that_overtakes_the_dispatcher_is_kept(clock, sms_session):
    # Twilio can report "delivered" before the dispatcher has recorded Twilio's answer.
    clock(local(2026, 1, 14, 15, 20))
    recorded, row = sms_session(starts_at=local(2026, 1, 14, 14, 0))
    set_row(row.id, status="sending", attempts=1, claimed_by="me", last_attempt_at=local(2026, 1, 14, 15, 20))

    assert receipts.record_status(row.id, "SM" + "1" * 32, "delivered")
    attempt = Attempt(row.id, 1, "invitation", row.invitation_id, row.patient_id, "P-1")
    assert _settle_sent(attempt, "SM" + "1" * 32, local(2026, 1, 14, 15, 20) + timedelta(seconds=1)) == 1

    [settled] = rows()
    assert (settled.status, settled.provider_id, settled.claimed_by) == ("delivered", "SM" + "1" * 32, None)
    assert patient_invitation(recorded).sent_at is not None
