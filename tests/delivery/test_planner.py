"""Planning SMS into the outbox, with a frozen clock: delay, quiet hours, DST, caps, reminders,
expiry, opt-out, and planning that survives a crash and never plans twice (fresh links:
test_planner_fresh_links.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from feedback import invitations
from feedback.delivery import planner, setup, staff, timing
from feedback.delivery.optout import record_opt_out
from feedback.links import link_validity, session_instruments
from feedback.sessions import set_attendance
from tests.delivery.conftest import LONDON, local, mark_sent, patient_invitation, reconfigure, rows

# -- the invitation ----------------------------------------------------------------------------


def test_the_patient_sms_is_due_thirty_minutes_after_the_session_ends(clock, sms_session):
    clock(local(2026, 1, 14, 15, 0))
    _, row = sms_session(starts_at=local(2026, 1, 14, 14, 0), duration_minutes=50)

    assert row.status == "pending"
    assert row.due_at == local(2026, 1, 14, 15, 20)


def test_a_session_recorded_late_is_sent_at_once(clock, sms_session):
    clock(local(2026, 1, 14, 17, 0))
    _, row = sms_session(starts_at=local(2026, 1, 14, 14, 0))

    assert row.due_at == local(2026, 1, 14, 17, 0)


def test_the_delay_is_configurable_per_clinic(clock, app, make_clinic, make_user, make_sms_patient, sms_session):
    reconfigure(
        app, DELIVERY_POLICY={"patient_delay_minutes": 10, "clinics": {"Late Clinic": {"patient_delay_minutes": 90}}}
    )
    clock(local(2026, 1, 14, 15, 0))
    late = make_sms_patient(therapist=make_user(clinic=make_clinic("Late Clinic")))

    _, default_row = sms_session(starts_at=local(2026, 1, 14, 14, 0))
    _, late_row = sms_session(late, starts_at=local(2026, 1, 14, 14, 0))

    assert default_row.due_at == local(2026, 1, 14, 15, 0)
    assert late_row.due_at == local(2026, 1, 14, 16, 20)


def test_a_message_due_in_quiet_hours_waits_for_the_morning(clock, sms_session):
    clock(local(2026, 1, 14, 20, 55))
    _, row = sms_session(starts_at=local(2026, 1, 14, 20, 0))  # ends 20:50, due 21:20

    assert row.due_at == local(2026, 1, 15, 8, 0)


def test_quiet_hours_end_at_local_eight_on_the_night_clocks_go_forward(clock, sms_session):
    # 29 March 2026: at 01:00 GMT the UK jumps to 02:00 BST.
    clock(local(2026, 3, 28, 21, 5))
    _, row = sms_session(starts_at=local(2026, 3, 28, 20, 10))

    assert row.due_at == datetime(2026, 3, 29, 7, 0, tzinfo=UTC)
    assert row.due_at.astimezone(LONDON).hour == 8


def test_quiet_hours_end_at_local_eight_on_the_night_clocks_go_back(clock, sms_session):
    # 25 October 2026: at 02:00 BST the UK goes back to 01:00 GMT.
    clock(local(2026, 10, 24, 21, 5))
    _, row = sms_session(starts_at=local(2026, 10, 24, 20, 10))

    assert row.due_at == datetime(2026, 10, 25, 8, 0, tzinfo=UTC)
    assert row.due_at.astimezone(LONDON).hour == 8


# -- caps --------------------------------------------------------------------------------------


def test_no_more_than_one_sms_a_day(clock, make_sms_patient, sms_session):
    patient = make_sms_patient()
    clock(local(2026, 1, 14, 18, 0))
    _, first = sms_session(patient, starts_at=local(2026, 1, 14, 10, 0))
    _, second = sms_session(patient, starts_at=local(2026, 1, 14, 16, 0))

    assert first.due_at == local(2026, 1, 14, 18, 0)
    assert second.due_at == local(2026, 1, 15, 8, 0)  # tomorrow, after the quiet hours


def test_no_more_than_three_sms_a_week(clock, make_sms_patient, sms_session):
    patient = make_sms_patient()
    for day in (12, 13, 14):
        clock(local(2026, 1, day, 11, 0))
        _, row = sms_session(patient, starts_at=local(2026, 1, day, 10, 0))
        assert row.due_at == local(2026, 1, day, 11, 20)

    clock(local(2026, 1, 15, 11, 0))
    _, fourth = sms_session(patient, starts_at=local(2026, 1, 15, 10, 0))

    # The week frees up on the 19th, after this link's 72 hours: it is not sent at all.
    assert fourth.status == "cancelled"
    assert fourth.last_error == "no allowed sending time before the link expires"


# -- who gets no SMS ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "patient_settings",
    [{"sms_consent": False}, {"phone": None, "sms_consent": False}, {"channel": "link"}],
    ids=["no consent", "no number", "prefers the link"],
)
def test_patients_who_cannot_get_sms_get_a_link_and_no_message(clock, make_sms_patient, sms_session, patient_settings):
    clock(local(2026, 1, 14, 15, 0))
    recorded, row = sms_session(make_sms_patient(**patient_settings))

    assert row is None
    assert patient_invitation(recorded).channel == "link"


def test_an_opted_out_patient_gets_a_link_and_no_message(clock, make_sms_patient, sms_session):
    clock(local(2026, 1, 14, 15, 0))
    patient = make_sms_patient()
    record_opt_out([patient.id])

    recorded, row = sms_session(patient)

    assert row is None
    assert patient_invitation(recorded).channel == "link"


def test_the_therapist_invitation_is_never_an_sms(clock, sms_session):
    clock(local(2026, 1, 14, 15, 0))
    recorded, _ = sms_session()

    therapist = recorded.links["therapist"].invitation
    assert therapist.channel == "link"
    assert [r.invitation_id for r in rows()] == [patient_invitation(recorded).id]


def test_a_session_corrected_to_not_attended_cancels_its_sms(clock, sms_session):
    clock(local(2026, 1, 14, 15, 0))
    recorded, _ = sms_session(starts_at=local(2026, 1, 14, 14, 0))

    set_attendance(recorded.session, "no_show", instruments=session_instruments(), valid_for=link_validity())

    [row] = rows()
    assert (row.status, row.last_error) == ("cancelled", "session not attended")


# -- exactly one plan --------------------------------------------------------------------------


def test_planning_twice_plans_once(clock, sms_session):
    clock(local(2026, 1, 14, 15, 0))
    recorded, row = sms_session()

    again = planner.plan_invitation(patient_invitation(recorded))

    assert again is None
    assert [r.id for r in rows()] == [row.id]


def test_a_crash_before_planning_loses_nothing(clock, monkeypatch, sms_session):
    clock(local(2026, 1, 14, 15, 0))

    def crash(session, **_):
        raise RuntimeError("the process died here")

    monkeypatch.setattr(setup, "plan_session", crash)
    recorded, row = sms_session(starts_at=local(2026, 1, 14, 14, 0))
    assert row is None  # the session was recorded, its SMS not planned

    assert planner.plan_missing() == 1
    [planned] = rows()
    assert planned.invitation_id == patient_invitation(recorded).id
    assert planned.due_at == local(2026, 1, 14, 15, 20)
    assert planner.plan_missing() == 0


# -- reminders ---------------------------------------------------------------------------------


def test_one_reminder_when_not_answered_after_24_hours(clock, sms_session):
    clock(local(2026, 1, 14, 15, 20))
    _, row = sms_session(starts_at=local(2026, 1, 14, 14, 0))
    mark_sent(row, local(2026, 1, 14, 15, 20))

    clock(local(2026, 1, 15, 15, 19))
    assert planner.plan_reminders() == 0

    clock(local(2026, 1, 15, 15, 20))
    assert planner.plan_reminders() == 1
    [reminder] = rows(kind="reminder")
    assert (reminder.status, reminder.due_at) == ("pending", local(2026, 1, 15, 15, 20))

    clock(local(2026, 1, 16, 18, 0))
    assert planner.plan_reminders() == 0  # one reminder, never two


def test_no_reminder_once_answered(clock, sms_session):
    clock(local(2026, 1, 14, 15, 20))
    recorded, row = sms_session(starts_at=local(2026, 1, 14, 14, 0))
    mark_sent(row, local(2026, 1, 14, 15, 20))
    invitations.record_response(patient_invitation(recorded), {}, {})

    clock(local(2026, 1, 15, 16, 0))
    assert planner.plan_reminders() == 0


def test_a_reminder_due_in_quiet_hours_waits_for_the_morning(clock, app, sms_session):
    reconfigure(app, DELIVERY_POLICY={"reminder_after_hours": 30})
    clock(local(2026, 1, 14, 15, 20))
    _, row = sms_session(starts_at=local(2026, 1, 14, 14, 0))
    mark_sent(row, local(2026, 1, 14, 15, 20))

    clock(local(2026, 1, 15, 21, 30))
    planner.plan_reminders()

    [reminder] = rows(kind="reminder")
    assert reminder.due_at == local(2026, 1, 16, 8, 0)


# -- expiry ------------------------------------------------------------------------------------


def test_the_sweep_cancels_messages_for_expired_links(clock, sms_session):
    clock(local(2026, 1, 14, 20, 55))
    _, row = sms_session(starts_at=local(2026, 1, 14, 20, 0))  # due tomorrow 08:00

    clock(local(2026, 1, 17, 21, 0))  # 72 hours later
    assert planner.cancel_stale() == 1

    [cancelled] = rows()
    assert (cancelled.status, cancelled.last_error) == ("cancelled", "link expired before it could be sent")


def test_the_sweep_cancels_messages_for_answered_links(clock, sms_session):
    clock(local(2026, 1, 14, 20, 55))
    recorded, _ = sms_session(starts_at=local(2026, 1, 14, 20, 0))
    invitations.record_response(patient_invitation(recorded), {}, {})

    assert planner.cancel_stale() == 1
    assert rows()[0].last_error == "already answered"


def test_the_sweep_leaves_open_links_alone(clock, sms_session):
    clock(local(2026, 1, 14, 20, 55))
    sms_session(starts_at=local(2026, 1, 14, 20, 0))

    assert planner.cancel_stale() == 0
    assert rows()[0].status == "pending"


def test_queued_messages_count_against_the_caps_when_planning(clock, make_sms_patient, sms_session):
    patient = make_sms_patient()
    clock(local(2026, 1, 14, 15, 0))
    sms_session(patient, starts_at=local(2026, 1, 14, 14, 0))

    assert timing.previous_sends(patient.id) == [local(2026, 1, 14, 15, 20)]
    assert timing.previous_sends(patient.id, statuses=("sent",)) == []


def test_in_production_without_a_provider_sms_are_not_planned_but_explained(clock, app, sms_session):
    reconfigure(app, APP_ENV="production", TWILIO_ACCOUNT_SID="", TWILIO_AUTH_TOKEN="", TWILIO_FROM_NUMBER="")
    clock(local(2026, 1, 14, 15, 0))

    recorded, row = sms_session(starts_at=local(2026, 1, 14, 14, 0))

    assert (row.status, row.last_error) == ("cancelled", "SMS is not set up")
    assert staff.invitation_delivery(patient_invitation(recorded)).link_to_hand_over is not None
