"""The battery's due rules and its validation, as a table: no app, no database."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from feedback.battery.rules import BatteryError, Entry, due, is_due, parse_battery, usable_entries

MEASURES = ("phq-9", "gad-7")
START = date(2026, 1, 5)


def week(n: int) -> date:
    return START + timedelta(weeks=n)


@pytest.mark.parametrize(("entry", "session", "on", "last", "expected"), [
    # every session
    (Entry("phq-9", "session"), 1, week(0), None, True),
    (Entry("phq-9", "session"), 7, week(6), week(5), True),
    # every n-th: 1, 1+n, 1+2n, ...
    (Entry("phq-9", "nth", n=3), 1, week(0), None, True),
    (Entry("phq-9", "nth", n=3), 2, week(1), week(0), False),
    (Entry("phq-9", "nth", n=3), 3, week(2), week(0), False),
    (Entry("phq-9", "nth", n=3), 4, week(3), week(0), True),
    (Entry("phq-9", "nth", n=3), 7, week(6), week(3), True),
    (Entry("phq-9", "nth", n=3), 7, week(6), None, True),  # missed answers never shift the schedule
    (Entry("phq-9", "nth", n=3), 8, week(7), None, False),
    (Entry("phq-9", "nth", n=1), 5, week(4), week(3), True),
    # at intake, then the first session at least `weeks` weeks after the last answer
    (Entry("phq-9", "intake_and_weeks", weeks=4), 1, week(0), None, True),
    (Entry("phq-9", "intake_and_weeks", weeks=4), 2, week(1), week(0), False),
    (Entry("phq-9", "intake_and_weeks", weeks=4), 4, week(3), week(0), False),
    (Entry("phq-9", "intake_and_weeks", weeks=4), 5, week(4), week(0), True),  # exactly 28 days
    (Entry("phq-9", "intake_and_weeks", weeks=4), 5, week(4) - timedelta(days=1), week(0), False),  # 27 days
    (Entry("phq-9", "intake_and_weeks", weeks=4), 6, week(6), week(0), True),  # a gap: the first session after
    (Entry("phq-9", "intake_and_weeks", weeks=4), 7, week(7), week(6), False),  # counted from the last answer
    (Entry("phq-9", "intake_and_weeks", weeks=4), 3, week(2), None, True),  # intake form not answered: ask again
    (Entry("phq-9", "intake_and_weeks", weeks=2), 1, week(0), week(-1), True),  # the first session always
])
def test_is_due(entry, session, on, last, expected):
    assert is_due(entry, session=session, on=on, last_answered=last) is expected


def test_due_keeps_the_battery_order_and_judges_each_measure_by_its_own_last_answer():
    battery = [Entry("gad-7", "intake_and_weeks", weeks=4), Entry("phq-9", "session")]
    assert due(battery, session=1, on=week(0), last_answered={}) == ["gad-7", "phq-9"]
    assert due(battery, session=3, on=week(2), last_answered={"gad-7": week(0), "phq-9": week(1)}) == ["phq-9"]
    assert due(battery, session=5, on=week(4), last_answered={"gad-7": week(0)}) == ["gad-7", "phq-9"]
    assert due([], session=1, on=week(0), last_answered={}) == []


def test_a_valid_battery_is_read_with_defaults_for_what_its_rule_does_not_use():
    raw = [{"instrument": "phq-9", "every": "intake_and_weeks", "weeks": "4"},
           {"instrument": "gad-7", "every": "nth", "n": 2, "weeks": "not used"}]
    assert parse_battery(raw, MEASURES) == [Entry("phq-9", "intake_and_weeks", n=2, weeks=4),
                                           Entry("gad-7", "nth", n=2, weeks=4)]
    assert parse_battery([], MEASURES) == []
    assert Entry("phq-9", "nth", n=2).as_json() == {"instrument": "phq-9", "every": "nth", "n": 2, "weeks": 4}


@pytest.mark.parametrize(("raw", "message"), [
    ("phq-9", "a battery is a list of entries"),
    ([{"instrument": "post-session-patient", "every": "session"}],
     "entry 1: 'post-session-patient' is not an outcome measure this app knows (gad-7, phq-9)"),
    ([{"instrument": "phq-9", "every": "monthly"}],
     "entry 1: how often must be one of session, nth, intake_and_weeks, not 'monthly'"),
    ([{"instrument": "phq-9", "every": "nth"}], "entry 1: n (every n-th session) is missing"),
    ([{"instrument": "phq-9", "every": "nth", "n": 0}],
     "entry 1: n (every n-th session) must be a whole number from 1 to 52"),
    ([{"instrument": "phq-9", "every": "nth", "n": "٣"}],
     "entry 1: n (every n-th session) must be a whole number from 1 to 52"),
    ([{"instrument": "phq-9", "every": "nth", "n": True}],
     "entry 1: n (every n-th session) must be a whole number from 1 to 52"),
    ([{"instrument": "phq-9", "every": "intake_and_weeks", "weeks": -1}],
     "entry 1: the number of weeks must be a whole number from 1 to 52"),
    ([{"instrument": "phq-9", "every": "intake_and_weeks"}], "entry 1: the number of weeks is missing"),
    ([{"instrument": "phq-9", "every": "session"}, {"instrument": "phq-9", "every": "nth", "n": 2}],
     "entry 2: phq-9 is already in the battery; list each measure once"),
    (["phq-9"], "entry 1: is not an entry with an instrument and how often it is asked"),
])
def test_an_invalid_battery_is_refused_with_a_message_naming_the_entry(raw, message):
    with pytest.raises(BatteryError) as refused:
        parse_battery(raw, MEASURES)
    assert [str(problem) for problem in refused.value.problems] == [message]


def test_every_problem_is_named_at_once():
    raw = [{"instrument": "phq-8", "every": "session"}, {"instrument": "gad-7", "every": "nth", "n": 99}]
    with pytest.raises(BatteryError) as refused:
        parse_battery(raw, MEASURES)
    assert len(refused.value.problems) == 2


def test_a_stored_battery_naming_a_measure_no_longer_installed_keeps_the_others():
    raw = [{"instrument": "core-10", "every": "session"}, {"instrument": "phq-9", "every": "session"}, "junk"]
    assert usable_entries(raw, MEASURES) == [Entry("phq-9", "session")]
    assert usable_entries(None, MEASURES) == []


@pytest.mark.parametrize(("entry", "words"), [
    (Entry("phq-9", "session"), "every session"),
    (Entry("phq-9", "nth", n=1), "every session"),
    (Entry("phq-9", "nth", n=2), "every 2nd session (1, 3, …)"),
    (Entry("phq-9", "nth", n=11), "every 11th session (1, 12, …)"),
    (Entry("phq-9", "intake_and_weeks", weeks=4), "at intake, then every 4 weeks"),
    (Entry("phq-9", "intake_and_weeks", weeks=1), "at intake, then every 1 week"),
])
def test_an_entry_in_words(entry, words):
    assert entry.describe() == words
