"""Scheduling decisions: the policy and its settings, delays, reminders, expiry, and quiet hours across
DST. The send caps and the earliest send time are in test_schedule_caps.py, the retry backoff in
test_schedule_backoff.py; what they share is in schedule_times.py."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from feedback.delivery.schedule import (
    Policy,
    expires_at,
    in_quiet_hours,
    invitation_due,
    reminder_due,
    shift_out_of_quiet_hours,
)
from tests.delivery.schedule_times import LONDON, POLICY, utc

BERLIN = "Europe/Berlin"
NEW_YORK = "America/New_York"


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

