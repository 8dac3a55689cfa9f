"""The last check before a send, and who may get SMS at all: plain functions, no app."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from feedback.delivery.rules import Cancel, Go, Postpone, planned_time, send_verdict, sms_block_reason
from feedback.delivery.schedule import Policy

NOW = datetime(2026, 1, 14, 15, 20, tzinfo=UTC)  # London = UTC in January
POLICY = Policy()


def verdict(**overrides):
    facts = {
        "block_reason": None,
        "completed": False,
        "expires_at": NOW + timedelta(hours=72),
        "now": NOW,
        "previous_sends": [],
        "tz_name": "Europe/London",
        "policy": POLICY,
    }
    return send_verdict(**{**facts, **overrides})


@pytest.mark.parametrize(
    ("facts", "reason"),
    [
        ({"opted_out": True}, "patient opted out of SMS"),
        ({"consent": False}, "no SMS consent"),
        ({"has_phone": False}, "no mobile number"),
        ({"preferred_channel": "link"}, "patient prefers the link"),
        ({"opted_out": True, "consent": False, "has_phone": False}, "patient opted out of SMS"),
    ],
)
def test_why_a_patient_gets_no_sms(facts, reason):
    patient = {"consent": True, "has_phone": True, "opted_out": False, "preferred_channel": "sms", **facts}
    assert sms_block_reason(**patient) == reason


def test_a_consenting_patient_with_a_number_gets_sms():
    assert sms_block_reason(consent=True, has_phone=True, opted_out=False, preferred_channel="sms") is None


def test_a_due_message_goes():
    assert verdict() == Go()


def test_a_blocked_patient_is_never_sent_to():
    assert verdict(block_reason="patient opted out of SMS") == Cancel("patient opted out of SMS")


def test_an_answered_invitation_is_not_texted():
    assert verdict(completed=True) == Cancel("already answered")


def test_an_expired_link_is_not_texted():
    assert verdict(expires_at=NOW) == Cancel("link expired before it could be sent")


def test_quiet_hours_postpone_to_the_morning():
    evening = datetime(2026, 1, 14, 21, 30, tzinfo=UTC)
    assert verdict(now=evening) == Postpone(datetime(2026, 1, 15, 8, 0, tzinfo=UTC))


def test_the_daily_cap_postpones_to_tomorrow_morning():
    assert verdict(previous_sends=[NOW - timedelta(hours=2)]) == Postpone(datetime(2026, 1, 15, 8, 0, tzinfo=UTC))


def test_a_postponement_past_the_expiry_cancels():
    assert verdict(previous_sends=[NOW - timedelta(hours=2)], expires_at=NOW + timedelta(hours=3)) == Cancel(
        "no allowed sending time before the link expires"
    )


def test_a_planned_time_is_never_in_the_past():
    earlier = NOW - timedelta(hours=5)
    assert planned_time(earlier, NOW, [], "Europe/London", POLICY, NOW + timedelta(hours=72)) == NOW
