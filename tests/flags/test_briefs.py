"""Every event has a short line for lists, built from its numbers (not a cut-off reason)."""

from collections.abc import Iterator

import pytest
from flask import Flask
from flask_babel import force_locale

from dashboards.demo.cohort import KINDS, generate_patient
from dashboards.flags import evaluate
from dashboards.flags.briefs import BRIEFS, brief
from dashboards.speech import say
from dashboards.therapist.wording import EVENT_NAMES
from feedback import i18n

from .builders import last_day

#: About one line at 390 px in the caseload's small type (a project choice, measured in the browser sweep).
LONGEST = 64


def test_every_named_event_has_a_brief():
    assert set(BRIEFS) == set(EVENT_NAMES)


@pytest.fixture(scope="module")
def babel_app() -> Iterator[Flask]:
    """Only Babel, with the committed catalogs: the briefs are read as a page would say them."""
    app = Flask(__name__)
    i18n.init_app(app)
    with app.test_request_context():
        yield app


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_the_engines_events_read_as_short_lines_without_falling_back(babel_app: Flask, language: str):
    seen = set()
    with force_locale(language):
        for kind in KINDS:
            for seed in range(12):
                history = generate_patient(kind, seed)
                for event in evaluate(history, last_day(history)).events:
                    made = BRIEFS[event.code](event.subject, event.session_number, event.numbers)
                    line = say(made)
                    assert line and len(line) <= LONGEST, (event.code, line)
                    assert brief(event.code, event.subject, event.session_number, event.numbers, event.reason) == made
                    seen.add(event.code)
    assert {"unresolved_rupture", "reliable_decline", "disengagement", "rupture_repair_episode"} <= seen


def test_a_brief_in_spanish_is_translated_with_its_numbers(babel_app: Flask):
    made = BRIEFS["sudden_drop"]("bond", 5, {"score": 2.5, "baseline": 4.25})
    assert str(made) == "Bond fell to 2.5, usual 4.2"
    with force_locale("es"):
        assert say(made) == "Vínculo: bajó a 2,5 (habitual 4,2)"


def test_an_event_it_does_not_know_falls_back_to_the_reasons_first_clause():
    reason = "The patient reported something new; it may be worth asking."
    assert brief("something_new", None, 3, {}, reason) == "The patient reported something new"
    assert brief("sudden_drop", "bond", 3, {"score": 2.0}, "Stored before: details.") == "Stored before"


def test_every_number_an_event_stores_has_a_name_to_translate():
    from dashboards.therapist.wording import NUMBER_NAMES

    keys = set()
    for kind in KINDS:
        for seed in range(6):
            history = generate_patient(kind, seed)
            for event in evaluate(history, last_day(history)).events:
                keys |= set(event.numbers)
    assert keys - set(NUMBER_NAMES) == set()
