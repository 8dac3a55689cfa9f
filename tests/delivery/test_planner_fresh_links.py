"""A fresh link from the therapist's page, planned with a frozen clock: it replaces an expired link and
goes by SMS, or is only handed over; it is refused for an answered form, respects the caps and quiet
hours, cancels what was queued for the old link, says when it goes, and a second click replaces nothing
more."""

from __future__ import annotations

import pytest

from feedback import invitations
from feedback.delivery import planner
from feedback.delivery.timing import Planned
from feedback.invitations import LinkInvalid, link_token
from tests.delivery.conftest import english, local, mark_sent, patient_invitation, rows


def test_a_fresh_link_replaces_an_expired_one_and_goes_by_sms(clock, sms_session):
    clock(local(2026, 1, 14, 15, 0))
    recorded, _ = sms_session(starts_at=local(2026, 1, 14, 14, 0))
    invitation = patient_invitation(recorded)
    old_token = link_token(invitation)

    clock(local(2026, 1, 20, 10, 0))
    fresh = planner.send_fresh_link(invitation)

    new_token = link_token(invitation)
    assert fresh.link.endswith("/s/" + new_token)
    assert invitations.resolve(new_token).id == invitation.id
    with pytest.raises(LinkInvalid):
        invitations.resolve(old_token)
    assert fresh.not_by_sms is None
    assert (fresh.message.kind, fresh.message.round, fresh.message.status) == ("fresh_link", 1, "pending")
    assert fresh.message.due_at == local(2026, 1, 20, 10, 0)

    clock(local(2026, 1, 27, 10, 0))
    assert planner.send_fresh_link(invitation).message.round == 2


def test_a_fresh_link_for_a_patient_without_sms_is_only_handed_over(clock, make_sms_patient, sms_session):
    clock(local(2026, 1, 14, 15, 0))
    recorded, _ = sms_session(make_sms_patient(sms_consent=False))

    fresh = planner.send_fresh_link(patient_invitation(recorded))

    assert fresh.message is None
    assert fresh.not_by_sms == "no SMS consent"
    assert rows() == []


def test_a_fresh_link_for_an_answered_invitation_is_refused(clock, sms_session):
    clock(local(2026, 1, 14, 15, 0))
    recorded, _ = sms_session()
    invitation = patient_invitation(recorded)
    invitations.record_response(invitation, {}, {})

    with pytest.raises(invitations.LinkCompleted):
        planner.send_fresh_link(invitation)
    assert [r.kind for r in rows()] == ["invitation"]


def test_fresh_links_respect_the_daily_cap(clock, sms_session):
    clock(local(2026, 1, 14, 15, 0))
    recorded, row = sms_session(starts_at=local(2026, 1, 14, 14, 0))
    mark_sent(row, local(2026, 1, 14, 15, 20))

    clock(local(2026, 1, 14, 16, 0))
    fresh = planner.send_fresh_link(patient_invitation(recorded))

    assert fresh.message.due_at == local(2026, 1, 15, 8, 0)


def test_a_fresh_link_cancels_the_sms_still_queued_for_the_old_link(clock, sms_session):
    clock(local(2026, 1, 14, 15, 0))
    recorded, first = sms_session(starts_at=local(2026, 1, 14, 14, 0))  # due 15:20

    clock(local(2026, 1, 14, 15, 5))
    fresh = planner.send_fresh_link(patient_invitation(recorded))

    # One link reaches the patient: the queued invitation no longer holds the day's SMS.
    assert [(r.kind, r.status, r.last_error) for r in rows()] == [
        ("invitation", "cancelled", "replaced by a fresh link"), ("fresh_link", "pending", None)]
    assert fresh.message.due_at == local(2026, 1, 14, 15, 5)
    assert fresh.planned == Planned(local(2026, 1, 14, 15, 5), None)


def test_a_fresh_link_says_when_it_goes_and_may_go_now_if_only_the_daily_cap_holds_it(clock, sms_session):
    clock(local(2026, 1, 14, 9, 0))
    recorded, row = sms_session(starts_at=local(2026, 1, 14, 8, 0))
    mark_sent(row, local(2026, 1, 14, 9, 0))
    invitation = patient_invitation(recorded)
    clock(local(2026, 1, 14, 15, 0))
    tomorrow = Planned(local(2026, 1, 15, 8, 0), "the limit of one message a day and quiet hours (21:00–08:00)")

    timing = planner.fresh_link_timing(invitation)
    assert (english(timing.next), timing.can_go_now) == (tomorrow, True)
    assert english(planner.send_fresh_link(invitation).planned) == tomorrow
    clock(local(2026, 1, 14, 15, 30))
    now = planner.send_fresh_link(invitation, send_now=True)

    assert now.planned == Planned(local(2026, 1, 14, 15, 30), None)
    assert [(r.round, r.status, r.due_at) for r in rows(kind="fresh_link")] == [
        (1, "cancelled", local(2026, 1, 15, 8, 0)), (2, "pending", local(2026, 1, 14, 15, 30))]


def test_now_is_refused_in_quiet_hours_and_nothing_changes(clock, sms_session):
    clock(local(2026, 1, 14, 21, 30))
    recorded, row = sms_session(starts_at=local(2026, 1, 14, 20, 0))  # queued for 08:00
    invitation = patient_invitation(recorded)
    token = link_token(invitation)

    timing = planner.fresh_link_timing(invitation)
    assert (english(timing.next), timing.can_go_now) == (Planned(local(2026, 1, 15, 8, 0), "quiet hours (21:00–08:00)"),
                                                         False)
    with pytest.raises(planner.FreshLinkRefused, match=r"cannot go now, because of quiet hours \(21:00–08:00\)"):
        planner.send_fresh_link(invitation, send_now=True)

    assert link_token(invitation) == token
    assert [(r.kind, r.status) for r in rows()] == [("invitation", "pending")]


def test_a_second_click_on_the_same_page_replaces_nothing_more(clock, sms_session):
    clock(local(2026, 1, 14, 15, 30))
    recorded, _ = sms_session(starts_at=local(2026, 1, 14, 14, 0))
    invitation = patient_invitation(recorded)
    shown = invitation.expires_at  # what the page's form carries: it names the link shown

    clock(local(2026, 1, 14, 15, 31))
    planner.send_fresh_link(invitation, link_expires=shown)
    token = link_token(invitation)
    clock(local(2026, 1, 14, 15, 31, 1))
    with pytest.raises(planner.FreshLinkRefused, match="just been replaced"):
        planner.send_fresh_link(invitation, link_expires=shown)

    assert link_token(invitation) == token  # the link the first SMS carries still works
    assert [(r.kind, r.status) for r in rows()] == [("invitation", "cancelled"), ("fresh_link", "pending")]
