"""The guidance panel: kind of rupture, fitting approach, openers, and never a script."""

from __future__ import annotations

import datetime

import pytest

from dashboards.demo.cohort import DEFAULT_NORMS
from dashboards.flags import Answers, Event, PatientHistory, SessionRecord, evaluate
from dashboards.guidance import MAX_OPENERS, guidance_for, guidance_from_history


def event(code: str, session: int = 5, severity: str = "high", current: bool = True) -> Event:
    return Event(code=code, severity=severity, session_number=session, reason="…", numbers={}, current=current)


CALM = {"held_back": 1, "went_along": 1, "frustrated": 1, "rupture": True}


def test_nothing_without_a_current_rupture_or_decline():
    assert guidance_for([], None, None) is None
    assert guidance_for([event("unresolved_rupture", current=False)], CALM, None) is None
    assert guidance_for([event("repaired_rupture", severity="positive")], CALM, None) is None
    assert guidance_for([event("disengagement", severity="watch")], CALM, None) is None


@pytest.mark.parametrize("patient, therapist", [
    ({**CALM, "held_back": 4}, None),
    ({**CALM, "went_along": 3}, None),
    (CALM, {"rupture": True, "markers": ["withdrawal_away"]}),
    (CALM, {"rupture": True, "markers": ["withdrawal_toward"]}),
])
def test_withdrawal_from_patient_indicators_or_therapist_markers(patient, therapist):
    g = guidance_for([event("unresolved_rupture")], patient, therapist)
    assert g.kind == "withdrawal"
    assert "self-assertion" in g.approaches[0] and "held back" in g.approaches[0]
    assert len(g.signs) == 1


def test_confrontation_from_frustration_or_marker():
    g = guidance_for([event("rupture", severity="watch")], {**CALM, "frustrated": 5}, None)
    assert g.kind == "confrontation"
    assert "non-defensive" in g.approaches[0] and "vulnerability" in g.approaches[0]
    assert tuple(map(str, g.signs)) == ('Patient: "I felt frustrated or annoyed with my therapist or with the way we work", 5 of 5',)
    assert guidance_for([event("rupture")], CALM, {"markers": ["confrontation"]}).kind == "confrontation"


def test_both_kinds_give_both_approaches():
    g = guidance_for([event("unresolved_rupture")], {**CALM, "held_back": 4, "frustrated": 4}, None)
    assert g.kind == "mixed" and len(g.approaches) == 2


def test_rupture_without_signs_is_unclear_and_a_decline_alone_is_about_goals_and_tasks():
    assert guidance_for([event("unresolved_rupture")], CALM, None).kind == "unclear"
    g = guidance_for([event("reliable_decline")], {"held_back": 1}, None)
    assert g.kind == "decline"
    assert "goals and tasks" in g.approaches[0] and "rationale" in g.approaches[0]


def test_quiet_withdrawal_counts_as_withdrawal_even_without_the_answers():
    g = guidance_for([event("quiet_withdrawal", severity="watch")], None, None)
    assert g.kind == "withdrawal"


def test_appeasement_is_met_with_the_withdrawal_approach():
    # A rupture rated resolved while the patient went along: withdrawal toward the therapist.
    g = guidance_for([event("appeasement", severity="watch")], None, None)
    assert g.kind == "withdrawal" and g.title == "It looks like a withdrawal rupture"
    assert any("possible appeasement" in str(sign) for sign in g.signs)
    assert "self-assertion" in g.approaches[0]


def test_frustration_not_named_as_a_rupture_is_met_with_the_confrontation_approach():
    g = guidance_for([event("unnamed_confrontation", severity="watch")], None, None)
    assert g.kind == "confrontation" and any("did not call a rupture" in str(sign) for sign in g.signs)
    assert "non-defensive" in g.approaches[0]


def test_notes_never_call_for_guidance():
    assert guidance_for([event("quiet_withdrawal", severity="note"), event("rupture", severity="note")],
                        None, None) is None


def test_indicators_below_the_threshold_are_not_signs():
    g = guidance_for([event("rupture")], {**CALM, "held_back": 2, "frustrated": True}, {"markers": "confrontation"})
    assert g.kind == "unclear" and g.signs == ()


@pytest.mark.parametrize("patient", [{**CALM, "held_back": 4}, {**CALM, "frustrated": 4},
                                     {**CALM, "held_back": 4, "frustrated": 4}, CALM, None])
def test_openers_are_few_tentative_and_never_repeat(patient):
    g = guidance_for([event("unresolved_rupture"), event("reliable_decline")], patient, None)
    assert 3 <= len(g.openers) <= MAX_OPENERS
    assert len(set(g.openers)) == len(g.openers)
    assert all(o.endswith("?") or "I'm aware" in o or "I'd" in o for o in g.openers)
    assert "not a script" in g.disclaimer and "not a diagnosis" in g.disclaimer
    assert g.note_prompt and g.process_note


def test_triggers_and_session_of_the_latest_event():
    g = guidance_for([event("rupture", session=3, severity="watch"), event("sudden_drop", session=6)], CALM, None)
    assert g.triggers == ("rupture", "sudden_drop") and g.session_number == 6


def test_from_history_uses_the_answers_of_the_flagged_session():
    day = datetime.date(2024, 1, 1)
    calm = Answers(True, {"bond": 4.5, "alliance": 4.5}, {"rupture": False, "held_back": 1})
    rupture = Answers(True, {"bond": 3.0, "alliance": 3.5},
                      {"rupture": True, "rupture_tension": 4, "rupture_resolved": 1, "went_along": 4})
    history = PatientHistory([SessionRecord(1, day, "attended", calm, None),
                              SessionRecord(2, day + datetime.timedelta(weeks=1), "attended", rupture, None)],
                             DEFAULT_NORMS)
    events = evaluate(history, day + datetime.timedelta(weeks=2)).events
    g = guidance_from_history(events, history)
    assert g.kind == "withdrawal" and g.session_number == 2
    assert any("went along" in str(sign) for sign in g.signs)
