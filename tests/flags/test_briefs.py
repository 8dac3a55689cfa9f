"""Every event has a short line for lists, built from its numbers (not a cut-off reason)."""

from dashboards.demo.cohort import KINDS, generate_patient
from dashboards.flags import evaluate
from dashboards.flags.briefs import BRIEFS, brief
from dashboards.therapist.wording import EVENT_NAMES

from .builders import last_day

#: About one line at 390 px in the caseload's small type (a project choice, measured in the browser sweep).
LONGEST = 64


def test_every_named_event_has_a_brief():
    assert set(BRIEFS) == set(EVENT_NAMES)


def test_the_engines_events_read_as_short_lines_without_falling_back():
    seen = set()
    for kind in KINDS:
        for seed in range(12):
            history = generate_patient(kind, seed)
            for event in evaluate(history, last_day(history)).events:
                line = BRIEFS[event.code](event.subject, event.session_number, event.numbers)
                assert line and len(line) <= LONGEST, (event.code, line)
                assert brief(event.code, event.subject, event.session_number, event.numbers, event.reason) == line
                seen.add(event.code)
    assert {"unresolved_rupture", "reliable_decline", "disengagement", "rupture_repair_episode"} <= seen


def test_an_event_it_does_not_know_falls_back_to_the_reasons_first_clause():
    reason = "The patient reported something new; it may be worth asking."
    assert brief("something_new", None, 3, {}, reason) == "The patient reported something new"
    assert brief("sudden_drop", "bond", 3, {"score": 2.0}, "Stored before: details.") == "Stored before"
