"""Scale scores against hand-computed examples."""

from __future__ import annotations

import pytest

from feedback.instruments.loader import BUILTIN_DIR, load_file, parse_instrument
from feedback.instruments.scoring import score

PATIENT = load_file(BUILTIN_DIR / "post-session-patient.yaml")

FULL = {"bond_understood": 5, "bond_trust": 4, "task_useful": 4, "task_fit": 3, "goal_agree": 5, "goal_unclear": 2}


def test_full_answers_with_reverse_keyed_item():
    scores = score(PATIENT, FULL)
    # bond (5 + 4) / 2 = 4.5; task (4 + 3) / 2 = 3.5
    # goal: goal_unclear is reverse-keyed on 1..5 -> 6 - 2 = 4; (5 + 4) / 2 = 4.5
    # alliance: (5 + 4 + 4 + 3 + 5 + 4) / 6 = 25 / 6 = 4.1667
    assert scores == {"bond": 4.5, "task": 3.5, "goal": 4.5, "alliance": pytest.approx(4.1667)}


def test_missing_answers_score_what_is_there_or_nothing():
    answers = dict(FULL)
    del answers["bond_trust"], answers["task_useful"], answers["task_fit"]
    scores = score(PATIENT, answers)
    assert scores["bond"] == 5.0  # 1 of 2 items answered meets min_answered 1
    assert scores["task"] is None  # 0 answered: not scored, never zero
    # alliance needs 4 of 6; only 3 answered (5, 5, 6 - 2 = 4) -> not scored
    assert scores["alliance"] is None


def test_alliance_scores_with_four_of_six():
    answers = {"bond_understood": 2, "bond_trust": 3, "task_useful": 1, "goal_unclear": 5}
    # reversed goal_unclear: 6 - 5 = 1; (2 + 3 + 1 + 1) / 4 = 1.75
    assert score(PATIENT, answers)["alliance"] == 1.75


def test_rupture_and_indicator_items_do_not_enter_scales():
    with_extras = dict(FULL, rupture=True, rupture_tension=5, rupture_resolved=1, held_back=5, comment="x")
    assert score(PATIENT, with_extras) == score(PATIENT, FULL)


def test_prorated_sum():
    raw = {
        "id": "sum-demo", "version": 1, "title": "t", "respondent": "patient", "languages": ["en"],
        "items": [
            {"id": f"i{n}", "type": "likert", "text": "x", "min": 0, "max": 4, "anchors": {"0": "a", "4": "b"}}
            for n in range(1, 5)
        ],
        "scales": {"total": {"items": ["i1", "i2", "i3", "i4"], "reverse": ["i4"], "scoring": "sum", "min_answered": 3}},
    }
    instrument = parse_instrument(raw, "inline")
    # full: 4 + 3 + 2 + (0 + 4 - 1 = 3) = 12
    assert score(instrument, {"i1": 4, "i2": 3, "i3": 2, "i4": 1})["total"] == 12
    # one missing: mean of (4, 3, 3) = 10/3, times 4 items = 13.3333 (prorated)
    assert score(instrument, {"i1": 4, "i2": 3, "i4": 1})["total"] == pytest.approx(13.3333)
    assert score(instrument, {"i1": 4, "i2": 3})["total"] is None
