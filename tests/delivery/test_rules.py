"""The last check before a send, and who may get SMS or e-mail at all: plain functions, no app."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from feedback.delivery.rules import (
    Cancel,
    Go,
    Plan,
    Postpone,
    block_reason,
    channel_order,
    daily_cap_from,
    first_open_channel,
    reason_words,
    send_plan,
    send_verdict,
)
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
    ("channel", "facts", "reason"),
    [
        ("sms", {"opted_out": True}, "patient opted out of SMS"),
        ("sms", {"consent": False}, "no SMS consent"),
        ("sms", {"has_address": False}, "no mobile number"),
        ("sms", {"preferred_channel": "link"}, "patient prefers the link"),
        ("sms", {"opted_out": True, "consent": False, "has_address": False}, "patient opted out of SMS"),
        ("email", {"opted_out": True}, "patient unsubscribed from e-mail"),
        ("email", {"bounced": True}, "the e-mail address bounced"),
        ("email", {"consent": False}, "no e-mail consent"),
        ("email", {"has_address": False}, "no e-mail address"),
        ("email", {"preferred_channel": "link"}, "patient prefers the link"),
    ],
)
def test_why_a_patient_gets_no_message(channel, facts, reason):
    patient = {"consent": True, "has_address": True, "opted_out": False, "preferred_channel": channel, **facts}
    assert block_reason(channel, **patient) == reason


@pytest.mark.parametrize("channel", ["sms", "email"])
def test_a_consenting_patient_with_an_address_gets_messages(channel):
    assert block_reason(channel, consent=True, has_address=True, opted_out=False, preferred_channel=channel) is None


def test_the_preferred_channel_comes_first_and_the_other_stands_in():
    assert channel_order("email") == ("email", "sms")
    assert channel_order("sms") == ("sms", "email")
    assert channel_order("link") == ()
    assert first_open_channel("email", {"email": None, "sms": None}) == "email"
    assert first_open_channel("email", {"email": "patient unsubscribed from e-mail", "sms": None}) == "sms"
    assert first_open_channel("sms", {"email": "no e-mail consent", "sms": "no SMS consent"}) is None
    assert first_open_channel("link", {"email": None, "sms": None}) is None


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
    assert send_plan(earlier, NOW, [], "Europe/London", POLICY, NOW + timedelta(hours=72)) == Plan(NOW)


def plan(earliest=NOW, previous=(), **kwargs):
    return send_plan(earliest, NOW, previous, "Europe/London", POLICY, NOW + timedelta(hours=72), **kwargs)


def test_a_plan_says_why_it_is_not_now():
    assert plan(NOW + timedelta(minutes=30)) == Plan(NOW + timedelta(minutes=30), ("delay_after_session",))
    assert plan(datetime(2026, 1, 14, 21, 20, tzinfo=UTC)) == Plan(
        datetime(2026, 1, 15, 8, 0, tzinfo=UTC), ("delay_after_session", "quiet_hours"))
    assert plan(previous=[NOW - timedelta(hours=2)]) == Plan(
        datetime(2026, 1, 15, 8, 0, tzinfo=UTC), ("daily_cap", "quiet_hours"))
    assert plan(previous=[NOW - timedelta(hours=2)], daily_cap_from=NOW) == Plan(NOW)


def test_the_reasons_in_words_name_the_clinic_s_settings():
    words = [reason_words(r, POLICY) for r in ("delay_after_session", "quiet_hours", "daily_cap", "weekly_cap", "retry")]
    # The caps count SMS and e-mails together: "message" (they said "SMS" before e-mail was a channel).
    assert list(map(str, words)) == [
        "the 30-minute wait after the session", "quiet hours (21:00–08:00)", "the limit of one message a day",
        "the limit of 3 messages in 7 days", "a sending problem (it is tried again)"]
    assert str(reason_words("daily_cap", Policy(max_per_day=2))) == "the limit of 2 messages a day"
    assert str(reason_words("weekly_cap", Policy(max_per_week=1))) == "the limit of one message in 7 days"


def test_a_fresh_link_s_last_check_counts_for_the_daily_cap_only_what_went_after_it_was_asked_for():
    asked = NOW - timedelta(minutes=1)
    assert daily_cap_from("fresh_link", asked) == asked
    assert daily_cap_from("invitation", asked) is None and daily_cap_from("reminder", asked) is None
    morning = [NOW - timedelta(hours=6)]
    assert verdict(previous_sends=morning, daily_cap_from=asked) == Go()
    assert verdict(previous_sends=[*morning, NOW - timedelta(seconds=10)], daily_cap_from=asked) == Postpone(
        datetime(2026, 1, 15, 8, 0, tzinfo=UTC))  # something went after the request: tomorrow
    evening = datetime(2026, 1, 14, 21, 30, tzinfo=UTC)
    assert verdict(now=evening, previous_sends=morning, daily_cap_from=asked) == Postpone(
        datetime(2026, 1, 15, 8, 0, tzinfo=UTC))  # quiet hours still hold
