"""A gap's reason names its dates as `Day`s: written in the reader's style, and kept as days when the
reason is stored as JSON and read back."""

import datetime
import json
from gettext import NullTranslations

from babel import Locale

from dashboards.flags import evaluate
from feedback.i18n import Voice
from feedback.phrases import Phrase, render

from .builders import day, find, history, patient, session

WEEK = datetime.timedelta(weeks=1)
SPANISH_DATES = Voice(Locale.parse("es"), NullTranslations())  # the English msgids, Spanish dates


def test_a_current_gap_names_its_last_session_as_a_day():
    h = history(session(1, patient()), session(2, patient()))
    [event] = find(evaluate(h, day(2) + 5 * WEEK), "disengagement", "gap")
    assert "since session 2 on 8 Jan 2024," in event.reason and "2024-01-08" not in event.reason
    assert "since session 2 on 8 ene 2024," in render(event.message, SPANISH_DATES)


def test_a_past_gap_and_a_never_attended_gap_name_days_too():
    h = history(session(1, patient()), session(2, patient(), date=day(1) + 6 * WEEK),
                session(3, patient(), date=day(1) + 7 * WEEK))
    [past] = find(evaluate(h, day(1) + 7 * WEEK), "disengagement", "gap")
    assert "between session 1 on 1 ene 2024 and session 2" in render(past.message, SPANISH_DATES)
    h = history(session(1, attendance="no_show"))
    [never] = find(evaluate(h, day(1) + 5 * WEEK), "disengagement", "gap")
    assert "since the first one was scheduled for 1 ene 2024" in render(never.message, SPANISH_DATES)


def test_the_stored_reason_reads_back_with_its_days():
    h = history(session(1, patient()), session(2, patient()))
    [event] = find(evaluate(h, day(2) + 5 * WEEK), "disengagement", "gap")
    stored = json.loads(json.dumps(event.message.to_json()))
    assert Phrase.from_json(stored) == event.message
    assert render(Phrase.from_json(stored), SPANISH_DATES) == render(event.message, SPANISH_DATES)
    assert str(Phrase.from_json(stored)) == event.reason
