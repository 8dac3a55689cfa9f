"""Scheduling decisions: delays, quiet hours across DST, caps, reminders, expiry, backoff."""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from feedback.delivery.schedule import (
    MAX_ATTEMPTS,
    Policy,
    SendTime,
    cap_allows,
    earliest_send,
    expires_at,
    in_quiet_hours,
    invitation_due,
    reminder_due,
    retry_delay,
    shift_out_of_quiet_hours,
)

POLICY = Policy()
LONDON = "Europe/London"  # UTC+0 in winter: local and UTC readings coincide
BERLIN = "Europe/Berlin"
NEW_YORK = "America/New_York"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def local(tz_name: str, *args: int, fold: int = 0) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo(tz_name), fold=fold)


# -- policy ----------------------------------------------------------------------------------


def test_policy_defaults():
    assert (POLICY.patient_delay_minutes, POLICY.therapist_delay_minutes) == (30, 0)
    assert (POLICY.quiet_start, POLICY.quiet_end) == (time(21, 0), time(8, 0))
    assert (POLICY.reminder_after_hours, POLICY.expires_after_hours) == (24, 72)
    assert (POLICY.max_per_day, POLICY.max_per_week) == (1, 3)


def test_policy_from_mapping_reads_configuration_strings():
    policy = Policy.from_mapping({"quiet_start": "22:30", "max_per_week": "2"})

    assert policy.quiet_start == time(22, 30)
    assert policy.max_per_week == 2
    assert policy.quiet_end == time(8, 0)  # untouched settings keep their defaults


def test_policy_from_mapping_rejects_unknown_keys():
    with pytest.raises(ValueError, match="quiet_begin"):
        Policy.from_mapping({"quiet_begin": "22:00"})


@pytest.mark.parametrize(
    "settings",
    [
        {"quiet_start": "late"},
        {"max_per_day": "one"},
        {"max_per_day": 0},
        {"patient_delay_minutes": -5},
        {"reminder_after_hours": 72},
        {"max_per_week": True},
    ],
)
def test_policy_rejects_values_it_cannot_use(settings):
    with pytest.raises(ValueError):
        Policy.from_mapping(settings)


# -- simple offsets ----------------------------------------------------------------------------


def test_patient_invitation_waits_after_the_session_and_therapist_does_not():
    end = utc(2025, 3, 10, 15, 50)

    assert invitation_due(end, "patient", POLICY) == utc(2025, 3, 10, 16, 20)
    assert invitation_due(end, "therapist", POLICY) == end


def test_reminder_and_expiry_count_from_their_start():
    start = utc(2025, 3, 10, 16, 20)

    assert reminder_due(start, POLICY) == utc(2025, 3, 11, 16, 20)
    assert expires_at(start, POLICY) == utc(2025, 3, 13, 16, 20)


def test_results_are_utc_even_for_other_offsets_in():
    end = local(BERLIN, 2025, 3, 10, 16, 50)

    due = invitation_due(end, "patient", POLICY)

    assert due.tzinfo is UTC
    assert due == utc(2025, 3, 10, 16, 20)


def test_naive_times_are_refused():
    with pytest.raises(ValueError, match="naive"):
        invitation_due(datetime(2025, 3, 10, 15, 50), "patient", POLICY)


# -- quiet hours -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("due", "expected"),
    [
        (utc(2025, 1, 15, 14, 0), utc(2025, 1, 15, 14, 0)),  # afternoon: as is
        (utc(2025, 1, 15, 20, 59), utc(2025, 1, 15, 20, 59)),  # just before quiet hours
        (utc(2025, 1, 15, 21, 0), utc(2025, 1, 16, 8, 0)),  # quiet from 21:00 …
        (utc(2025, 1, 15, 23, 45), utc(2025, 1, 16, 8, 0)),
        (utc(2025, 1, 16, 3, 0), utc(2025, 1, 16, 8, 0)),  # … through the night …
        (utc(2025, 1, 16, 7, 59), utc(2025, 1, 16, 8, 0)),
        (utc(2025, 1, 16, 8, 0), utc(2025, 1, 16, 8, 0)),  # … until 08:00
    ],
)
def test_a_message_due_in_quiet_hours_waits_for_the_morning(due, expected):
    assert shift_out_of_quiet_hours(due, LONDON, POLICY) == expected


@pytest.mark.parametrize(
    ("tz_name", "due", "expected"),
    [
        # Berlin springs forward on 30 March 2025 (CET → CEST): 08:00 is 06:00 UTC, not 07:00.
        (BERLIN, local(BERLIN, 2025, 3, 29, 22, 0), utc(2025, 3, 30, 6, 0)),
        # Berlin falls back on 26 October 2025 (CEST → CET): 08:00 is 07:00 UTC, not 06:00.
        (BERLIN, local(BERLIN, 2025, 10, 25, 23, 0), utc(2025, 10, 26, 7, 0)),
        # New York springs forward on 9 March 2025 (EST → EDT): 08:00 is 12:00 UTC.
        (NEW_YORK, local(NEW_YORK, 2025, 3, 8, 22, 0), utc(2025, 3, 9, 12, 0)),
        # New York falls back on 2 November 2025 (EDT → EST): 08:00 is 13:00 UTC.
        (NEW_YORK, local(NEW_YORK, 2025, 11, 1, 22, 0), utc(2025, 11, 2, 13, 0)),
        # 01:30 happens twice that night; both are quiet, both wait for 08:00 EST.
        (NEW_YORK, local(NEW_YORK, 2025, 11, 2, 1, 30, fold=0), utc(2025, 11, 2, 13, 0)),
        (NEW_YORK, local(NEW_YORK, 2025, 11, 2, 1, 30, fold=1), utc(2025, 11, 2, 13, 0)),
    ],
)
def test_quiet_hours_follow_daylight_saving_changes(tz_name, due, expected):
    assert shift_out_of_quiet_hours(due, tz_name, POLICY) == expected


def test_evening_quiet_hours_start_by_the_local_clock_after_a_change():
    # The Sunday after Berlin's spring change: 21:00 CEST is 19:00 UTC (it was 20:00 in winter).
    assert in_quiet_hours(utc(2025, 3, 30, 19, 0), BERLIN, POLICY)
    assert not in_quiet_hours(utc(2025, 3, 30, 18, 59), BERLIN, POLICY)


def test_a_quiet_end_skipped_by_spring_forward_resolves_later_not_earlier():
    policy = Policy(quiet_start=time(1, 0), quiet_end=time(2, 30))
    due = local(NEW_YORK, 2025, 3, 9, 1, 10)  # EST, before the 02:00 → 03:00 jump

    shifted = shift_out_of_quiet_hours(due, NEW_YORK, policy)

    assert shifted == utc(2025, 3, 9, 7, 30)  # 03:30 EDT: the skipped 02:30, read on the new offset
    assert not in_quiet_hours(shifted, NEW_YORK, policy)


def test_a_daytime_quiet_window_is_respected_too():
    policy = Policy(quiet_start=time(12, 0), quiet_end=time(14, 0))

    assert shift_out_of_quiet_hours(utc(2025, 1, 15, 12, 30), LONDON, policy) == utc(2025, 1, 15, 14, 0)
    assert shift_out_of_quiet_hours(utc(2025, 1, 15, 22, 0), LONDON, policy) == utc(2025, 1, 15, 22, 0)


def test_equal_quiet_bounds_mean_no_quiet_hours():
    policy = Policy(quiet_start=time(0, 0), quiet_end=time(0, 0))

    assert shift_out_of_quiet_hours(utc(2025, 1, 15, 3, 0), LONDON, policy) == utc(2025, 1, 15, 3, 0)


# -- caps --------------------------------------------------------------------------------------


def test_one_message_a_day_by_the_patients_own_calendar():
    # 23:30 UTC on 1 June is already 08:30 on 2 June in Tokyo.
    previous = [utc(2025, 6, 1, 23, 30)]

    assert not cap_allows(previous, utc(2025, 6, 2, 5, 0), "Asia/Tokyo", POLICY)  # 14:00 JST
    assert cap_allows(previous, utc(2025, 6, 1, 14, 0), "Asia/Tokyo", POLICY)  # 23:00 JST, 1 June


def test_three_messages_in_a_rolling_week():
    previous = [utc(2025, 6, 1, 10, 0), utc(2025, 6, 3, 10, 0), utc(2025, 6, 5, 10, 0)]

    assert not cap_allows(previous, utc(2025, 6, 7, 10, 0), LONDON, POLICY)
    assert not cap_allows(previous, utc(2025, 6, 8, 9, 59), LONDON, POLICY)
    assert cap_allows(previous, utc(2025, 6, 8, 10, 0), LONDON, POLICY)  # the first is 7 days old


def test_no_history_allows_a_send():
    assert cap_allows([], utc(2025, 6, 7, 10, 0), LONDON, POLICY)


# -- next send time ----------------------------------------------------------------------------


def next_send_time(*args, **kwargs) -> datetime | None:
    found = earliest_send(*args, **kwargs)
    return found.when if found else None


def test_next_send_time_is_the_due_time_when_nothing_stands_in_the_way():
    assert next_send_time(utc(2025, 6, 2, 15, 0), [], LONDON, POLICY) == utc(2025, 6, 2, 15, 0)


def test_next_send_time_waits_out_the_night():
    # London is on BST (UTC+1) in June: 22:00 local is 21:00 UTC, 08:00 local is 07:00 UTC.
    assert next_send_time(utc(2025, 6, 2, 21, 0), [], LONDON, POLICY) == utc(2025, 6, 3, 7, 0)


def test_next_send_time_moves_to_the_next_morning_when_today_is_used():
    previous = [utc(2025, 6, 2, 9, 0)]

    assert next_send_time(utc(2025, 6, 2, 15, 0), previous, LONDON, POLICY) == utc(2025, 6, 3, 7, 0)


def test_next_send_time_waits_for_the_week_to_free_up():
    previous = [utc(2025, 6, 1, 10, 0), utc(2025, 6, 3, 10, 0), utc(2025, 6, 5, 10, 0)]

    assert next_send_time(utc(2025, 6, 6, 10, 0), previous, LONDON, POLICY) == utc(2025, 6, 8, 10, 0)


def test_next_send_time_combines_quiet_hours_and_caps():
    # Due before dawn; the morning is taken by an earlier send, so: the following morning.
    previous = [utc(2025, 1, 10, 8, 0)]

    assert next_send_time(utc(2025, 1, 10, 6, 0), previous, LONDON, POLICY) == utc(2025, 1, 11, 8, 0)


def test_a_week_that_frees_up_at_night_waits_for_the_morning():
    previous = [utc(2025, 1, 1, 22, 30), utc(2025, 1, 3, 10, 0), utc(2025, 1, 5, 10, 0)]

    # The first send leaves the window at 22:30 on 8 January: quiet hours, so 08:00 on the 9th.
    assert next_send_time(utc(2025, 1, 7, 10, 0), previous, LONDON, POLICY) == utc(2025, 1, 9, 8, 0)


def test_next_send_time_gives_up_past_the_deadline():
    due = utc(2025, 1, 10, 22, 0)  # quiet: would wait until 08:00 on the 11th

    assert next_send_time(due, [], LONDON, POLICY, deadline=utc(2025, 1, 11, 7, 59)) is None
    assert next_send_time(due, [], LONDON, POLICY, deadline=utc(2025, 1, 11, 8, 0)) == utc(2025, 1, 11, 8, 0)


def test_the_send_time_says_what_held_it_back_in_the_order_met():
    assert earliest_send(utc(2025, 1, 10, 15, 0), [], LONDON, POLICY) == SendTime(utc(2025, 1, 10, 15, 0), ())
    assert earliest_send(utc(2025, 1, 10, 22, 0), [], LONDON, POLICY).reasons == ("quiet_hours",)
    # Today is used: the cap moves it to midnight, quiet hours then to 08:00.
    assert earliest_send(utc(2025, 1, 10, 15, 0), [utc(2025, 1, 10, 9, 0)], LONDON, POLICY) == SendTime(
        utc(2025, 1, 11, 8, 0), ("daily_cap", "quiet_hours"))
    week = [utc(2025, 6, 1, 10, 0), utc(2025, 6, 3, 10, 0), utc(2025, 6, 5, 10, 0)]
    assert earliest_send(utc(2025, 6, 6, 10, 0), week, LONDON, POLICY).reasons == ("weekly_cap",)


def test_the_daily_cap_may_count_only_the_sends_from_a_moment_on():
    # A fresh link asked for at 15:00 after the morning's SMS (rules.daily_cap_from): the day's
    # cap counts what went after the request, the weekly cap counts everything.
    morning = [utc(2025, 1, 10, 9, 0)]
    asked = utc(2025, 1, 10, 15, 0)
    assert earliest_send(asked, morning, LONDON, POLICY, daily_cap_from=asked) == SendTime(asked, ())
    later = [*morning, utc(2025, 1, 10, 15, 5)]
    assert earliest_send(asked + timedelta(minutes=10), later, LONDON, POLICY, daily_cap_from=asked).reasons == (
        "daily_cap", "quiet_hours")
    week = [utc(2025, 1, 6, 10, 0), utc(2025, 1, 8, 10, 0), *morning]
    assert earliest_send(asked, week, LONDON, POLICY, daily_cap_from=asked).reasons == ("weekly_cap",)
    assert earliest_send(utc(2025, 1, 10, 22, 0), morning, LONDON, POLICY,
                         daily_cap_from=utc(2025, 1, 10, 22, 0)).reasons == ("quiet_hours",)


# -- retry backoff -----------------------------------------------------------------------------


class HighestDraw:
    """An rng whose uniform draw is always the upper bound: exposes the backoff ceiling."""

    def uniform(self, low: float, high: float) -> float:
        return high


@pytest.mark.parametrize(
    ("attempt", "ceiling"),
    [(1, 30), (2, 60), (3, 120), (6, 960), (7, 1920), (8, 3600), (50, 3600)],
)
def test_backoff_ceiling_doubles_from_30_seconds_up_to_an_hour(attempt, ceiling):
    assert retry_delay(attempt, HighestDraw()) == timedelta(seconds=ceiling)


def test_backoff_draws_are_spread_below_the_ceiling():
    rng = random.Random(1234)

    delays = [retry_delay(3, rng) for _ in range(500)]

    assert all(timedelta(0) <= d <= timedelta(seconds=120) for d in delays)
    assert min(delays) < timedelta(seconds=30) < timedelta(seconds=90) < max(delays)


def test_backoff_is_reproducible_with_a_seed():
    first = [retry_delay(n, random.Random(7)) for n in range(1, MAX_ATTEMPTS + 1)]
    again = [retry_delay(n, random.Random(7)) for n in range(1, MAX_ATTEMPTS + 1)]

    assert first == again


def test_attempts_count_from_one():
    with pytest.raises(ValueError):
        retry_delay(0, random.Random(1))


def test_six_attempts_in_all():
    assert MAX_ATTEMPTS == 6
