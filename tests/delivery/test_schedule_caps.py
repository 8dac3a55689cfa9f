"""Scheduling decisions: the daily and weekly caps, counted by the patient's own calendar, and the
earliest send time that quiet hours, caps and a deadline leave, with the reasons that held it back."""

from __future__ import annotations

from datetime import datetime, timedelta

from feedback.delivery.schedule import SendTime, cap_allows, earliest_send
from tests.delivery.schedule_times import LONDON, POLICY, utc

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
