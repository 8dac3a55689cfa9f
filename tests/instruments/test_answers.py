"""Parsing submitted form values into typed answers."""

from __future__ import annotations

from feedback.instruments.answers import parse_answers, to_form_values
from feedback.instruments.loader import BUILTIN_DIR, load_file

PATIENT = load_file(BUILTIN_DIR / "post-session-patient.yaml")
THERAPIST = load_file(BUILTIN_DIR / "post-session-therapist.yaml")

BASE = {
    "bond_understood": ["4"], "bond_trust": ["5"], "task_useful": ["4"], "task_fit": ["4"],
    "goal_agree": ["5"], "goal_unclear": ["1"], "held_back": ["1"], "went_along": ["2"], "frustrated": ["1"],
}


def test_complete_form_without_rupture():
    answers, errors = parse_answers(PATIENT, {**BASE, "rupture": ["no"], "comment": ["  fine  "]})
    assert errors == {}
    assert answers["rupture"] is False and answers["bond_trust"] == 5 and answers["comment"] == "fine"


def test_follow_ups_required_only_after_yes():
    _, errors = parse_answers(PATIENT, {**BASE, "rupture": ["yes"]})
    assert set(errors) == {"rupture_tension", "rupture_resolved"}
    answers, errors = parse_answers(PATIENT, {**BASE, "rupture": ["yes"], "rupture_tension": ["4"], "rupture_resolved": ["2"]})
    assert errors == {} and answers["rupture_tension"] == 4


def test_follow_ups_dropped_when_rupture_is_no():
    answers, errors = parse_answers(PATIENT, {**BASE, "rupture": ["no"], "rupture_tension": ["4"]})
    assert errors == {} and "rupture_tension" not in answers


def test_out_of_range_and_garbage_values():
    _, errors = parse_answers(PATIENT, {**BASE, "bond_trust": ["9"], "task_fit": ["abc"], "rupture": ["maybe"]})
    assert str(errors["bond_trust"]) == "Please choose a value from 1 to 5."
    assert "task_fit" in errors and str(errors["rupture"]) == "Please answer yes or no."


def test_missing_required_answers_are_listed():
    _, errors = parse_answers(PATIENT, {"bond_understood": ["3"]})
    assert "bond_trust" in errors and "rupture" in errors and "comment" not in errors


def test_text_limit():
    _, errors = parse_answers(PATIENT, {**BASE, "rupture": ["no"], "comment": ["x" * 501]})
    assert "500 characters at most" in str(errors["comment"])
    answers, errors = parse_answers(PATIENT, {**BASE, "rupture": ["no"], "comment": ["x" * 500]})
    assert "comment" not in errors and answers["comment"] == "x" * 500  # the limit itself is accepted


def test_multiple_choice_keeps_instrument_order_and_refuses_unknown():
    form = {"t_connected": ["4"], "t_collab": ["4"], "t_task": ["4"], "t_goal": ["4"], "rupture": ["yes"],
            "rupture_tension": ["3"], "rupture_resolved": ["4"], "markers": ["confrontation", "withdrawal_away"]}
    answers, errors = parse_answers(THERAPIST, form)
    assert errors == {} and answers["markers"] == ["withdrawal_away", "confrontation"]
    _, errors = parse_answers(THERAPIST, {**form, "strategy": ["hypnosis"]})
    assert "strategy" in errors


def test_round_trip_to_form_values():
    answers, _ = parse_answers(PATIENT, {**BASE, "rupture": ["yes"], "rupture_tension": ["2"], "rupture_resolved": ["5"]})
    again, errors = parse_answers(PATIENT, to_form_values(answers))
    assert errors == {} and again == answers
